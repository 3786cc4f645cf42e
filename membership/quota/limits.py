"""The limits membership enforces, named once.

Each name is a Keystone unified-limit resource name of the
``membership`` service (``openstack registered limit create --service
membership --default-limit N <name>``) and an option of ``[quota]``
(the defaults when limits do not come from Keystone). A new limit (locks
held, once locks land) is one more entry here, counted by the storage.
"""
import collections

Limit = collections.namedtuple('Limit', 'name default help')

GROUPS = 'groups'
MEMBERS_PER_GROUP = 'members_per_group'
SESSIONS = 'sessions'
STORED_BYTES = 'stored_bytes'

LIMITS = (
    Limit(GROUPS, 1000,
          'Groups a project may have.'),
    Limit(MEMBERS_PER_GROUP, 1000,
          'Live members one group may have.'),
    Limit(SESSIONS, 1000,
          'Live sessions a project may have.'),
    Limit(STORED_BYTES, 64 * 1024 * 1024,
          'Bytes of group metadata and member capabilities (as stored, '
          'serialized JSON in UTF-8) a project may hold.'),
)

NAMES = tuple(limit.name for limit in LIMITS)
UNLIMITED = -1

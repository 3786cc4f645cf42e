"""Microversions of the membership API.

One line per version; api-ref/source/history.inc tells each story.
"""
import functools

import microversion_parse

SERVICE_TYPE = 'membership'
HEADER = 'OpenStack-API-Version'
_WSGI_HEADER = 'HTTP_OPENSTACK_API_VERSION'
ENVIRON_KEY = 'membership.microversion'

VERSIONS = [
    '1.0',  # groups, members, heartbeats
    '1.1',  # group events (watch by revision, long-poll); group revision
    '1.2',  # sessions (leases), leader election, member "session"
    '1.3',  # locks: exclusive or shared, fair, fenced, lease-bound
]
MIN_VERSION = tuple(int(p) for p in VERSIONS[0].split('.'))
MAX_VERSION = tuple(int(p) for p in VERSIONS[-1].split('.'))

# What each version brought, by name: controllers gate on these.
EVENTS = (1, 1)
SESSIONS = (1, 2)
ELECTION = (1, 2)
LOCKS = (1, 3)


class InvalidVersion(ValueError):
    """The header is malformed."""


class UnsupportedVersion(ValueError):
    """The version is outside [MIN_VERSION, MAX_VERSION]."""


def text(version):
    return '%d.%d' % version


def negotiate(headers):
    """The version a request asked for, as a (major, minor) tuple.

    ``headers`` is a mapping of WSGI environ keys. No header means the
    minimum; ``latest`` means the maximum.
    """
    return _negotiated(headers.get(_WSGI_HEADER))


# Clients send a handful of distinct headers: each is parsed once (an
# error is not kept, and is parsed again).
@functools.lru_cache(maxsize=256)
def _negotiated(value):
    # microversion_parse reads only this header (it folds whatever
    # mapping it is given, the whole environ included).
    headers = {} if value is None else {_WSGI_HEADER: value}
    try:
        asked = microversion_parse.get_version(
            headers, service_type=SERVICE_TYPE)
    except ValueError as e:
        raise InvalidVersion(str(e))
    if asked is None:
        for item in (value or '').split(','):
            if item.strip().lower() == SERVICE_TYPE:
                raise InvalidVersion('The OpenStack-API-Version header '
                                     'names the service but no version.')
        return MIN_VERSION
    asked = asked.strip()
    if not asked:
        raise InvalidVersion('The OpenStack-API-Version header names the '
                             'service but no version.')
    if asked.lower() == 'latest':
        return MAX_VERSION
    try:
        version = microversion_parse.parse_version_string(asked)
    except TypeError:
        raise InvalidVersion(f"Invalid microversion '{asked}'.")
    version = (version.major, version.minor)
    if not MIN_VERSION <= version <= MAX_VERSION:
        raise UnsupportedVersion(
            f"Microversion {text(version)} is not supported: this service "
            f"accepts {text(MIN_VERSION)} to {text(MAX_VERSION)}.")
    return version

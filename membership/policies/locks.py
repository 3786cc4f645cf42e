from oslo_policy import policy

from membership.policies import base

PREFIX = 'membership:locks:'
LIST = PREFIX + 'list'
SHOW = PREFIX + 'show'
ACQUIRE = PREFIX + 'acquire'
HEARTBEAT = PREFIX + 'heartbeat'
RELEASE = PREFIX + 'release'
BREAK = PREFIX + 'break'

LOCK = '/v1/locks/{name}'
HOLDER = LOCK + '/holders/{id}'
rules = [
    base.rule(LIST, base.READER, 'List the locks held or waited for.',
              'GET', '/v1/locks'),
    policy.DocumentedRuleDefault(
        name=SHOW, check_str='rule:' + base.READER,
        description='Show a lock, its holders and a holder.',
        operations=[{'method': 'GET', 'path': LOCK},
                    {'method': 'GET', 'path': LOCK + '/holders'},
                    {'method': 'GET', 'path': HOLDER}],
        scope_types=['project']),
    base.rule(ACQUIRE, base.WRITER, 'Acquire a lock, waiting for it if '
              'asked.', 'POST', LOCK + '/holders'),
    base.rule(HEARTBEAT, base.WRITER, 'Keep a holder of a lock alive.',
              'POST', HOLDER + '/heartbeat'),
    base.rule(RELEASE, base.WRITER, 'Release a lock one holds.', 'DELETE',
              HOLDER),
    # A rule of its own: breaking releases other clients' locks.
    policy.DocumentedRuleDefault(
        name=BREAK,
        check_str='(role:member or role:admin) and '
                  'project_id:%(project_id)s',
        description="Break a lock: release all its holders at once "
                    "(tooz's break_()).",
        operations=[{'method': 'DELETE', 'path': LOCK}],
        scope_types=['project']),
]


def list_rules():
    return rules

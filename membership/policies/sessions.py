from membership.policies import base

PREFIX = 'membership:sessions:'
LIST = PREFIX + 'list'
SHOW = PREFIX + 'show'
CREATE = PREFIX + 'create'
HEARTBEAT = PREFIX + 'heartbeat'
DELETE = PREFIX + 'delete'

S = '/v1/sessions/{id}'
rules = [
    base.rule(LIST, base.READER, 'List the live sessions of the project.',
              'GET', '/v1/sessions'),
    base.rule(SHOW, base.READER, 'Show a session.', 'GET', S),
    base.rule(CREATE, base.WRITER, 'Open a session.', 'POST', '/v1/sessions'),
    base.rule(HEARTBEAT, base.WRITER, 'Keep a session alive.', 'POST',
              S + '/heartbeat'),
    base.rule(DELETE, base.WRITER, 'End a session and all it holds.',
              'DELETE', S),
]


def list_rules():
    return rules

from membership.policies import base

PREFIX = 'membership:members:'
LIST = PREFIX + 'list'
SHOW = PREFIX + 'show'
JOIN = PREFIX + 'join'
UPDATE = PREFIX + 'update'
LEAVE = PREFIX + 'leave'
HEARTBEAT = PREFIX + 'heartbeat'

M = '/v1/groups/{name}/members/{id}'
rules = [
    base.rule(LIST, base.READER, 'List the live members of a group.', 'GET',
              '/v1/groups/{name}/members'),
    base.rule(SHOW, base.READER, 'Show a live member.', 'GET', M),
    base.rule(JOIN, base.WRITER, 'Join a group, or replace a membership.',
              'PUT', M),
    base.rule(UPDATE, base.WRITER, 'Patch a membership.', 'PATCH', M),
    base.rule(LEAVE, base.WRITER, 'Leave a group.', 'DELETE', M),
    base.rule(HEARTBEAT, base.WRITER, 'Keep a membership alive.', 'POST',
              M + '/heartbeat'),
]


def list_rules():
    return rules

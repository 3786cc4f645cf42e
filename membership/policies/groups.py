from membership.policies import base

PREFIX = 'membership:groups:'
LIST = PREFIX + 'list'
SHOW = PREFIX + 'show'
CREATE = PREFIX + 'create'
UPDATE = PREFIX + 'update'
DELETE = PREFIX + 'delete'

G = '/v1/groups/{name}'
rules = [
    base.rule(LIST, base.READER, 'List the groups of the project.', 'GET',
              '/v1/groups'),
    base.rule(SHOW, base.READER, 'Show a group.', 'GET', G),
    base.rule(CREATE, base.WRITER, 'Create or replace a group.', 'PUT', G),
    base.rule(UPDATE, base.WRITER, 'Patch a group.', 'PATCH', G),
    base.rule(DELETE, base.WRITER, 'Delete a group.', 'DELETE', G),
]


def list_rules():
    return rules

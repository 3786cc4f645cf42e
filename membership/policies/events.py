from membership.policies import base

LIST = 'membership:events:list'

rules = [
    base.rule(LIST, base.READER, 'Watch the events of a group.', 'GET',
              '/v1/groups/{name}/events'),
]


def list_rules():
    return rules

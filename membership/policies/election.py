from membership.policies import base

PREFIX = 'membership:election:'
LIST = PREFIX + 'list'
ENTER = PREFIX + 'enter'
WITHDRAW = PREFIX + 'withdraw'
HEARTBEAT = PREFIX + 'heartbeat'
STAND_DOWN = PREFIX + 'stand_down'
LEADER = PREFIX + 'leader'

C = '/v1/groups/{name}/candidates/{id}'
rules = [
    base.rule(LIST, base.READER, 'List the candidates in election order.',
              'GET', '/v1/groups/{name}/candidates'),
    base.rule(ENTER, base.WRITER, 'Enter the election, or refresh a '
              'candidacy.', 'PUT', C),
    base.rule(WITHDRAW, base.WRITER, 'Withdraw from the election.',
              'DELETE', C),
    base.rule(HEARTBEAT, base.WRITER, 'Keep a candidacy alive.', 'POST',
              C + '/heartbeat'),
    base.rule(STAND_DOWN, base.WRITER, 'Give up leadership, staying a '
              'candidate.', 'POST', C + '/stand-down'),
    base.rule(LEADER, base.READER, 'Show the leader of a group.', 'GET',
              '/v1/groups/{name}/leader'),
]


def list_rules():
    return rules

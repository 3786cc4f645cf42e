"""Policy rules in code, one module per resource."""
import itertools

from membership.policies import base
from membership.policies import election
from membership.policies import events
from membership.policies import groups
from membership.policies import locks
from membership.policies import members
from membership.policies import sessions


def list_rules():
    return list(itertools.chain(
        base.list_rules(), groups.list_rules(), members.list_rules(),
        events.list_rules(), sessions.list_rules(), election.list_rules(),
        locks.list_rules()))

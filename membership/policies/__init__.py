"""Policy rules in code, one module per resource."""
import itertools

from membership.policies import base
from membership.policies import groups
from membership.policies import members


def list_rules():
    return list(itertools.chain(base.list_rules(), groups.list_rules(),
                                members.list_rules()))

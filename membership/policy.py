"""The policy enforcer, built once per process from the rules in code."""
from oslo_config import cfg
from oslo_policy import policy

from membership import conf as membership_conf
from membership import policies


def enforcer(conf):
    result = policy.Enforcer(conf)
    result.register_defaults(policies.list_rules())
    result.load_rules()
    return result


def get_enforcer():
    """For the oslopolicy-* command line tools (``oslo.policy.enforcer``)."""
    conf = cfg.ConfigOpts()
    membership_conf.register_opts(conf)
    conf([], project='membership')
    return enforcer(conf)

from oslo_config import cfg

from membership.conf import groups
from membership.quota import limits

GROUP = cfg.OptGroup(
    'quota', title='Quota options',
    help='Per-project limits. With auth_strategy = keystone and driver = '
         'unified_limits they are Keystone unified limits of the '
         'membership service, read with oslo.limit (configure '
         '[oslo_limit]; register a limit for each resource named here); '
         'otherwise, and always with noauth, the options below apply to '
         'every project. -1 means unlimited.')

OPTS = [
    cfg.StrOpt('driver', default='unified_limits',
               choices=[('unified_limits',
                         'Keystone unified limits (registered limits are '
                         'the defaults, project limits the overrides) '
                         'through oslo.limit; needs [oslo_limit].'),
                        ('options', 'The limits of this section, for every '
                         'project.')],
               help='Where the limits come from when auth_strategy = '
                    'keystone. With noauth the options of this section '
                    'always apply.'),
    cfg.FloatOpt('cache_time', default=10.0, min=0,
                 help='Seconds one API process reuses the limits it read '
                      'from Keystone before it reads them again (0: read '
                      'on every write that adds usage). Heartbeats never '
                      'read limits.'),
] + [cfg.IntOpt(limit.name, default=limit.default, min=limits.UNLIMITED,
                help=limit.help + ' -1: unlimited.')
     for limit in limits.LIMITS]


def register_opts(conf):
    groups.register(conf, GROUP, OPTS)


def list_opts():
    return {GROUP: OPTS}

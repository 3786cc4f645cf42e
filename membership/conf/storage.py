from oslo_config import cfg

from membership.conf import groups

GROUP = cfg.OptGroup('storage', title='Storage options',
                     help='How the storage driver uses the database '
                          '(the connection itself is [database]).')

OPTS = [
    cfg.FloatOpt('timeout', default=10.0, min=0.1,
                 deprecated_opts=[cfg.DeprecatedOpt('storage_timeout',
                                                    group='api')],
                 help='Seconds a request waits for the database (a pooled '
                      'connection, a lock or a reconnect) before it answers '
                      '503 membership.storage_unavailable.'),
    cfg.IntOpt('event_retention', default=3600, min=1,
               deprecated_opts=[cfg.DeprecatedOpt('event_retention',
                                                  group='api')],
               help='Seconds a group event is kept. A watcher asking for '
                    'older revisions gets 410 and must list again.'),
    cfg.IntOpt('sqlite_max_size_mb', default=0, min=0,
               help='Largest size, in MiB, of the SQLite database file '
                    '(0: no cap). Beyond it writes that need room answer '
                    '503, while deletes still succeed and free space. Set '
                    'it below the free space of the filesystem: SQLite '
                    'needs room beside the file (its write-ahead log) for '
                    'every write, deletes included, so a full filesystem '
                    'leaves nothing to recover with.'),
]


def register_opts(conf):
    groups.register(conf, GROUP, OPTS)


def list_opts():
    return {GROUP: OPTS}

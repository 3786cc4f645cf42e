"""[server]: how membership-api serves HTTP (not used under Apache)."""
from oslo_config import cfg

GROUP = cfg.OptGroup('server', title='membership-api HTTP server options')

OPTS = [
    cfg.IntOpt('idle_timeout', default=30, min=1,
               help='Seconds a keep-alive connection may stay idle between '
                    'requests; the next request line and headers must '
                    'arrive in full within it (a client sending its '
                    'headers a byte at a time is closed then). An idle '
                    'connection costs a few kilobytes, not a thread.'),
    cfg.IntOpt('read_timeout', default=20, min=1,
               help='Longest silence, in seconds, while a request body is '
                    'read or a response is written. A body that stops '
                    'short of its Content-Length gets 400 after it.'),
    cfg.IntOpt('graceful_timeout', default=30, min=1,
               help='On SIGTERM, seconds each worker process has to finish '
                    'its in-flight requests after it stops accepting. '
                    'Parked long-polls are answered at once with their '
                    'current result; idle connections are closed.'),
    cfg.IntOpt('max_connections', default=10000, min=1,
               help='Open connections one worker process serves at once '
                    '(idle keep-alive and parked long-polls included). '
                    'membership-api raises its open-file limit to fit.'),
    cfg.IntOpt('backlog', default=2048, min=1,
               help='Connections the kernel queues before they are '
                    'accepted.'),
]


def register_opts(conf):
    conf.register_group(cfg.OptGroup(GROUP.name, title=GROUP.title))
    conf.register_opts(OPTS, group=GROUP.name)


def list_opts():
    return {GROUP: OPTS}

from oslo_config import cfg

from membership.conf import groups

GROUP = cfg.OptGroup('api', title='API options')

OPTS = [
    cfg.HostAddressOpt('host', default='127.0.0.1',
                       help='Address membership-api listens on.'),
    cfg.PortOpt('port', default=9860, help='Port membership-api listens on.'),
    cfg.IntOpt('workers', default=2, min=1,
               help='Worker processes started by membership-api.'),
    cfg.IntOpt('threads', default=32, min=1,
               help='Threads per worker process of membership-api. Each '
                    'request, a waiting long-poll included, holds one. '
                    'It also caps the database connections a process '
                    'pools: under Apache mod_wsgi set it to the '
                    'WSGIDaemonProcess threads.'),
    cfg.StrOpt('public_endpoint',
               help='Base URL used in links (e.g. https://api.example.com/'
                    'membership). When unset, links are built from the '
                    'request (and X-Forwarded-* when proxy header parsing is '
                    'enabled in [oslo_middleware]).'),
    cfg.IntOpt('max_limit', default=1000, min=1,
               help='Largest page a list returns; also the default page '
                    'size.'),
    cfg.IntOpt('max_page_bytes', default=1024 * 1024, min=1,
               help='Most bytes of stored documents (group metadata, '
                    'member capabilities) one page of a list holds. A '
                    'page that would hold more ends early, with a next '
                    'link (always at least one item), so a process never '
                    'holds more than this for one list request.'),
    cfg.IntOpt('default_member_ttl', default=30, min=1,
               help='TTL in seconds of a member or session that gives none.'),
    cfg.IntOpt('max_member_ttl', default=3600, min=1,
               help='Largest TTL in seconds a member or session may ask for.'),
    cfg.IntOpt('max_long_poll_timeout', default=60, min=0, max=3600,
               help='Largest timeout, in seconds, an events request may '
                    'wait, and largest wait of a lock request.'),
    cfg.IntOpt('max_waiters', default=10000, min=0,
               help='Long-poll requests one API process holds at once: '
                    'events requests with a timeout and lock requests '
                    'with a wait, together. Beyond it such a request gets '
                    '503 with Retry-After. Under membership-api a parked '
                    'request is a greenlet (about 40 KB, no database '
                    'connection); under Apache mod_wsgi it holds a thread '
                    'of the long-poll WSGIDaemonProcess group: keep it '
                    'below that group\'s threads.'),
    cfg.FloatOpt('project_waiter_share', default=0.5, min=0.01, max=1.0,
                 help='The fraction of [api] max_waiters one project may '
                      'hold. A project over its share gets 503 with '
                      'Retry-After; the others keep waiting.'),
    cfg.FloatOpt('watch_poll_interval', default=0.025, min=0.005, max=1.0,
                 help='Seconds between the checks one API process makes, '
                      'while it holds long-poll waiters, for changes made '
                      'by other processes (one query for all the groups '
                      'it watches). It bounds the cross-process wake-up '
                      'latency and the delay of expired events.'),
]


def register_opts(conf):
    groups.register(conf, GROUP, OPTS)


def list_opts():
    return {GROUP: OPTS}

"""membership-api: serve the API with gunicorn and gevent workers.

One master process forks ``[api] workers`` worker processes; each one
patches the standard library with gevent (gunicorn's gevent worker does
that, our code patches nothing) and then builds the application from
the same command line (``--config-file``, ``--config-dir``, ``--debug``,
``--log-file`` and the rest reach every worker), so no database
connection or thread crosses a fork. Every connection is a greenlet:
idle keep-alive connections, slow clients and parked long-polls cost
memory, not threads. Why this server, and the measurements behind the
settings: doc/source/admin/server.rst.

SIGTERM stops gracefully (``[server] graceful_timeout``); SIGINT and
SIGQUIT stop at once.
"""
import resource
import sys

from gunicorn.app import base
from oslo_config import cfg

from membership import conf as membership_conf

WORKER = 'membership.server.worker.Worker'
# gunicorn's arbiter halts when a worker exits with this status.
WORKER_BOOT_ERROR = 3
# gunicorn refuses a longer request line; longer URIs get 414.
MAX_REQUEST_LINE = 8190
# Keystone tokens and service catalogs make long headers.
MAX_HEADER_SIZE = 16384
MAX_HEADERS = 100


def settings(conf):
    """gunicorn settings for ``conf`` (a dict of gunicorn setting names)."""
    server = conf.server
    return {
        'bind': [f'{_host(conf.api.host)}:{conf.api.port}'],
        'workers': conf.api.workers,
        'worker_class': WORKER,
        'worker_connections': server.max_connections,
        'keepalive': server.idle_timeout,
        'graceful_timeout': server.graceful_timeout,
        # A worker whose loop is blocked this long is killed and replaced.
        'timeout': 60,
        'backlog': server.backlog,
        'limit_request_line': MAX_REQUEST_LINE,
        'limit_request_fields': MAX_HEADERS,
        'limit_request_field_size': MAX_HEADER_SIZE,
        # X-Forwarded-* are the application's to honour, and only with
        # [oslo_middleware] enable_proxy_headers_parsing.
        'forwarded_allow_ips': '',
        'proxy_allow_ips': '',
        'secure_scheme_headers': {},
        # The API logs each request itself, with its request id.
        'accesslog': None,
        'errorlog': '-',
        'loglevel': 'debug' if conf.debug else 'info',
        'proc_name': 'membership-api',
        'control_socket_disable': True,
    }


def _host(host):
    return f'[{host}]' if ':' in host else host


class Server(base.BaseApplication):

    def __init__(self, conf, args):
        self.conf = conf
        self.args = list(args)
        super().__init__()

    def load_config(self):
        for name, value in settings(self.conf).items():
            self.cfg.set(name, value)

    def load(self):
        # In each worker, after gevent patched the standard library: only
        # now import the application (SQLAlchemy, pecan, threads).
        from membership.api import app
        from membership.api import startup
        from membership.server import worker

        conf = membership_conf.prepare(cfg.ConfigOpts(), self.args)
        try:
            application = app.load_app(conf)
        except startup.StartupError as e:
            # One line for the operator; gunicorn's master stops on this
            # exit status (a worker that cannot boot) instead of
            # respawning it.
            print(f'membership-api: error: {e}', file=sys.stderr,
                  flush=True)
            sys.exit(WORKER_BOOT_ERROR)
        return worker.ReadTimeout(application, conf.server.read_timeout)


def raise_open_files(wanted):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    conf = membership_conf.prepare(cfg.ConfigOpts(), args)
    # Each connection is a file descriptor; the database and logs need a
    # few more.
    files = raise_open_files(conf.server.max_connections + 256)
    print(f'membership-api listening on http://{conf.api.host}:'
          f'{conf.api.port}/ ({conf.api.workers} gevent worker processes, '
          f'up to {conf.server.max_connections} connections each, open '
          f'files {files}, auth_strategy = {conf.auth_strategy})',
          flush=True)
    Server(conf, args).run()

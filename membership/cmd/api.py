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

What keeps the service from starting (a bad option value, an address it
cannot listen on, a state_path it cannot write, and, found by the
workers as they build the application, a database URL, policy file,
schema or Keystone section that cannot serve) ends the process with a
non-zero status and one line on stderr, ``membership-api: error: ...``.
gunicorn's own lines go with the service's logs (``--log-file``, stdout
or syslog, as oslo.log is configured), never to stderr.
"""
import logging
import os
import resource
import socket
import sys

from gunicorn.app import base
from gunicorn import arbiter
from gunicorn import errors
from gunicorn import glogging
from oslo_config import cfg

from membership.api import startup
from membership import conf as membership_conf

LOG = logging.getLogger(__name__)

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
        'errorlog': None,
        'logger_class': Logger,
        'loglevel': 'debug' if conf.debug else 'info',
        'proc_name': 'membership-api',
        'control_socket_disable': True,
    }


def _host(host):
    return f'[{host}]' if ':' in host else host


class Logger(glogging.Logger):
    """gunicorn's lines go to the handlers oslo.log set up, in its format."""

    def setup(self, cfg):
        super().setup(cfg)
        self.error_log.propagate = True


def check_listen(host, port):
    """Bind ``host``:``port`` once, as gunicorn will, and let it go: gunicorn
    would retry a failed bind for five seconds and log each attempt.
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as e:
        raise startup.StartupError(
            f'[api] host {host} does not resolve: '
            f'{e.strerror}.') from None
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as e:
            raise startup.StartupError(
                f'Cannot listen on {host} port {port} ([api] host and '
                f'port): {e.strerror}.') from None


class Arbiter(arbiter.Arbiter):
    """gunicorn's master, halting once when every worker fails to boot.

    The first worker that exits with the boot-error status halts the
    master; when another exits alike while the master stops its workers,
    gunicorn would raise that halt again from inside the first one, out
    of its own handling (a traceback, and no ``on_exit``).
    """

    _stopping = False

    def stop(self, graceful=True):
        self._stopping = True
        super().stop(graceful)

    def reap_workers(self):
        try:
            super().reap_workers()
        except errors.HaltServer:
            if not self._stopping:
                raise


class BootErrors:
    """A pipe from the workers to the master: a worker that cannot build
    the application writes why, the master prints the first reason once
    (each worker fails alike).
    """

    def __init__(self):
        self._read, self._write = os.pipe()
        os.set_blocking(self._read, False)

    def report(self, reason):
        # One write under PIPE_BUF bytes: never interleaved with another.
        os.write(self._write, (reason[:500] + '\n').encode())

    def first(self):
        try:
            reasons = os.read(self._read, 65536).decode(errors='replace')
        except BlockingIOError:
            return None
        return reasons.split('\n', 1)[0] or None


class Server(base.BaseApplication):

    def __init__(self, conf, args):
        self.conf = conf
        self.args = list(args)
        self.boot_errors = BootErrors()
        super().__init__()

    def run(self):
        Arbiter(self).run()

    def load_config(self):
        for name, value in settings(self.conf).items():
            self.cfg.set(name, value)
        self.cfg.set('on_exit', self.on_exit)

    def on_exit(self, arbiter):
        reason = self.boot_errors.first()
        if reason:
            print(f'membership-api: error: {reason}', file=sys.stderr,
                  flush=True)

    def load(self):
        # In each worker, after gevent patched the standard library: only
        # now import the application (SQLAlchemy, pecan, threads).
        from membership.api import app
        from membership.server import worker

        conf = membership_conf.prepare(cfg.ConfigOpts(), self.args)
        try:
            application = app.load_app(conf)
        except startup.StartupError as e:
            reason = str(e)
        else:
            return worker.ReadTimeout(application, conf.server.read_timeout)
        # Outside the except block: oslo.log would append the exception.
        LOG.error('membership-api cannot start: %s', reason)
        self.boot_errors.report(reason)
        # gunicorn's master stops on this exit status (a worker that
        # cannot boot) instead of respawning it.
        sys.exit(WORKER_BOOT_ERROR)


def raise_open_files(wanted):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def checked_conf(args):
    """The configuration of ``args``, once what the master can check
    without the application holds; else StartupError.
    """
    try:
        with startup.configuration_errors():
            conf = membership_conf.prepare(cfg.ConfigOpts(), args)
            startup.check_options(conf)
    except OSError as e:  # oslo.log cannot open the log file
        raise startup.StartupError(
            f'Cannot open {e.filename}: {e.strerror}.') from None
    startup.check_state_path(conf)
    check_listen(conf.api.host, conf.api.port)
    return conf


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    try:
        conf = checked_conf(args)
    except startup.StartupError as e:
        sys.exit(f'membership-api: error: {e}')
    # Each connection is a file descriptor; the database and logs need a
    # few more.
    files = raise_open_files(conf.server.max_connections + 256)
    print(f'membership-api listening on http://{conf.api.host}:'
          f'{conf.api.port}/ ({conf.api.workers} gevent worker processes, '
          f'up to {conf.server.max_connections} connections each, open '
          f'files {files}, auth_strategy = {conf.auth_strategy})',
          flush=True)
    Server(conf, args).run()

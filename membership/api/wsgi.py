"""WSGI entry point for mod_wsgi, uWSGI and other WSGI servers.

The config file comes from ``MEMBERSHIP_CONFIG_FILE`` (several may be
given, separated by ``:``), default ``/etc/membership/membership.conf``.
When the variable is in the process environment (uWSGI's ``--env``,
Apache's envvars), the application is built when this module is
imported; otherwise (mod_wsgi's ``SetEnv`` reaches only the request's
environ) it is built on the first request, from the ``SetEnv`` value or
the default. Either way it is built once per process.

Under mod_wsgi the daemon process's shutdown (Apache's stop or graceful
restart, a daemon restart) starts draining: parked long-polls answer at
once with what they have instead of being cut by the kill that follows.

When the configuration or the database cannot serve
(``startup.StartupError``), the reason is logged as one CRITICAL line:
built at import, the process exits (the server reports a failed start);
built on a request, the request gets 503 and the next one tries again
(say, once ``membership-manage db sync`` ran).
"""
import logging
import os
import sys
import threading

from oslo_config import cfg

from membership.api import app
from membership.api import errors
from membership.api import startup
from membership import conf as membership_conf
from membership.server import draining

LOG = logging.getLogger(__name__)
CONFIG_ENV = 'MEMBERSHIP_CONFIG_FILE'
DEFAULT_CONFIG_FILE = '/etc/membership/membership.conf'


def config_files(value=None):
    value = value or os.environ.get(CONFIG_ENV)
    if value:
        return [path for path in value.split(os.pathsep) if path]
    return [DEFAULT_CONFIG_FILE] if os.path.exists(DEFAULT_CONFIG_FILE) \
        else []


def build(files):
    """The application of ``files``, or StartupError."""
    with startup.configuration_errors():
        conf = membership_conf.prepare(cfg.ConfigOpts(), args=[],
                                       default_config_files=files)
    return app.load_app(conf)


class _Application:
    """The API, built now or on the first request."""

    def __init__(self):
        self._lock = threading.Lock()
        self._app = None
        if os.environ.get(CONFIG_ENV):
            if not self._build(config_files()):
                raise SystemExit(1)

    def _build(self, files):
        try:
            self._app = build(files)
            return True
        except startup.StartupError as e:
            error = str(e)
        # Outside the except block: oslo.log would append the exception.
        LOG.critical('membership cannot start: %s', error)
        return False

    def __call__(self, environ, start_response):
        if self._app is None:
            with self._lock:
                if self._app is None and not self._build(
                        config_files(environ.get(CONFIG_ENV))):
                    return errors.respond(
                        environ, start_response, 503, errors.GENERIC,
                        'The service cannot start; its log says why.')
        return self._app(environ, start_response)


def drain_on_mod_wsgi_shutdown():
    """Start draining when mod_wsgi stops this process.

    mod_wsgi puts its own ``mod_wsgi`` module in ``sys.modules``; its
    ``process_stopping`` event comes before the daemon waits for the
    requests in flight. Elsewhere (or the PyPI package of the same name,
    imported outside Apache) there is no ``subscribe_shutdown``.
    """
    subscribe = getattr(sys.modules.get('mod_wsgi'), 'subscribe_shutdown',
                        None)
    if subscribe is None:
        return False
    subscribe(_stopping)
    return True


def _stopping(name, shutdown_reason='', **event):
    LOG.info('mod_wsgi stops this process (%s): draining',
             shutdown_reason or name)
    draining.start()


drain_on_mod_wsgi_shutdown()
application = _Application()

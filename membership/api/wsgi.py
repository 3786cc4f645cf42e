"""WSGI entry point for mod_wsgi, uwsgi and other WSGI servers.

The config file comes from ``MEMBERSHIP_CONFIG_FILE`` (several may be
given, separated by ``:``; default ``/etc/membership/membership.conf``).
The application is built once per process, on import.
"""
import os

from oslo_config import cfg

from membership.api import app
from membership import conf as membership_conf

CONFIG_ENV = 'MEMBERSHIP_CONFIG_FILE'
DEFAULT_CONFIG_FILE = '/etc/membership/membership.conf'


def config_files():
    value = os.environ.get(CONFIG_ENV)
    if value:
        return [path for path in value.split(os.pathsep) if path]
    return [DEFAULT_CONFIG_FILE] if os.path.exists(DEFAULT_CONFIG_FILE) \
        else []


def build():
    conf = membership_conf.prepare(cfg.ConfigOpts(), args=[],
                                   default_config_files=config_files())
    return app.load_app(conf)


application = build()

"""Configuration options, one module per option group.

``CONF`` is never a module global here: every entry point builds its own
``cfg.ConfigOpts`` and calls :func:`register_opts` on it, so tests and
several apps in one process never share state.
"""
import logging

from oslo_db import options as db_options
from oslo_log import log

from membership.conf import api
from membership.conf import default
from membership.conf import quota
from membership.conf import server
from membership.conf import storage
from membership import logcontext
from membership import logformat


def register_opts(conf):
    default.register_opts(conf)
    api.register_opts(conf)
    server.register_opts(conf)
    storage.register_opts(conf)
    quota.register_opts(conf)
    db_options.set_defaults(conf)
    log.register_options(conf)


def prepare(conf, args=None, default_config_files=None):
    """Register every option, parse ``args`` and set up oslo.log."""
    register_opts(conf)
    conf(args if args is not None else [], project='membership',
         default_config_files=default_config_files)
    log.setup(conf, 'membership')
    logformat.install(logging.getLogger().handlers)
    logcontext.install()
    return conf

"""Build the WSGI application: the paste pipeline around the pecan app.

paste-deploy hands factories strings only, so :func:`load_app` parks the
process's objects (config, storage, policy enforcer) under a random key
that it passes as ``global_conf['configkey']``; every factory below looks
them up there. This is the one place where that happens.
"""
import logging
import os
import sys
import uuid

from oslo_utils import importutils
from paste import deploy

from membership.api.middleware import authtoken
from membership.api import routing
from membership.api import startup
from membership import policy
from membership.quota import enforcers
from membership import storage
from membership import watch

LOG = logging.getLogger(__name__)

_SERVICES = {}
ETC = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), 'etc', 'membership')


class Services:
    """What one process builds once and every request shares."""

    def __init__(self, conf, storage_=None):
        self.conf = conf
        with startup.configuration_errors():
            # A process never needs more connections than it has threads.
            self.storage = storage_ or storage.get_storage(
                conf, max_connections=conf.api.threads,
                quota=enforcers.for_conf(conf))
            with startup.policy_file_errors():
                self.enforcer = policy.Authorizer(conf)
        self.watcher = watch.Watcher(self.storage,
                                     conf.api.watch_poll_interval,
                                     conf.api.max_waiters,
                                     conf.api.project_waiter_share)


def paste_config_path(conf):
    path = conf.api_paste_config
    if os.path.isabs(path):
        return path
    found = conf.find_file(path)
    if found:
        return os.path.abspath(found)
    # The source tree's etc/, then where pip's data_files put it, then
    # the system's.
    for candidate in (os.path.join(ETC, path),
                      os.path.join(sys.prefix, 'etc', 'membership', path),
                      os.path.join('/etc/membership', path)):
        if os.path.exists(candidate):
            return candidate
    raise startup.StartupError(f'Cannot find the paste config {path!r} '
                               '([DEFAULT] api_paste_config).')


def load_app(conf, services=None):
    """The whole pipeline for ``conf``'s auth strategy.

    Raises ``startup.StartupError`` (one line: what to fix) when the
    configuration or the database cannot serve.
    """
    with startup.configuration_errors():
        startup.check_options(conf)
        strategy = conf.auth_strategy
        if services is not None:
            return _pipeline(conf, strategy, services)
        startup.check_state_path(conf)
        if LOG.isEnabledFor(logging.DEBUG):
            conf.log_opt_values(LOG, logging.DEBUG)
        services = Services(conf)
    try:
        return _pipeline(conf, strategy, services)
    except BaseException:
        services.storage.dispose()  # no pool left behind by a failed start
        raise


def _pipeline(conf, strategy, services):
    with startup.configuration_errors():
        startup.check_database(services)
        startup.warn_missing_policy_file(conf)
        if strategy == 'noauth':
            LOG.warning('auth_strategy = noauth: callers are trusted on '
                        'their X-Project-Id/X-Roles headers. Never use it '
                        'in production.')
        key = str(uuid.uuid4())
        _SERVICES[key] = services
        try:
            application = deploy.loadapp(
                'config:' + paste_config_path(conf),
                name='membership+' + strategy,
                global_conf={'configkey': key})
            if strategy == 'keystone':
                _check_keystone_authtoken(conf)
        except BaseException:
            del _SERVICES[key]
            raise
    return application


def _check_keystone_authtoken(conf):
    """Refuse to start half configured: auth_token would fail each
    request without a token instead of answering 401.
    """
    section = conf.keystone_authtoken
    missing = [name for name in ('www_authenticate_uri', 'auth_type')
               if not getattr(section, name, None)]
    if missing:
        raise startup.StartupError(
            'auth_strategy = keystone needs [keystone_authtoken] %s (see '
            'etc/membership/membership.conf.sample), or use '
            'auth_strategy = noauth for development.' % ', '.join(missing))


def setup_app(services):
    from membership.api.controllers import root
    return routing.App(root.RootController(), services)


def _services(global_conf):
    return _SERVICES[global_conf['configkey']]


def services_of(paste_conf):
    """The Services of the pipeline whose paste configuration (global
    and local, as oslo.middleware's app factories merge them) this is.
    """
    return _services(paste_conf)


def app_factory(global_conf, **local_conf):
    return setup_app(_services(global_conf))


def oslo_filter_factory(global_conf, middleware, **local_conf):
    """An oslo.middleware filter configured from the service's config."""
    cls = importutils.import_class(middleware.replace(':', '.'))
    conf = _services(global_conf).conf
    return lambda app: cls(app, conf)


def authtoken_filter_factory(global_conf, **local_conf):
    """keystonemiddleware auth_token on the service's config.

    ``delay_auth_decision`` lets version discovery through without a
    token; every other route answers 401 itself (with the
    ``WWW-Authenticate`` header auth_token adds to any 401), or 503 when
    Keystone could not be asked (``middleware.authtoken``).
    """
    conf = dict(local_conf, oslo_config_config=_services(global_conf).conf)
    return lambda app: authtoken.AuthProtocol(app, conf)

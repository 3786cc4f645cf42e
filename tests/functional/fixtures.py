"""gabbi fixtures: the API in-process over a fresh database per YAML file.

Every YAML file runs as its own project (``$ENVIRON['PROJECT']``), so the
same files also run against a live server (``MEMBERSHIP_TEST_URL``:
Apache, several processes, another database) without seeing each other.
"""
import os
import tempfile
import uuid
import warnings

import fixtures
from gabbi import fixture
from oslo_config import cfg

from membership.api import app
from membership import conf as membership_conf
from membership.storage.sqlalchemy import migration
from tests import dbserver
from tests.functional import proxy

# Set by the running fixture; the intercept reads it on each request,
# since gabbi builds the intercepted app before fixtures start.
_CURRENT = {}


def live_url(variable='MEMBERSHIP_TEST_URL'):
    return os.environ.get(variable)


class LazyApp:
    """The app of the running fixture; fails the run on any 500."""

    def __call__(self, environ, start_response):
        def _start_response(status, headers, exc_info=None):
            if status.startswith('500'):
                _CURRENT['server_errors'].append(
                    environ['REQUEST_METHOD'] + ' ' + environ['PATH_INFO'])
            return start_response(status, headers, exc_info)
        return _CURRENT['app'](environ, _start_response)


def setup_app():
    return LazyApp()


def make_conf(state_path, **overrides):
    conf = cfg.ConfigOpts()
    membership_conf.register_opts(conf)
    conf([], project='membership', default_config_files=[])
    conf.set_override('auth_strategy', 'noauth')
    conf.set_override('state_path', state_path)
    for group, values in overrides.items():
        for name, value in values.items():
            conf.set_override(name, value, group=group)
    return conf


def synced_conf(test, **overrides):
    """The configuration of a fresh, migrated database for ``test``:
    SQLite in a temporary directory, or a database of its own on
    ``MEMBERSHIP_TEST_DB_URL``'s server (dropped at cleanup).
    """
    state_path = test.useFixture(fixtures.TempDir()).path
    database = dbserver.fresh_database()
    if database:
        test.addCleanup(database.drop)
        overrides = dict(overrides, database={'connection': database.url})
    conf = make_conf(state_path, **overrides)
    migration.upgrade(conf)
    return conf


class APIFixture(fixture.GabbiFixture):
    """noauth API over SQLite (or ``MEMBERSHIP_TEST_DB_URL``), or the
    live server named by ``live_variable``, reached through a proxy.
    """

    overrides = {}
    live_variable = 'MEMBERSHIP_TEST_URL'

    def start_fixture(self):
        warnings.filterwarnings('ignore', message="'cgi' is deprecated")
        os.environ['PROJECT'] = uuid.uuid4().hex
        os.environ['OTHER_PROJECT'] = uuid.uuid4().hex
        _CURRENT['server_errors'] = []
        if live_url():
            url = live_url(self.live_variable)
            if not url:
                raise RuntimeError(f'{self.live_variable} is not set')
            _CURRENT['app'] = proxy.Proxy(url)
            return
        self.tmp = tempfile.TemporaryDirectory(prefix='membership-gabbi-')
        overrides = dict(self.overrides)
        self.database = dbserver.fresh_database()
        if self.database:
            overrides.setdefault('database', {})['connection'] = \
                self.database.url
        self.conf = make_conf(self.tmp.name, **overrides)
        migration.upgrade(self.conf)
        self.services = app.Services(self.conf)
        _CURRENT['app'] = app.load_app(self.conf, self.services)

    def stop_fixture(self):
        errors = _CURRENT.pop('server_errors')
        _CURRENT.pop('app')
        if errors:
            raise AssertionError('500 answered to: ' + ', '.join(errors))
        if live_url():
            return
        self.services.storage.dispose()
        if self.database:
            self.database.drop()
        self.tmp.cleanup()


class ShortLimitsFixture(APIFixture):
    """Small limits, so lists paginate and ttl bounds are easy to hit."""

    overrides = {'api': {'max_limit': 3, 'max_member_ttl': 100,
                         'default_member_ttl': 30}}
    live_variable = 'MEMBERSHIP_TEST_URL_SHORT'


class RetentionFixture(APIFixture):
    """Events kept 1 s, so a watcher's old revision gets 410 soon."""

    overrides = {'storage': {'event_retention': 1}}
    live_variable = 'MEMBERSHIP_TEST_URL_RETENTION'


class QuotaFixture(APIFixture):
    """Small [quota] limits (noauth: the options are the limits)."""

    overrides = {'quota': {'groups': 3, 'members_per_group': 2,
                           'sessions': 2, 'stored_bytes': 64}}
    live_variable = 'MEMBERSHIP_TEST_URL_QUOTA'


class PageBytesFixture(APIFixture):
    """Pages of at most 100 bytes of metadata or capabilities."""

    overrides = {'api': {'max_page_bytes': 100}}
    live_variable = 'MEMBERSHIP_TEST_URL_PAGE_BYTES'

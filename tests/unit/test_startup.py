"""Operator errors stop the app from being built, in one line.

Each test writes a configuration file and builds the application from it
(``app.load_app``, as every entry point does); what cannot serve raises
StartupError, whose message is the one line the entry points print. The
WSGI entry point's own tests log to a file (oslo.log's setup replaces
the test's log capture).
"""
import logging
import os

import fixtures
import sqlalchemy as sa
import testtools
import webob

from oslo_config import cfg

from membership.api import app
from membership.api import startup
from membership.api import wsgi
from membership import conf as membership_conf
from membership.storage.sqlalchemy import engine
from membership.storage.sqlalchemy import migration
from tests import apiservers
from tests import dbserver

HINT = 'membership-manage db sync'
LINE = '%(levelname)s %(name)s %(message)s'


def conf_of(files):
    """The configuration of ``files``, without oslo.log's setup."""
    conf = cfg.ConfigOpts()
    membership_conf.register_opts(conf)
    conf([], project='membership', default_config_files=files)
    return conf


def build(files):
    with startup.configuration_errors():
        conf = conf_of(files)
    return app.load_app(conf)


class StartupTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.log = self.useFixture(fixtures.FakeLogger(
            level=logging.INFO, format='%(levelname)s %(name)s %(message)s'))

    def config(self, text='', sync=True, server=False):
        """``server``: on MEMBERSHIP_TEST_DB_URL's server, if set."""
        database = dbserver.fresh_database() if server else None
        if database:
            self.addCleanup(database.drop)
            text += f'[database]\nconnection = {database.url}\n'
        path = os.path.join(self.tmp, 'membership.conf')
        with open(path, 'w') as f:
            f.write(f'[DEFAULT]\nauth_strategy = noauth\n'
                    f'state_path = {self.tmp}\n{text}')
        if sync:
            migration.upgrade(conf_of([path]))
        return [path]

    def refused(self, files):
        error = self.assertRaises(startup.StartupError, build, files)
        message = str(error)
        self.assertNotIn('\n', message)
        self.assertNotIn('Traceback', self.log.output)
        return message

    def test_a_database_never_synced(self):
        message = self.refused(self.config(sync=False, server=True))
        self.assertIn('no membership schema', message)
        self.assertIn(HINT, message)

    def test_a_schema_newer_than_the_code(self):
        files = self.config(server=True)
        db = engine.create_engine(conf_of(files))
        with db.begin() as conn:
            conn.execute(sa.text("UPDATE alembic_version "
                                 "SET version_num = '0099_future'"))
        db.dispose()
        message = self.refused(files)
        self.assertIn('0099_future, newer than this code', message)
        self.assertIn(HINT, message)

    def test_an_unknown_auth_strategy(self):
        message = self.refused(self.config(
            '[DEFAULT]\nauth_strategy = kerberos\n', sync=False))
        self.assertIn("auth_strategy", message)
        self.assertIn("'kerberos'", message)

    def test_a_bad_database_url_never_shows_its_password(self):
        for url in ('not a url', 'nosuchdb://user:s3cret@host/db',
                    'mysql+nodriver://user:s3cret@host/db'):
            message = self.refused(self.config(
                f'[database]\nconnection = {url}\n', sync=False))
            self.assertIn('[database] connection', message)
            self.assertNotIn('s3cret', message)

    def test_a_bad_option_value(self):
        message = self.refused(self.config('[api]\nthreads = -1\n',
                                           sync=False))
        self.assertIn('threads', message)

    def test_keystone_without_its_authtoken_section(self):
        message = self.refused(self.config(
            '[DEFAULT]\nauth_strategy = keystone\n'))
        self.assertIn('[keystone_authtoken] www_authenticate_uri', message)

    def test_a_policy_file_that_is_not_yaml(self):
        policy = os.path.join(self.tmp, 'policy.yaml')
        for text in ('"membership:groups:get": [\n', 'just words\n'):
            with open(policy, 'w') as f:
                f.write(text)
            message = self.refused(self.config(
                f'[oslo_policy]\npolicy_file = {policy}\n'))
            self.assertIn('policy_file', message)

    def test_a_configured_policy_file_that_is_missing_is_a_warning(self):
        missing = os.path.join(self.tmp, 'nowhere', 'policy.yaml')
        build(self.config(f'[oslo_policy]\npolicy_file = {missing}\n'))
        self.assertIn(f'WARNING membership.api.startup [oslo_policy] '
                      f'policy_file {missing} does not exist',
                      self.log.output)

    def test_the_default_policy_file_missing_is_no_warning(self):
        build(self.config())
        self.assertNotIn('policy_file', self.log.output)

    def test_an_unreachable_database_still_starts(self):
        url = ('postgresql+psycopg2://membership:secret@127.0.0.1:'
               f'{apiservers.free_port()}/membership')
        application = build(self.config(
            f'[database]\nconnection = {url}\n[storage]\ntimeout = 1\n',
            sync=False))
        self.assertIn('schema could not be checked', self.log.output)
        response = webob.Request.blank('/healthcheck').get_response(
            application)
        self.assertEqual(503, response.status_int)
        self.assertIn(b'database is unavailable', response.body)


class HealthcheckTest(testtools.TestCase):

    def test_a_database_that_answers_is_healthy(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        path = os.path.join(tmp, 'membership.conf')
        with open(path, 'w') as f:
            f.write(f'[DEFAULT]\nauth_strategy = noauth\nstate_path = {tmp}\n')
        migration.upgrade(conf_of([path]))
        response = webob.Request.blank('/healthcheck').get_response(
            build([path]))
        self.assertEqual(200, response.status_int)
        self.assertIn(b'database answers', response.body)


class WSGIEntryPointTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        tmp = self.useFixture(fixtures.TempDir()).path
        self.path = os.path.join(tmp, 'membership.conf')
        self.log = os.path.join(tmp, 'membership.log')
        with open(self.path, 'w') as f:
            f.write(f'[DEFAULT]\nauth_strategy = noauth\nstate_path = {tmp}\n'
                    f'log_file = {self.log}\n'
                    # With or without an earlier test's request context.
                    f'logging_default_format_string = {LINE}\n'
                    f'logging_context_format_string = {LINE}\n')
        self.addCleanup(logging.getLogger().handlers.clear)

    def logged(self):
        with open(self.log) as f:
            return f.read()

    def test_built_at_import_it_exits_with_one_critical_line(self):
        self.useFixture(fixtures.EnvironmentVariable(wsgi.CONFIG_ENV,
                                                     self.path))
        self.assertRaises(SystemExit, wsgi._Application)
        critical = [line for line in self.logged().splitlines()
                    if line.startswith('CRITICAL')]
        self.assertEqual(['CRITICAL membership.api.wsgi membership cannot '
                          'start: The database has no membership schema: '
                          'run "membership-manage db sync" first.'],
                         critical)
        self.assertNotIn('Traceback', self.logged())

    def test_built_on_a_request_it_answers_503_until_synced(self):
        self.useFixture(fixtures.EnvironmentVariable(wsgi.CONFIG_ENV))
        application = wsgi._Application()
        request = webob.Request.blank('/', environ={
            wsgi.CONFIG_ENV: self.path})
        self.assertEqual(503, request.get_response(application).status_int)
        self.assertIn('CRITICAL membership.api.wsgi membership cannot start',
                      self.logged())
        migration.upgrade(conf_of([self.path]))
        self.assertEqual(200, request.get_response(application).status_int)

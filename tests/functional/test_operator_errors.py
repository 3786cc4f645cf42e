"""The real ``membership-api`` command: its command line reaches the
workers, and what keeps it from serving ends it with a non-zero status
and exactly one line on stderr, ``membership-api: error: ...``.

Errors the master finds (option values, the address, state_path, the log
file) stop it before gunicorn starts: nothing on stdout, so no bind is
retried. Errors the workers find as they build the application (the
database, the policy file, Keystone's section) stop the master after
its workers; in-process versions of those checks: tests/unit/
test_startup.py.
"""
import os
import re
import signal
import socket
import subprocess
import tempfile

import fixtures
import requests
import sqlalchemy as sa
import testtools

from tests import apiservers
from tests import dbserver

COMMAND = os.path.join(apiservers.BIN, 'membership-api')
MANAGE = os.path.join(apiservers.BIN, 'membership-manage')
ERROR = 'membership-api: error: '
HINT = 'membership-manage db sync'
# A bound on a hung start only; each case takes a few seconds.
TIMEOUT = 60
# oslo.log's default format: date time pid level logger ...
LINE = re.compile(r'^\S+ \S+ (?P<pid>\d+) (?P<level>[A-Z]+) ')


def sync(config):
    subprocess.run([MANAGE, '--config-file', config, 'db', 'sync'],
                   check=True, capture_output=True)


def unwritable_directory(tmp):
    """A directory this process cannot create files in. root ignores
    modes, but nobody creates files in sysfs.
    """
    if os.geteuid() == 0:
        return '/sys'
    path = os.path.join(tmp, 'read-only')
    os.mkdir(path, 0o500)
    return path


class OperatorErrorsTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = tempfile.mkdtemp(prefix='membership-operator-')
        self.addCleanup(subprocess.run, ['rm', '-rf', self.tmp])
        self.database = None

    def config(self, text='', sync_schema=True, server=False, workers=1):
        """A configuration file that serves, plus ``text``; ``server``:
        on MEMBERSHIP_TEST_DB_URL's server, if set.
        """
        database = dbserver.fresh_database() if server else None
        if database:
            self.addCleanup(database.drop)
            url = database.url
        else:
            url = 'sqlite:///' + os.path.join(self.tmp, 'membership.sqlite')
        self.database = url
        path = os.path.join(self.tmp, 'membership.conf')
        with open(path, 'w') as f:
            f.write(f'[DEFAULT]\nauth_strategy = noauth\n'
                    f'state_path = {self.tmp}\n'
                    f'[database]\nconnection = {url}\n'
                    f'[api]\nport = {apiservers.free_port()}\n'
                    f'workers = {workers}\n{text}\n')
        if sync_schema:
            sync(path)
        return path

    def refused(self, config, *args):
        """Run the command to its end; its one stderr line, checked."""
        result = subprocess.run([COMMAND, '--config-file', config, *args],
                                capture_output=True, text=True,
                                stdin=subprocess.DEVNULL, timeout=TIMEOUT)
        everything = result.stdout + result.stderr
        self.assertNotEqual(0, result.returncode, everything)
        lines = result.stderr.splitlines()
        self.assertEqual(1, len(lines), everything)
        self.assertTrue(lines[0].startswith(ERROR), lines[0])
        self.assertNotIn('Traceback', everything)
        self.assertNotIn('CRITICAL', everything)
        self.stdout = result.stdout
        return lines[0][len(ERROR):]

    def refused_by_master(self, config, *args):
        message = self.refused(config, *args)
        # Refused before gunicorn started: no banner, no bind attempt.
        self.assertEqual('', self.stdout)
        return message

    def refused_by_workers(self, config):
        message = self.refused(config)
        self.assertIn('Booting worker', self.stdout)
        # The log says why, too.
        self.assertIn('membership-api cannot start: ' + message,
                      self.stdout)
        return message

    def test_a_port_out_of_range_or_not_a_number(self):
        for port, reason in (('70000', 'less than or equal to 65535'),
                             ('-1', 'greater than or equal to 0'),
                             ('abc', "'abc'")):
            message = self.refused_by_master(self.config(
                f'[api]\nport = {port}\n', sync_schema=False))
            self.assertIn('[api] port is not valid', message)
            self.assertIn(reason, message)

    def test_a_port_in_use(self):
        with socket.socket() as taken:
            taken.bind(('127.0.0.1', 0))
            taken.listen()
            port = taken.getsockname()[1]
            message = self.refused_by_master(self.config(
                f'[api]\nport = {port}\n', sync_schema=False))
        self.assertEqual(f'Cannot listen on 127.0.0.1 port {port} ([api] '
                         f'host and port): Address already in use.',
                         message)

    def test_a_bad_host(self):
        message = self.refused_by_master(self.config(
            '[api]\nhost = 999.1.1.1\n', sync_schema=False))
        self.assertIn('[api] host is not valid: 999.1.1.1', message)
        message = self.refused_by_master(self.config(
            '[api]\nhost = no-such-host.invalid\n', sync_schema=False))
        self.assertIn('[api] host no-such-host.invalid does not resolve',
                      message)

    def test_an_unknown_auth_strategy(self):
        message = self.refused_by_master(self.config(
            '[DEFAULT]\nauth_strategy = kerberos\n', sync_schema=False))
        self.assertIn("[DEFAULT] auth_strategy is not valid", message)
        self.assertIn("'kerberos'", message)

    def test_a_state_path_missing_or_not_writable(self):
        missing = os.path.join(self.tmp, 'nowhere')
        for path, reason in ((missing, 'is not a directory'),
                             (unwritable_directory(self.tmp),
                              'is not writable')):
            # No [database] connection: SQLite in state_path.
            message = self.refused_by_master(self.config(
                f'[DEFAULT]\nstate_path = {path}\n'
                f'[database]\nconnection =\n', sync_schema=False))
            self.assertIn(f'[DEFAULT] state_path {path} {reason}', message)

    def test_a_log_file_that_cannot_be_opened(self):
        log = os.path.join(self.tmp, 'nowhere', 'api.log')
        message = self.refused_by_master(
            self.config(sync_schema=False), '--log-file', log)
        self.assertEqual(f'Cannot open {log}: No such file or directory.',
                         message)

    def test_a_database_never_synced_with_two_workers(self):
        # Both workers fail alike; the master says it once.
        message = self.refused_by_workers(self.config(
            sync_schema=False, server=True, workers=2))
        self.assertIn('no membership schema', message)
        self.assertIn(HINT, message)

    def test_a_schema_newer_than_the_code(self):
        config = self.config(server=True)
        db = sa.create_engine(self.database)
        with db.begin() as conn:
            conn.execute(sa.text("UPDATE alembic_version "
                                 "SET version_num = '0099_future'"))
        db.dispose()
        message = self.refused_by_workers(config)
        self.assertIn('0099_future, newer than this code', message)
        self.assertIn(HINT, message)

    def test_a_database_url_that_cannot_be_parsed(self):
        message = self.refused_by_workers(self.config(
            '[database]\nconnection = not a url://user:s3cret@x\n',
            sync_schema=False))
        self.assertIn('[database] connection is not a database URL',
                      message)
        self.assertNotIn('s3cret', self.stdout + message)

    def test_a_policy_file_that_is_not_yaml(self):
        policy = os.path.join(self.tmp, 'policy.yaml')
        with open(policy, 'w') as f:
            f.write('"membership:groups:get": [\n')
        message = self.refused_by_workers(self.config(
            f'[oslo_policy]\npolicy_file = {policy}\n'))
        self.assertIn('[oslo_policy] policy_file is not a YAML', message)

    def test_keystone_without_its_authtoken_section(self):
        message = self.refused_by_workers(self.config(
            '[DEFAULT]\nauth_strategy = keystone\n'))
        self.assertIn('auth_strategy = keystone needs [keystone_authtoken] '
                      'www_authenticate_uri', message)


class CommandLineReachesWorkersTest(testtools.TestCase):
    """``--debug --log-file F --config-dir D``: the workers log to F, at
    DEBUG, with the auth_strategy of D's files.
    """

    def serve(self, *options):
        tmp = self.useFixture(fixtures.TempDir()).path
        log_file = os.path.join(tmp, 'membership-api.log')
        server = apiservers.ApiServer(
            tmp, 'sqlite:///' + os.path.join(tmp, 'membership.sqlite'),
            args=[*options, '--log-file', log_file, '--config-dir', tmp])
        sync(server.config)
        server.start()
        self.addCleanup(server.stop)
        # noauth trusts X-Project-Id (keystone mode would answer 401).
        response = requests.get(server.url + '/v1/groups',
                                headers={'X-Project-Id': 'p1'}, timeout=10)
        self.assertEqual(200, response.status_code)
        # Stopped, so the log is complete.
        os.killpg(server.process.pid, signal.SIGTERM)
        server.process.wait(timeout=30)
        with open(log_file) as f:
            lines = f.read().splitlines()
        request_id = response.headers['X-OpenStack-Request-Id']
        logged = [line for line in lines
                  if request_id in line and '"GET /v1/groups"' in line]
        self.assertEqual(1, len(logged), lines)
        worker = LINE.match(logged[0]).group('pid')
        self.assertNotEqual(str(server.process.pid), worker)
        with open(server.log) as f:
            banner = f.read()
        self.assertIn('auth_strategy = noauth', banner)
        return lines, worker

    @staticmethod
    def of(lines, worker, level):
        return [line for line in lines if (m := LINE.match(line))
                and m.group('pid') == worker and m.group('level') == level]

    def test_debug_log_file_and_config_dir_reach_the_workers(self):
        lines, worker = self.serve('--debug')
        # The worker logs its options at DEBUG: those of the config dir.
        self.assertTrue(any(re.search(r'auth_strategy +\= noauth', line)
                            for line in self.of(lines, worker, 'DEBUG')),
                        lines)

    def test_without_debug_no_debug_lines(self):
        lines, worker = self.serve()
        self.assertEqual([], [line for line in lines
                              if (m := LINE.match(line))
                              and m.group('level') == 'DEBUG'])
        self.assertTrue(any('auth_strategy = noauth' in line
                            for line in self.of(lines, worker, 'WARNING')))

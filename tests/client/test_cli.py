"""``openstack membership ...``: the real ``openstack`` command, run as a
subprocess against a real API process (noauth: ``--os-auth-type none``
and ``--os-endpoint``)."""
import json
import os
import signal
import subprocess
import sys
import uuid

import yaml

from membership.client import exceptions
from tests import client as base

OPENSTACK = os.path.join(os.path.dirname(sys.executable), 'openstack')
COMMANDS = {
    'membership group create', 'membership group list',
    'membership group show', 'membership group set',
    'membership group delete',
    'membership member join', 'membership member list',
    'membership member show', 'membership member set',
    'membership member leave', 'membership member heartbeat',
    'membership session create', 'membership session list',
    'membership session show', 'membership session heartbeat',
    'membership session delete',
    'membership candidate enter', 'membership candidate list',
    'membership candidate stand-down', 'membership candidate withdraw',
    'membership leader show',
    'membership event list', 'membership event watch',
    'membership lock acquire', 'membership lock list',
    'membership lock show', 'membership lock release',
    'membership lock break',
}


def clean_env(**variables):
    """This environment without its OS_* variables, plus variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    env.update(variables)
    return env


def run_openstack(args, env, timeout=60):
    return subprocess.run([OPENSTACK] + list(args), capture_output=True,
                          text=True, timeout=timeout, env=clean_env(**env))


class CliCase(base.ServerTestCase):
    """Runs the CLI against the class's API process (no tests)."""

    def setUp(self):
        super().setUp()
        # noauth: the service puts every CLI call in project "default".
        self.client = self.make_client(project_id='default')
        self.group = 'cli-' + uuid.uuid4().hex[:12]
        self.env = {'OS_AUTH_TYPE': 'none', 'OS_ENDPOINT': self.url}

    def run_cli(self, *args, status=0, env=None):
        result = run_openstack(args, env=dict(self.env, **(env or {})))
        self.assertEqual(status, result.returncode,
                         f'openstack {" ".join(args)}: {result.stderr}')
        return result

    def cli(self, *args, **kwargs):
        """Run ``openstack membership ARGS -f json``: the parsed output."""
        out = self.run_cli('membership', *args, '-f', 'json', **kwargs)
        return json.loads(out.stdout)


class CliTest(CliCase):

    def test_every_command_is_registered(self):
        listed = self.run_cli('command', 'list', '--group',
                              'openstack.membership.v1', '-f', 'json')
        commands, = json.loads(listed.stdout)
        self.assertEqual(COMMANDS, set(commands['Commands']))

    def test_group_commands(self):
        g = self.group
        created = self.cli('group', 'create', g, '--description', 'd',
                           '--metadata', 'k=v')
        self.assertEqual(('d', {'k': 'v'}),
                         (created['description'], created['metadata']))
        failed = self.run_cli('membership', 'group', 'create', g, status=1)
        self.assertIn('membership.precondition_failed', failed.stderr)
        self.assertEqual({'k': 'v', 'n': 1}, self.cli(
            'group', 'set', g, '--metadata-json', '{"n": 1}')['metadata'])
        shown = yaml.safe_load(self.run_cli(
            'membership', 'group', 'show', g, '-f', 'yaml').stdout)
        self.assertEqual(g, shown['name'])
        names = self.run_cli('membership', 'group', 'list', '-f', 'value',
                             '-c', 'name', '--limit', '1').stdout.split()
        self.assertIn(g, names)
        self.run_cli('membership', 'group', 'delete', g)
        self.assertRaises(exceptions.GroupNotFound, self.client.get_group, g)

    def test_member_commands(self):
        g = self.group
        self.client.create_group(g)
        joined = self.cli('member', 'join', g, 'm1', '--capabilities',
                          '{"cpus": 8}', '--ttl', '300')
        self.assertEqual(({'cpus': 8}, 300),
                         (joined['capabilities'], joined['ttl']))
        self.cli('member', 'set', g, 'm1', '--capabilities', '{"gpu": 1}')
        self.run_cli('membership', 'member', 'heartbeat', g, 'm1')
        self.assertEqual({'cpus': 8, 'gpu': 1},
                         self.cli('member', 'show', g, 'm1')['capabilities'])
        listed = self.cli('member', 'list', g, '--long')
        self.assertEqual(['m1'], [m['id'] for m in listed])
        self.run_cli('membership', 'member', 'leave', g, 'm1')
        self.assertEqual([], list(self.client.list_members(g)))

    def test_session_commands(self):
        session = self.cli('session', 'create', '--ttl', '300')
        sid = session['id']
        self.assertIn(sid, [s['id'] for s in self.cli('session', 'list')])
        self.run_cli('membership', 'session', 'heartbeat', sid)
        self.assertEqual(300, self.cli('session', 'show', sid)['ttl'])
        self.run_cli('membership', 'session', 'delete', sid)
        self.assertRaises(exceptions.SessionNotFound,
                          self.client.get_session, sid)

    def test_election_commands(self):
        g = self.group
        self.client.create_group(g)
        self.assertTrue(self.cli('candidate', 'enter', g, 'a', '--ttl',
                                 '300')['leader'])
        self.client.enter_election(g, 'b', ttl=300)
        self.assertEqual(['a', 'b'], [c['id'] for c in self.cli(
            'candidate', 'list', g)])
        self.run_cli('membership', 'candidate', 'stand-down', g, 'a')
        self.assertEqual('b', self.cli('leader', 'show', g)['id'])
        self.run_cli('membership', 'candidate', 'withdraw', g, 'b')
        self.assertEqual('a', self.client.get_leader(g)['id'])

    def test_event_commands(self):
        g = self.group
        self.client.create_group(g)
        self.client.join(g, 'm1')
        self.client.leave(g, 'm1')
        self.assertEqual(['joined', 'left'], [e['type'] for e in self.cli(
            'event', 'list', g)])
        watched = self.run_cli('membership', 'event', 'watch', g,
                               '--since', '1', '--timeout', '1',
                               '-f', 'value').stdout
        # One value per line, as every show command prints them.
        self.assertEqual(['2', 'left', 'm1'], watched.split()[:3])

    def test_api_version_option_and_variable(self):
        old = self.run_cli('--os-membership-api-version', '1.0',
                           'membership', 'session', 'list', status=1)
        self.assertIn('needs microversion 1.2', old.stderr)
        bad = self.run_cli('membership', 'group', 'list', status=1,
                           env={'OS_MEMBERSHIP_API_VERSION': '1.9'})
        self.assertIn('outside the service\'s range 1.0 to 1.3', bad.stderr)

    def join_keep_alive(self, member):
        """``member join --keep-alive`` running, once it has joined."""
        command = [OPENSTACK, 'membership', 'member', 'join', self.group,
                   member, '--ttl', '1', '--keep-alive', '-f', 'value',
                   '-c', 'id']
        process = subprocess.Popen(command, env=clean_env(**self.env),
                                   stdout=subprocess.PIPE, text=True)
        self.addCleanup(lambda: process.poll() or process.kill())
        self.assertEqual(member, process.stdout.readline().strip())
        return process

    def test_join_keep_alive_heartbeats_then_leaves_on_sigterm(self):
        g = self.group
        self.client.create_group(g)
        process = self.join_keep_alive('m1')
        first = self.client.get_member(g, 'm1')['heartbeat_at']
        events = self.client.watch(g, timeout=2)
        self.assertEqual([], list(events))  # outlived its ttl of 1 s
        self.assertLess(first, self.client.get_member(g, 'm1')[
            'heartbeat_at'])
        process.send_signal(signal.SIGTERM)
        self.assertEqual(0, process.wait(timeout=30))
        self.assertEqual([], list(self.client.list_members(g)))

    def test_join_keep_alive_leaves_on_sigint(self):
        self.client.create_group(self.group)
        process = self.join_keep_alive('m2')
        process.send_signal(signal.SIGINT)
        self.assertEqual(0, process.wait(timeout=30))
        self.assertEqual([], list(self.client.list_members(self.group)))

"""``openstack membership lock ...``: the real ``openstack`` command as a
subprocess against a real API process."""
import signal
import subprocess
import uuid

from membership.client import exceptions
from tests.client import test_cli


class LockCliTest(test_cli.CliCase):

    def setUp(self):
        super().setUp()
        self.lock = 'lock-' + uuid.uuid4().hex[:12]

    def test_acquire_show_list_release(self):
        holder = self.cli('lock', 'acquire', self.lock, '--ttl', '300')
        self.assertEqual((False, 300), (holder['shared'], holder['ttl']))
        shown = self.cli('lock', 'show', self.lock)
        self.assertEqual(('exclusive', holder['fence']),
                         (shown['mode'], shown['fence']))
        self.assertEqual([holder['id']], [h['id'] for h in shown['holders']])
        listed = self.cli('lock', 'list', '--marker', self.lock[:-1])
        self.assertEqual(self.lock, listed[0]['name'])
        self.run_cli('membership', 'lock', 'release', self.lock,
                     holder['id'])
        self.assertIsNone(self.client.get_lock(self.lock)['mode'])
        gone = self.run_cli('membership', 'lock', 'release', self.lock,
                            holder['id'], status=1)
        self.assertIn('membership.holder_not_found', gone.stderr)

    def test_held_lock_fails_after_wait_and_shared_holders_share(self):
        self.client.acquire_lock(self.lock, ttl=300, shared=True)
        shared = self.cli('lock', 'acquire', self.lock, '--shared', '--ttl',
                          '300')
        self.assertTrue(shared['shared'])
        held = self.run_cli('membership', 'lock', 'acquire', self.lock,
                            '--wait', '0.5', status=1)
        self.assertIn('membership.lock_held', held.stderr)
        self.run_cli('membership', 'lock', 'break', self.lock)
        self.assertEqual([], list(self.client.list_holders(self.lock)))
        broken = self.run_cli('membership', 'lock', 'break', self.lock,
                              status=1)
        self.assertIn('membership.lock_not_found', broken.stderr)

    def test_acquire_bound_to_a_session(self):
        session = self.client.create_session(ttl=300)['id']
        holder = self.cli('lock', 'acquire', self.lock, '--session', session)
        self.assertEqual(session, holder['session'])
        self.client.delete_session(session)
        self.assertIsNone(self.client.get_lock(self.lock)['mode'])

    def acquire_keep_alive(self):
        """``lock acquire --keep-alive`` running, once it holds the lock."""
        command = [test_cli.OPENSTACK, 'membership', 'lock', 'acquire',
                   self.lock, '--ttl', '1', '--keep-alive', '-f', 'value',
                   '-c', 'id']
        process = subprocess.Popen(command,
                                   env=test_cli.clean_env(**self.env),
                                   stdout=subprocess.PIPE, text=True)
        self.addCleanup(lambda: process.poll() or process.kill())
        holder_id = process.stdout.readline().strip()
        self.assertTrue(holder_id)
        return process, holder_id

    def test_keep_alive_holds_past_the_ttl_then_releases_on_sigterm(self):
        process, holder_id = self.acquire_keep_alive()
        # A holder of ttl 1 s is still there 2 s later: heartbeaten.
        self.assertRaises(exceptions.LockHeld, self.client.acquire_lock,
                          self.lock, ttl=30, wait=2)
        self.assertEqual(holder_id, self.client.get_holder(
            self.lock, holder_id)['id'])
        process.send_signal(signal.SIGTERM)
        self.assertEqual(0, process.wait(timeout=30))
        self.assertRaises(exceptions.HolderNotFound, self.client.get_holder,
                          self.lock, holder_id)

    def test_keep_alive_releases_on_sigint(self):
        process, holder_id = self.acquire_keep_alive()
        process.send_signal(signal.SIGINT)
        self.assertEqual(0, process.wait(timeout=30))
        self.assertIsNone(self.client.get_lock(self.lock)['mode'])

    def test_keep_alive_exits_1_when_the_lock_is_broken(self):
        process, _ = self.acquire_keep_alive()
        self.client.break_lock(self.lock)
        self.assertEqual(1, process.wait(timeout=30))

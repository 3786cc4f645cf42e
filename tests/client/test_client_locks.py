"""membership.client's lock calls (1.3) against a real API process."""
import threading

from membership.client import exceptions
from tests import client as base


class LockCallsTest(base.ServerTestCase):

    def test_one_method_per_lock_operation_round_trips(self):
        c = self.client
        session = c.create_session(ttl=30)
        holder = c.acquire_lock('db', session=session['id'])
        self.assertEqual(('db', False, session['id'], 1),
                         (holder['lock'], holder['shared'],
                          holder['session'], holder['fence']))
        self.assertEqual(['db'], [lock['name'] for lock in c.list_locks()])
        lock = c.get_lock('db')
        self.assertEqual(('exclusive', 1), (lock['mode'], lock['fence']))
        self.assertTrue(lock.etag)
        self.assertEqual([holder['id']],
                         [h['id'] for h in c.list_holders('db')])
        self.assertEqual(holder['id'], c.get_holder('db', holder['id'])['id'])
        c.heartbeat_holder('db', holder['id'])
        c.release_lock('db', holder['id'])
        self.assertIsNone(c.get_lock('db')['mode'])
        self.assertRaises(exceptions.HolderNotFound, c.release_lock, 'db',
                          holder['id'])

    def test_shared_holders_then_break(self):
        c = self.client
        first = c.acquire_lock('s', ttl=30, shared=True)
        second = c.acquire_lock('s', ttl=30, shared=True)
        self.assertEqual([first['id'], second['id']],
                         [h['id'] for h in c.list_holders('s', limit=1)])
        self.assertRaises(exceptions.LockHeld, c.acquire_lock, 's', ttl=30)
        c.break_lock('s')
        self.assertEqual([], list(c.list_holders('s')))
        self.assertRaises(exceptions.LockNotFound, c.break_lock, 's')
        self.assertRaises(exceptions.HolderNotFound, c.heartbeat_holder, 's',
                          first['id'])
        self.assertRaises(exceptions.HolderNotFound, c.get_holder, 's',
                          second['id'])

    def test_a_waiting_acquire_gets_the_lock_on_release(self):
        c = self.client
        holder = c.acquire_lock('w', ttl=30)
        got = []
        waiter = threading.Thread(target=lambda: got.append(
            self.make_client().acquire_lock('w', ttl=30, wait=30)))
        waiter.start()
        # Released once the waiter is queued: it then acquires.
        while c.get_lock('w')['waiters'] == 0:
            waiter.join(0.05)
        c.release_lock('w', holder['id'])
        waiter.join(30)
        self.assertEqual(2, got[0]['fence'])

    def test_wait_and_liveness_are_checked_before_sending(self):
        c = self.client
        self.assertRaises(ValueError, c.acquire_lock, 'x', wait=61)
        self.assertRaises(ValueError, c.acquire_lock, 'x', session='s',
                          ttl=3)
        old = self.make_client(api_version='1.2')
        self.assertRaises(exceptions.UnsupportedVersion, old.acquire_lock,
                          'x')

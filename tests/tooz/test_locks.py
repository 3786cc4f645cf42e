"""The tooz driver's locks, beyond tooz's own lock tests."""
import threading

from membership.client import Client
from membership.coordination import names
from tests import tooz as base


@base.needs_tooz
class LockTest(base.ServiceTestCase):

    def setUp(self):
        super().setUp()
        self.api = Client(endpoint=self.url, noauth=True)

    def holders(self, name):
        return list(self.api.list_holders(names.encode(name)))

    def test_holders_are_bound_to_the_coordinator_session(self):
        coord = self.coordinator()
        name = base.uid()
        lock = coord.get_lock(name)
        self.assertTrue(lock.acquire(blocking=False))
        self.assertEqual([(coord._session_id, None)],
                         [(h['session'], h['ttl'])
                          for h in self.holders(name)])
        self.assertTrue(lock.is_still_owner())
        self.assertTrue(lock.heartbeat())
        coord.stop()  # the session ends: its locks are free at once
        self.assertEqual([], self.holders(name))
        self.assertTrue(self.coordinator().get_lock(name).acquire(
            blocking=False))

    def test_a_stopped_coordinator_acquires_nothing(self):
        coord, name = self.coordinator(), base.uid()
        lock = coord.get_lock(name)
        coord.stop()
        self.assertRaises(base.tooz.ToozError, lock.acquire)
        self.assertEqual([], self.holders(name))

    def test_other_bytes_names_are_encoded_like_group_ids(self):
        name = b'\xffnot a name/\x00'
        lock = self.coordinator().get_lock(name)
        self.assertEqual(name, lock.name)
        self.assertTrue(lock.acquire(blocking=False))
        api_name = names.encode(name)
        self.assertTrue(api_name.startswith(names.PREFIX))
        self.assertEqual('exclusive', self.api.get_lock(api_name)['mode'])
        self.assertTrue(lock.release())

    def test_a_broken_lock_is_no_longer_owned(self):
        first, second = self.coordinator(), self.coordinator()
        name = base.uid()
        lock = first.get_lock(name)
        self.assertFalse(lock.is_still_owner())
        self.assertTrue(lock.acquire())
        self.assertTrue(second.get_lock(name).break_())
        self.assertFalse(lock.is_still_owner())
        self.assertFalse(lock.heartbeat())
        self.assertFalse(lock.release())
        self.assertFalse(second.get_lock(name).break_())

    def test_blocking_seconds_gives_up_and_leaves_the_queue(self):
        name = base.uid()
        holder = self.coordinator().get_lock(name)
        self.assertTrue(holder.acquire())
        waiter = self.coordinator().get_lock(name)
        self.assertFalse(waiter.acquire(blocking=0.5))
        self.assertEqual(0, self.api.get_lock(names.encode(name))['waiters'])
        self.assertTrue(holder.release())
        self.assertTrue(waiter.acquire(blocking=0.5))

    def test_a_blocked_acquire_gets_the_lock_when_released(self):
        name = base.uid()
        holder = self.coordinator().get_lock(name)
        self.assertTrue(holder.acquire())
        waiter = self.coordinator().get_lock(name)
        got = []
        thread = threading.Thread(target=lambda: got.append(
            waiter.acquire(blocking=True)))
        thread.start()
        while self.api.get_lock(names.encode(name))['waiters'] == 0:
            thread.join(0.05)
        self.assertTrue(holder.release())
        thread.join(30)
        self.assertEqual([True], got)
        self.assertEqual([2], [h['fence'] for h in self.holders(name)])

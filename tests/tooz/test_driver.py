"""What the tooz driver adds over tooz's own suite."""
import time

from membership.client import Client
from tests import tooz as base
from tests.tooz import coordination


uid = base.uid


@base.needs_tooz
class DriverTest(base.ServiceTestCase):

    def test_join_and_leave_between_two_runs_are_both_delivered(self):
        group = uid()
        watcher, other = self.coordinator(), self.coordinator()
        watcher.create_group(group).get()
        seen = []
        watcher.watch_join_group(group, seen.append)
        watcher.watch_leave_group(group, seen.append)
        self.assertEqual([], watcher.run_watchers())
        before = watcher.get_members(group).get()
        other.join_group(group).get()
        other.leave_group(group).get()
        # A poll-and-diff driver compares these two lists: equal, so it
        # would report nothing.
        self.assertEqual(before, watcher.get_members(group).get())
        watcher.run_watchers()
        self.assertEqual(
            [(coordination.MemberJoinedGroup, other._member_id),
             (coordination.MemberLeftGroup, other._member_id)],
            [(type(e), e.member_id) for e in seen])
        self.assertEqual([], watcher.run_watchers())

    def test_every_cycle_is_delivered_in_order(self):
        group = uid()
        watcher, other = self.coordinator(), self.coordinator()
        watcher.create_group(group).get()
        seen = []
        watcher.watch_join_group(group, lambda e: seen.append('+'))
        watcher.watch_leave_group(group, lambda e: seen.append('-'))
        for _ in range(3):
            other.join_group(group).get()
            other.leave_group(group).get()
        watcher.run_watchers()
        self.assertEqual(['+', '-'] * 3, seen)

    def test_expiry_is_a_leave_event(self):
        group = uid()
        watcher = self.coordinator()
        silent = self.coordinator(timeout=1)
        watcher.create_group(group).get()
        silent.join_group(group).get()
        seen = []
        watcher.watch_leave_group(group, seen.append)
        deadline = time.monotonic() + 4
        while not seen and time.monotonic() < deadline:
            watcher.run_watchers()
            time.sleep(0.05)
        self.assertEqual([silent._member_id], [e.member_id for e in seen])

    def test_a_join_between_listing_and_watching_is_delivered(self):
        # tooz's Partitioner lists the members, then watches: a member
        # joining in between must still reach its ring.
        group = uid()
        watcher, other = self.coordinator(), self.coordinator()
        watcher.create_group(group).get()
        self.assertEqual(set(), watcher.get_members(group).get())
        other.join_group(group).get()
        seen = []
        watcher.watch_join_group(group, seen.append)
        watcher.run_watchers()
        self.assertEqual([other._member_id], [e.member_id for e in seen])

    def test_bytes_ids_round_trip_through_the_api(self):
        group, member = b'\xe9quipe/1', b'worker #1'
        coord = self.coordinator(member_id=member)
        coord.create_group(group).get()
        coord.join_group(group, {'weight': 2, 'queues': ['a']}).get()
        self.assertIn(group, coord.get_groups().get())
        self.assertEqual({member}, coord.get_members(group).get())
        self.assertEqual({'weight': 2, 'queues': ['a']},
                         coord.get_member_capabilities(group, member).get())
        api = Client(endpoint=self.url, noauth=True)
        members = api.list_members('b64:6XF1aXBlLzE')
        self.assertEqual(['b64:d29ya2VyICMx'], [m['id'] for m in members])

    def test_heartbeat_is_one_call_and_returns_the_next_beat(self):
        coord = self.coordinator(timeout=4)
        self.assertEqual(4.0, coord.heartbeat())

    def test_heartbeat_after_expiry_takes_a_new_session_and_rejoins(self):
        group = uid()
        coord = self.coordinator(timeout=1)
        coord.create_group(group).get()
        coord.join_group(group, {'v': 1}).get()
        first = coord._session_id
        time.sleep(1.6)
        self.assertNotIn(coord._member_id, coord.get_members(group).get())
        coord.heartbeat()
        self.assertNotEqual(first, coord._session_id)
        self.assertEqual({'v': 1}, coord.get_member_capabilities(
            group, coord._member_id).get())

    def test_stop_deletes_the_session_and_hands_leadership_on(self):
        group = uid()
        first, second = self.coordinator(), self.coordinator()
        first.create_group(group).get()
        elected = []
        first.watch_elected_as_leader(group, elected.append)
        second.watch_elected_as_leader(group, elected.append)
        first.run_watchers()
        second.run_watchers()
        self.assertEqual([first._member_id], [e.member_id for e in elected])
        session = first._session_id
        first.stop()
        api = Client(endpoint=self.url, noauth=True)
        self.assertNotIn(session, [s['id'] for s in api.list_sessions()])
        second.run_watchers()
        self.assertEqual(second._member_id, elected[-1].member_id)
        self.assertEqual(second._member_id, second.get_leader(group).get())

"""membership.client against a real API process."""
import socket
import threading
import time

from membership.client import exceptions
from tests import client as base


class ClientTest(base.ServerTestCase):

    def test_negotiates_the_highest_common_microversion(self):
        self.assertEqual('1.3', self.client.api_version)
        self.assertEqual('1.1', self.make_client(api_version='1.1')
                         .api_version)

    def test_a_version_outside_the_service_range_is_refused(self):
        with self.assertRaises(exceptions.UnsupportedVersion) as caught:
            list(self.make_client(api_version='1.99').list_groups())
        self.assertIn('1.0 to 1.3', str(caught.exception))

    def test_a_call_newer_than_the_pinned_version_is_refused(self):
        client = self.make_client(api_version='1.0')
        self.assertRaises(exceptions.UnsupportedVersion,
                          client.create_session)
        self.assertRaises(exceptions.UnsupportedVersion,
                          lambda: list(client.list_events('g')))

    def test_errors_carry_status_code_detail_and_request_id(self):
        with self.assertRaises(exceptions.GroupNotFound) as caught:
            self.client.get_group('nowhere')
        error = caught.exception
        self.assertIsInstance(error, exceptions.MembershipError)
        self.assertEqual((404, 'membership.group_not_found'),
                         (error.status, error.code))
        self.assertIn('nowhere', error.detail)
        self.assertTrue(error.request_id.startswith('req-'))

    def test_each_api_code_has_its_exception(self):
        c = self.client
        c.create_group('g')
        c.join('g', 'm1', ttl=30)
        self.assertRaises(exceptions.MemberNotFound, c.get_member, 'g', 'x')
        self.assertRaises(exceptions.GroupNotEmpty, c.delete_group, 'g')
        self.assertRaises(exceptions.PreconditionFailed, c.create_group,
                          'g', exclusive=True)
        self.assertRaises(exceptions.PreconditionFailed, c.join, 'g', 'm1',
                          exclusive=True)
        self.assertRaises(exceptions.NoLeader, c.get_leader, 'g')
        c.enter_election('g', 'a', ttl=30)
        c.enter_election('g', 'b', ttl=30)
        self.assertRaises(exceptions.NotLeader, c.stand_down, 'g', 'b')
        self.assertRaises(exceptions.SessionNotFound, c.heartbeat_session,
                          'f' * 32)
        self.assertRaises(exceptions.BadRequest, c.create_group, '-bad-')

    def test_one_method_per_operation_round_trips(self):
        c = self.client
        group = c.create_group('g', description='d', metadata={'k': 'v'})
        self.assertEqual('d', group['description'])
        self.assertTrue(group.etag)
        self.assertEqual({'k': 'v', 'n': 1}, c.update_group(
            'g', metadata={'n': 1}, if_match=group.etag)['metadata'])
        session = c.create_session(ttl=30)
        member = c.join('g', 'm1', capabilities={'cpus': 8},
                        session=session['id'])
        self.assertEqual(session['id'], member['session'])
        self.assertEqual({'cpus': 8, 'gpu': True}, c.update_member(
            'g', 'm1', capabilities={'gpu': True})['capabilities'])
        c.heartbeat_member('g', 'm1')
        c.heartbeat_session(session['id'])
        self.assertEqual([session['id']],
                         [s['id'] for s in c.list_sessions()])
        c.enter_election('g', 'm1', session=session['id'])
        self.assertEqual('m1', c.get_leader('g')['id'])
        c.delete_session(session['id'])
        self.assertEqual([], list(c.list_members('g')))
        self.assertEqual([], list(c.list_candidates('g')))
        c.delete_group('g')
        self.assertEqual([], list(c.list_groups()))

    def test_lists_follow_next_links(self):
        names = [f'g{i}' for i in range(5)]
        for name in names:
            self.client.create_group(name)
            self.client.join('g0', name)
        self.assertEqual(names, [g['name'] for g in
                                 self.client.list_groups(limit=2)])
        self.assertEqual(names, [m['id'] for m in
                                 self.client.list_members('g0', limit=2)])
        self.assertEqual(['g4', 'g3'], [g['name'] for g in
                                        self.client.list_groups(
                                            limit=1, sort_dir='desc')][:2])

    def test_watch_resumes_after_the_last_event_it_yielded(self):
        c = self.client
        c.create_group('g')
        c.join('g', 'a')
        c.join('g', 'b')
        events = c.watch('g', since=0, poll=1)
        self.assertEqual([(1, 'joined', 'a'), (2, 'joined', 'b')],
                         [(e['revision'], e['type'], e['member_id'])
                          for e in (next(events), next(events))])
        c.leave('g', 'a')
        event = next(events)
        self.assertEqual((3, 'left', 'a'), (event['revision'], event['type'],
                                            event['member_id']))

    def test_watch_from_now_waits_for_the_next_change(self):
        c = self.client
        c.create_group('g')
        c.join('g', 'before')
        joiner = threading.Timer(0.3, c.join, ('g', 'after'))
        joiner.start()
        self.addCleanup(joiner.join)
        event = next(c.watch('g', poll=5))
        self.assertEqual(('joined', 'after'),
                         (event['type'], event['member_id']))

    def test_watch_ends_at_its_timeout(self):
        self.client.create_group('g')
        self.assertEqual([], list(self.client.watch('g', timeout=1)))

    def test_keep_alive_heartbeats_until_stopped(self):
        c = self.client
        c.create_group('g')
        c.join('g', 'm', ttl=1)
        with c.keep_alive(group='g', member='m') as beating:
            self.assertAlmostEqual(1 / 3, beating.interval)
            time.sleep(1.6)
            self.assertEqual('m', c.get_member('g', 'm')['id'])
        self.assertGreaterEqual(beating.beats, 3)
        self.assertFalse(beating.lost.is_set())

    def test_keep_alive_reports_a_lost_lease(self):
        c = self.client
        session = c.create_session(ttl=1)
        lost = []
        beating = c.keep_alive(session=session['id'], on_lost=lost.append)
        self.addCleanup(beating.stop)
        c.delete_session(session['id'])
        self.assertTrue(beating.lost.wait(5))
        self.assertIsInstance(lost[0], exceptions.SessionNotFound)

    def test_keep_alive_needs_something_to_keep(self):
        self.assertRaises(ValueError, self.client.keep_alive, group='g')
        self.client.create_group('g')
        self.client.join('g', 'forever', ttl=None)
        self.assertRaises(ValueError, self.client.keep_alive, group='g',
                          member='forever')

    def test_connection_refused(self):
        port = base.apiservers.free_port()
        client = self.make_client(endpoint=f'http://127.0.0.1:{port}',
                                  retries=0)
        self.assertRaises(exceptions.ConnectionFailed, client.get_group, 'g')

    def test_every_call_has_a_timeout(self):
        # A listening socket that never answers: the call must give up.
        silent = socket.create_server(('127.0.0.1', 0))
        self.addCleanup(silent.close)
        client = self.make_client(
            endpoint=f'http://127.0.0.1:{silent.getsockname()[1]}',
            timeout=0.3, retries=0)
        self.assertRaises(exceptions.Timeout, client.get_group, 'g')


class LimitsTest(base.ServerTestCase):
    """A service keeping events for 1 s and holding one long-poll."""

    API_OPTIONS = 'max_waiters = 1'
    SECTIONS = '[storage]\nevent_retention = 1\n'

    def test_watching_compacted_revisions_raises_revision_compacted(self):
        c = self.client
        c.create_group('g')
        c.join('g', 'a')
        time.sleep(1.1)
        c.join('g', 'b')  # a write purges the events older than 1 s
        with self.assertRaises(exceptions.RevisionCompacted) as caught:
            next(c.watch('g', since=0))
        self.assertEqual((410, 'membership.revision_compacted'),
                         (caught.exception.status, caught.exception.code))

    def test_503_is_retried_after_retry_after(self):
        self.client.create_group('g')
        holder = threading.Thread(target=self.client.list_events,
                                  args=('g',), kwargs={'timeout': 1})
        holder.start()
        self.addCleanup(holder.join)
        time.sleep(0.3)
        once = self.make_client(retries=0)
        with self.assertRaises(exceptions.TooManyWaiters) as caught:
            once.list_events('g', timeout=1)
        self.assertEqual(503, caught.exception.status)
        with self.assertLogs('membership.client.http', 'DEBUG') as logs:
            page = self.make_client(retries=3).list_events('g', timeout=1)
        self.assertEqual([], page['events'])
        self.assertIn('HTTP 503, retrying in 1.0 s (Retry-After)',
                      logs.output[0])

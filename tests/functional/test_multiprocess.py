"""Several real API processes over one database agree at every step.

Two ``membership-api`` OS processes share one SQLite file (the same
tests run over PostgreSQL and MariaDB with MEMBERSHIP_TEST_DB_URL).
"""
import concurrent.futures
import datetime
import threading
import time
import unittest
import uuid

import requests

from tests import apiservers
from tests import dbserver


class Client:
    """A project's view of the API through one process."""

    def __init__(self, url, project):
        self.url = url
        self.session = requests.Session()
        self.session.headers.update({
            'X-Project-Id': project,
            'OpenStack-API-Version': 'membership latest'})

    def __call__(self, method, path, expect=None, **kwargs):
        response = self.session.request(method, self.url + path,
                                        timeout=90, **kwargs)
        if expect is not None and response.status_code != expect:
            raise AssertionError(f'{method} {path}: {response.status_code} '
                                 f'{response.text}')
        return response


def parse(timestamp):
    return datetime.datetime.strptime(timestamp, '%Y-%m-%dT%H:%M:%S.%fZ')


class MultiProcessTest(unittest.TestCase):

    processes = 2

    @classmethod
    def setUpClass(cls):
        cls.database = dbserver.fresh_database()
        cls.servers = apiservers.ApiServers(
            cls.processes,
            connection=cls.database.url if cls.database else None).start()

    @classmethod
    def tearDownClass(cls):
        cls.servers.stop()
        if cls.database:
            cls.database.drop()

    def setUp(self):
        project = uuid.uuid4().hex
        self.a, self.b = (Client(url, project)
                          for url in self.servers.urls[:2])
        self.group = 'g-' + uuid.uuid4().hex[:8]
        self.a('PUT', f'/v1/groups/{self.group}', expect=201)

    def events(self, client, since=0):
        return client('GET', f'/v1/groups/{self.group}/events',
                      params={'since': since}, expect=200).json()

    def test_long_poll_in_one_process_wakes_on_a_join_in_another(self):
        revision = self.a('GET', f'/v1/groups/{self.group}').json()['revision']
        result = {}

        def watch():
            result['response'] = self.a(
                'GET', f'/v1/groups/{self.group}/events',
                params={'since': revision, 'timeout': 30}, expect=200)
            result['woke'] = time.monotonic()

        watcher = threading.Thread(target=watch)
        watcher.start()
        time.sleep(0.5)  # the watcher is waiting in process A
        self.assertNotIn('response', result)
        self.b('PUT', f'/v1/groups/{self.group}/members/m1', expect=201)
        watcher.join(35)
        events = result['response'].json()['events']
        self.assertEqual([(revision + 1, 'joined', 'm1')],
                         [(e['revision'], e['type'], e['member_id'])
                          for e in events])

    def test_expired_event_appears_with_no_reader(self):
        member = self.a('PUT', f'/v1/groups/{self.group}/members/short',
                        json={'ttl': 1}, expect=201).json()
        time.sleep(1.5)  # nobody reads the group meanwhile
        self.b('PUT', f'/v1/groups/{self.group}/members/late', expect=201)
        events = self.events(self.a)['events']
        self.assertEqual(
            [(1, 'joined', 'short'), (2, 'expired', 'short'),
             (3, 'joined', 'late')],
            [(e['revision'], e['type'], e['member_id']) for e in events])
        self.assertEqual(member['expires_at'], events[1]['at'])

    def test_expired_event_wakes_a_watcher_with_nobody_else_around(self):
        member = self.a('PUT', f'/v1/groups/{self.group}/members/short',
                        json={'ttl': 1}, expect=201).json()
        response = self.b('GET', f'/v1/groups/{self.group}/events',
                          params={'since': 1, 'timeout': 10}, expect=200)
        arrived = datetime.datetime.utcnow()
        events = response.json()['events']
        self.assertEqual([(2, 'expired', 'short')],
                         [(e['revision'], e['type'], e['member_id'])
                          for e in events])
        self.assertEqual(member['expires_at'], events[0]['at'])
        # Within a second of the expiry, as the contract says.
        self.assertLess(arrived - parse(member['expires_at']),
                        datetime.timedelta(seconds=1))

    def test_concurrent_joins_in_two_processes_take_gapless_revisions(self):
        clients = [self.a, self.b]

        def join(n):
            clients[n % 2]('PUT', f'/v1/groups/{self.group}/members/m{n}',
                           expect=201)

        with concurrent.futures.ThreadPoolExecutor(20) as pool:
            list(pool.map(join, range(200)))
        events = self.events(self.b)['events']
        self.assertEqual(list(range(1, 201)),
                         [e['revision'] for e in events])
        self.assertEqual({f'm{n}' for n in range(200)},
                         {e['member_id'] for e in events})
        self.assertEqual(200, self.a(
            'GET', f'/v1/groups/{self.group}').json()['member_count'])

    def leader_seen_by(self, client):
        response = client('GET', f'/v1/groups/{self.group}/leader')
        return (response.json()['id'] if response.ok
                else response.json()['errors'][0]['code'])

    def leaders(self):
        """The leader both processes see; they must agree."""
        first, second = self.leader_seen_by(self.a), self.leader_seen_by(
            self.b)
        if first != second:
            # Leadership moved between the two reads (an expiry falls
            # between them): it must not move back, A now sees B's.
            self.assertEqual(second, self.leader_seen_by(self.a),
                             'the processes disagree')
        return second

    def test_both_processes_see_the_same_leader_at_every_step(self):
        g = f'/v1/groups/{self.group}/candidates'
        self.assertEqual('membership.no_leader', self.leaders())
        self.a('PUT', g + '/c1', json={'ttl': 2}, expect=201)
        self.b('PUT', g + '/c2', json={'ttl': 60}, expect=201)
        self.b('PUT', g + '/c3', json={'ttl': 60}, expect=201)
        self.assertEqual('c1', self.leaders())
        self.b('POST', g + '/c1/stand-down', expect=204)
        self.assertEqual('c2', self.leaders())
        self.a('DELETE', g + '/c2', expect=204)
        self.assertEqual('c3', self.leaders())
        self.a('POST', g + '/c3/stand-down', expect=204)
        self.assertEqual('c1', self.leaders())
        # c1 stops heartbeating: when its ttl passes, c3 leads, for both.
        deadline = time.monotonic() + 10
        while self.leaders() == 'c1':
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
        self.assertEqual('c3', self.leaders())
        terms = {c('GET', f'/v1/groups/{self.group}/leader').json()['term']
                 for c in (self.a, self.b)}
        self.assertEqual({5}, terms)

    def test_deleting_a_session_ends_its_memberships_in_fifty_groups(self):
        session = self.a('POST', '/v1/sessions', json={'ttl': 60},
                         expect=201).json()['id']
        groups = [f'{self.group}-{n}' for n in range(50)]
        for name in groups:
            self.a('PUT', f'/v1/groups/{name}', expect=201)
            self.b('PUT', f'/v1/groups/{name}/members/w',
                   json={'session': session}, expect=201)
        self.b('DELETE', f'/v1/sessions/{session}', expect=204)
        instants = set()
        for name in groups:
            self.a('GET', f'/v1/groups/{name}/members/w', expect=404)
            events = self.a('GET', f'/v1/groups/{name}/events',
                            params={'since': 0}, expect=200).json()['events']
            self.assertEqual(['joined', 'left'], [e['type'] for e in events])
            instants.add(events[1]['at'])
        # One transaction: one instant for all fifty.
        self.assertEqual(1, len(instants))


if __name__ == '__main__':
    unittest.main()

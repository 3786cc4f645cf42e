"""Four real API processes over one database: races have one winner.

Runs over SQLite by default and over PostgreSQL or MariaDB with
MEMBERSHIP_TEST_DB_URL (tox -e functional-postgresql, functional-mysql).
Clients are spread across the processes.
"""
import datetime
import time
import unittest
import uuid

from tests import apiservers

PROCESSES = 4
CLIENTS = 50
ROUNDS = 100
# SQLite's clock has millisecond resolution.
CLOCK_GRAIN = datetime.timedelta(milliseconds=1)


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def iso(timestamp):
    return datetime.datetime.strptime(timestamp, '%Y-%m-%dT%H:%M:%S.%fZ')


class ConcurrencyTest(apiservers.ServersTestCase):

    processes = PROCESSES
    clients = CLIENTS

    def setUp(self):
        self.project = uuid.uuid4().hex
        self.group = 'g-' + uuid.uuid4().hex[:8]

    def call(self, n, method, path, **kwargs):
        """Client ``n`` through process ``n % PROCESSES``."""
        headers = kwargs.pop('headers', {})
        headers.update({'X-Project-Id': self.project,
                        'OpenStack-API-Version': 'membership latest'})
        url = self.servers.urls[n % PROCESSES] + path
        return self.sessions[n % CLIENTS].request(
            method, url, headers=headers, timeout=60, **kwargs)

    def race(self, method, path, **kwargs):
        """CLIENTS requests at once, one per client; their statuses."""
        futures = [self.pool.submit(self.call, n, method, path, **kwargs)
                   for n in range(CLIENTS)]
        return sorted(f.result().status_code for f in futures)

    def test_create_only_groups_have_one_winner_per_round(self):
        for r in range(ROUNDS):
            statuses = self.race('PUT', f'/v1/groups/{self.group}-{r}',
                                 headers={'If-None-Match': '*'})
            self.assertEqual([201] + [412] * (CLIENTS - 1), statuses,
                             f'round {r}')

    def test_create_only_joins_have_one_winner_per_round(self):
        self.call(0, 'PUT', f'/v1/groups/{self.group}')
        for r in range(ROUNDS):
            statuses = self.race(
                'PUT', f'/v1/groups/{self.group}/members/m{r}',
                headers={'If-None-Match': '*'}, json={'ttl': None})
            self.assertEqual([201] + [412] * (CLIENTS - 1), statuses,
                             f'round {r}')
        # Members that never expire: on a loaded MariaDB the rounds have
        # taken longer than any ttl.
        group = self.call(1, 'GET', f'/v1/groups/{self.group}').json()
        self.assertEqual(ROUNDS, group['member_count'])
        self.assertEqual(ROUNDS, group['revision'])

    def test_if_match_updates_with_one_etag_have_one_winner(self):
        path = f'/v1/groups/{self.group}'
        self.call(0, 'PUT', path)
        for r in range(20):
            etag = self.call(r, 'GET', path).headers['ETag']
            statuses = self.race(
                'PATCH', path, headers={'If-Match': etag},
                json={'metadata': {'round': r}})
            self.assertEqual([200] + [412] * (CLIENTS - 1), statuses,
                             f'round {r}')

    def test_storms_keep_counts_exact_and_revisions_gapless(self):
        path = f'/v1/groups/{self.group}'
        self.call(0, 'PUT', path)

        def storm(n):
            member = f'{path}/members/m{n}'
            codes = []
            for _ in range(4):
                codes.append(self.call(n, 'PUT', member,
                                       json={'ttl': 300}).status_code)
                codes.append(self.call(n + 1, 'POST',
                                       member + '/heartbeat').status_code)
                codes.append(self.call(n + 2, 'DELETE', member).status_code)
            codes.append(self.call(n + 3, 'PUT', member,
                                   json={'ttl': 300}).status_code)
            return codes

        results = list(self.pool.map(storm, range(CLIENTS)))
        for codes in results:
            self.assertEqual([201, 204, 204] * 4 + [201], codes)
        group = self.call(0, 'GET', path).json()
        self.assertEqual(CLIENTS, group['member_count'])
        events = self.call(1, 'GET', path + '/events',
                           params={'since': 0}).json()['events']
        self.assertEqual(list(range(1, group['revision'] + 1)),
                         [e['revision'] for e in events])
        self.assertEqual(CLIENTS * 9, len(events))

    def test_every_process_agrees_at_the_instant_of_expiry(self):
        path = f'/v1/groups/{self.group}'
        self.call(0, 'PUT', path)
        member = self.call(0, 'PUT', path + '/members/short',
                           json={'ttl': 2}).json()
        expires = iso(member['expires_at'])
        anomalies = []
        samples = 0
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:
            futures = [self.pool.submit(self._sample, n, path)
                       for n in range(PROCESSES)]
            for future in futures:
                samples += 1
                before, after, status, listed = future.result()
                # Decided by the database's clock: live strictly before
                # expires_at, gone from it on. Only answers whose whole
                # request lies on one side are judged.
                live = status == 200 and listed
                if after < expires - CLOCK_GRAIN and not live:
                    anomalies.append(('gone early', before, status, listed))
                if before > expires and (status != 404 or listed):
                    anomalies.append(('alive late', before, status, listed))
        self.assertGreater(samples, 40)
        self.assertEqual([], anomalies)

    def _sample(self, n, path):
        before = utcnow()
        status = self.call(n, 'GET', path + '/members/short').status_code
        listed = 'short' in [m['id'] for m in self.call(
            n, 'GET', path + '/members').json()['members']]
        after = utcnow()
        return before, after, status, listed


if __name__ == '__main__':
    unittest.main()

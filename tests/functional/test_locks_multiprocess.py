"""Locks across four real API processes over one database.

Runs over SQLite by default and over PostgreSQL or MariaDB with
MEMBERSHIP_TEST_DB_URL. Clients are spread across the processes:
exclusion (one holder per round, fences distinct and increasing), the
queue's order whatever process each waiter is on, and hand-over on
release and on a lapsed lease. The hand-over latencies are printed
(``python -m unittest -v tests.functional.test_locks_multiprocess``).
"""
import datetime
import statistics
import sys
import threading
import time
import unittest
import uuid

from tests import apiservers

PROCESSES = 4
CLIENTS = 50
ROUNDS = 100
WAITERS = 40


def iso(timestamp):
    return datetime.datetime.strptime(timestamp, '%Y-%m-%dT%H:%M:%S.%fZ')


class LocksMultiProcessTest(apiservers.ServersTestCase):

    processes = PROCESSES
    clients = CLIENTS
    # 40 waiters over 4 processes, below their 16 threads.
    # One project: its share is the whole cap.
    server_options = {'threads': 16, 'extra': 'max_waiters = 14\n'
                      'project_waiter_share = 1.0'}

    def setUp(self):
        self.project = uuid.uuid4().hex
        self.lock = 'lock-' + uuid.uuid4().hex[:8]
        self.path = f'/v1/locks/{self.lock}'

    def call(self, n, method, path, **kwargs):
        """Client ``n`` through process ``n % PROCESSES``."""
        url = self.servers.urls[n % PROCESSES] + path
        return self.sessions[n % CLIENTS].request(
            method, url, headers={'X-Project-Id': self.project,
                                  'OpenStack-API-Version': 'membership 1.3'},
            timeout=90, **kwargs)

    def acquire(self, n, **body):
        return self.call(n, 'POST', self.path + '/holders', json=body)

    def release(self, n, holder):
        response = self.call(n, 'DELETE', f"{self.path}/holders/{holder}")
        self.assertEqual(204, response.status_code, response.text)

    def waiters(self):
        return self.call(0, 'GET', self.path).json()['waiters']

    def test_racing_clients_have_one_holder_per_round(self):
        fences = []
        for r in range(ROUNDS):
            futures = [self.pool.submit(self.acquire, n)
                       for n in range(CLIENTS)]
            responses = [f.result() for f in futures]
            won = [x for x in responses if x.status_code == 201]
            self.assertEqual(
                [201] + [409] * (CLIENTS - 1),
                sorted(x.status_code for x in responses), f'round {r}')
            holder = won[0].json()
            lock = self.call(r + 1, 'GET', self.path).json()
            self.assertEqual([holder['id']],
                             [h['id'] for h in lock['holders']])
            fences.append(holder['fence'])
            self.release(r, holder['id'])
        self.assertEqual(list(range(1, ROUNDS + 1)), fences)
        print(f'\n{ROUNDS} rounds of {CLIENTS} clients on {PROCESSES} '
              f'processes: one holder per round, fences 1..{ROUNDS}',
              file=sys.stderr)

    def test_waiting_clients_hold_one_at_a_time_and_hand_over_fast(self):
        holding = []
        overlaps = []
        log = []  # (fence, granted, released)
        guard = threading.Lock()

        def client(n):
            response = self.acquire(n, wait=60)
            granted = time.monotonic()
            self.assertEqual(201, response.status_code, response.text)
            holder = response.json()
            with guard:
                holding.append(n)
                if len(holding) > 1:
                    overlaps.append(list(holding))
            time.sleep(0.005)
            with guard:
                holding.remove(n)
            released = time.monotonic()
            self.release(n + 1, holder['id'])
            log.append((holder['fence'], granted, released))

        # All queue behind a first holder; its release starts the chain.
        first = self.acquire(0).json()
        futures = [self.pool.submit(client, n) for n in range(WAITERS)]
        deadline = time.monotonic() + 90
        while self.waiters() < WAITERS:
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
        log.append((first['fence'], None, time.monotonic()))
        self.release(0, first['id'])
        for future in futures:
            future.result()
        self.assertEqual([], overlaps)
        log.sort()
        self.assertEqual(list(range(1, WAITERS + 2)), [f for f, _, _ in log])
        # From a release being sent (on one process) to the next holder's
        # answer (from whichever process it waited on).
        handovers = sorted(b[1] - a[2] for a, b in zip(log, log[1:]))
        median = statistics.median(handovers) * 1000
        p99 = handovers[int(len(handovers) * 0.99)] * 1000
        print(f'\nhand-over over {len(handovers)} releases: median '
              f'{median:.1f} ms, p99 {p99:.1f} ms', file=sys.stderr)

    def test_waiters_on_every_process_acquire_in_arrival_order(self):
        first = self.acquire(0).json()
        order = []
        # Writers and readers, alternating processes: a reader never
        # passes an earlier writer.
        kinds = [False, True, True, False, True, False, False, True]

        def wait(n):
            response = self.acquire(n, wait=60, shared=kinds[n])
            self.assertEqual(201, response.status_code, response.text)
            holder = response.json()
            order.append((n, holder['fence']))
            return holder

        futures = []
        for n in range(len(kinds)):
            futures.append(self.pool.submit(wait, n))
            deadline = time.monotonic() + 10
            while self.waiters() < n + 1:
                self.assertLess(time.monotonic(), deadline)
                time.sleep(0.01)
        self.release(1, first['id'])
        granted = set()
        while len(granted) < len(kinds):
            done = [f for f in futures if f.done() and f not in granted]
            for future in done:
                granted.add(future)
                holder = future.result()
                time.sleep(0.05)  # anything granted too early shows
                self.release(2, holder['id'])
            time.sleep(0.01)
        fences = [fence for _, fence in sorted(order)]
        self.assertEqual(list(range(2, len(kinds) + 2)), fences)

    def test_a_lapsed_lease_on_one_process_hands_over_on_another(self):
        expiring = self.acquire(0, ttl=1).json()
        waited = self.pool.submit(self.acquire, 1, wait=10)
        response = waited.result()
        self.assertEqual(201, response.status_code, response.text)
        holder = response.json()
        self.assertEqual(expiring['fence'] + 1, holder['fence'])
        self.assertGreaterEqual(iso(holder['acquired_at']),
                                iso(expiring['expires_at']))
        lock = self.call(2, 'GET', self.path).json()
        self.assertEqual([holder['id']], [h['id'] for h in lock['holders']])


if __name__ == '__main__':
    unittest.main()

"""The database stops while a lock is held and waited for, then starts.

Needs a database server that the test may stop: run by
``tox -e functional-postgresql`` and ``functional-mysql`` (through
tools/with-db.sh), serially, after the other tests.

Clients on three API processes, each with a session of its own, take
one exclusive lock in turn with short waits. Each records, for every
201, the fence and the time it believed it held the lock: from the
answer to the moment it sent its release. While the database is down
every lock request answers 503 with Retry-After (or, before the outage
is noticed, a correct answer), never 500, and the servers log no ERROR
line (an outage is one WARNING line per failed request). Afterwards no
two of those windows overlap, fences grow with them, and every holder
the lock ever showed is one a client was told it holds, with the same
fence -- or one of an acquisition that answered 503 (its outcome
unknown to the client), which that client finds and releases once the
database is back.
"""
import threading
import time
import uuid

import requests

from tests.faults import outages

PROCESSES = 3
CLIENTS = 5
STORAGE_TIMEOUT = 3
WAIT = 0.5
# No request takes longer, database down or not.
BOUND = WAIT + 2 * STORAGE_TIMEOUT + 2
SESSION_TTL = 120
STATUSES = {'POST': {201, 409, 503}, 'DELETE': {204, 404, 503},
            'GET': {200, 503}}


class Record:
    """What every client was told, under one lock."""

    def __init__(self):
        self.guard = threading.Lock()
        self.held = []  # {'client', 'id', 'fence', 'start', 'end'}
        self.ghosts = {}  # holder id -> session: acquired, answered 503
        self.answers = []  # (method, status or exception, Retry-After)
        self.seen = []  # the lock's holders, as GET showed them

    def answer(self, method, response):
        with self.guard:
            if isinstance(response, Exception):
                self.answers.append((method, repr(response), None))
            else:
                self.answers.append((method, response.status_code,
                                     response.headers.get('Retry-After')))


class LockOutageTest(outages.OutageTestCase):

    processes = PROCESSES
    storage_timeout = STORAGE_TIMEOUT

    def setUp(self):
        super().setUp()
        self.headers = {'X-Project-Id': uuid.uuid4().hex,
                        'OpenStack-API-Version': 'membership 1.3'}
        self.path = '/v1/locks/outage'
        self.record = Record()
        self.stop = threading.Event()
        self.sessions = [self.new_session(n) for n in range(CLIENTS + 1)]

    def new_session(self, n):
        response = requests.post(self.url(n) + '/v1/sessions',
                                 json={'ttl': SESSION_TTL},
                                 headers=self.headers, timeout=BOUND)
        response.raise_for_status()
        return response.json()['id']

    def url(self, n):
        return self.servers.urls[n % PROCESSES]

    def call(self, http, n, method, path, **kwargs):
        try:
            response = http.request(method, self.url(n) + path,
                                    headers=self.headers, timeout=BOUND,
                                    **kwargs)
        except requests.RequestException as e:
            self.record.answer(method, e)
            return None
        self.record.answer(method, response)
        return response

    def acquire(self, http, n):
        """The holder if this client now holds the lock; None."""
        response = self.call(http, n, 'POST', self.path + '/holders',
                             json={'session': self.sessions[n],
                                   'wait': WAIT})
        if response is not None and response.status_code == 201:
            return response.json()
        if response is None or response.status_code != 409:
            # Unknown outcome: maybe granted, unknown to this client.
            self.release_unknown(http, n)
        return None

    def hold(self, http, n, holder, until):
        start = time.monotonic()
        while time.monotonic() < until():
            time.sleep(0.01)
        with self.record.guard:
            self.record.held.append({
                'client': n, 'id': holder['id'], 'fence': holder['fence'],
                'start': start, 'end': time.monotonic()})
        self.release(http, n, holder['id'])

    def release(self, http, n, holder_id):
        """Until the database says it is released (or was already)."""
        while True:
            response = self.call(http, n, 'DELETE',
                                 f'{self.path}/holders/{holder_id}')
            if response is not None and response.status_code in (204, 404):
                return
            time.sleep(0.2)

    def release_unknown(self, http, n):
        """Once the database answers, release any holder of this
        client's session that it was never told of.
        """
        time.sleep(WAIT + 0.1)  # its queued request, if any, has ended
        while True:
            response = self.call(http, n, 'GET', self.path + '/holders')
            if response is not None and response.status_code == 200:
                break
            time.sleep(0.2)
        known = {held['id'] for held in self.record.held}
        for holder in response.json()['holders']:
            if holder['session'] == self.sessions[n] and \
                    holder['id'] not in known:
                with self.record.guard:
                    self.record.ghosts[holder['id']] = holder['fence']
                self.release(http, n, holder['id'])

    def churn(self, n):
        http = requests.Session()
        while not self.stop.is_set():
            holder = self.acquire(http, n)
            if holder:
                held_until = time.monotonic() + 0.02
                self.hold(http, n, holder, lambda: held_until)

    def watch(self):
        http = requests.Session()
        while not self.stop.is_set():
            response = self.call(http, CLIENTS, 'GET', self.path)
            if response is not None and response.status_code == 200:
                self.record.seen.append(response.json()['holders'])
            time.sleep(0.05)

    def outage(self, first_holder_keeps_it):
        """Churn; the database stops for 4 s and starts again; churn.
        ``first_holder_keeps_it``: client 0 holds the lock from before
        the stop until 1 s into the outage, then releases it.
        """
        threads = [threading.Thread(target=self.watch)]
        threads += [threading.Thread(target=self.churn, args=(n,))
                    for n in range(1, CLIENTS)]
        first = None
        stopped = []
        if first_holder_keeps_it:
            http = requests.Session()
            first = self.acquire(http, 0)
            self.assertIsNotNone(first)
            threads.append(threading.Thread(target=self.hold, args=(
                http, 0, first,
                lambda: stopped[0] + 1 if stopped else float('inf'))))
        else:
            threads.append(threading.Thread(target=self.churn, args=(0,)))
        for thread in threads:
            thread.start()
        try:
            time.sleep(2)
            self.database_server('stop')
            stopped.append(time.monotonic())
            time.sleep(4)
            self.database_server('start')
            started = time.monotonic()
            time.sleep(4)
        finally:
            self.stop.set()
            for thread in threads:
                thread.join()
        self.check(started)
        return first

    def check(self, started):
        record = self.record
        unexpected = [a for a in record.answers
                      if a[1] not in STATUSES[a[0]]]
        self.assertEqual([], unexpected, self.errors_logged())
        # An outage is WARNING lines (one each), not tracebacks.
        self.assertEqual('', self.errors_logged())
        self.assertTrue(any(a[1] == 503 for a in record.answers),
                        'the outage was never seen')
        self.assertEqual([], [a for a in record.answers
                              if a[1] == 503 and not a[2]],
                         'a 503 without Retry-After')
        held = sorted(record.held, key=lambda h: h['start'])
        self.assertTrue(any(h['start'] > started for h in held),
                        'no client acquired after the database started')
        # One believed holder at a time, fences growing with them.
        for before, after in zip(held, held[1:]):
            self.assertLessEqual(before['end'], after['start'],
                                 f'{before} and {after} overlap')
            self.assertLess(before['fence'], after['fence'])
        told = {h['id']: h['fence'] for h in held}
        self.assertEqual(len(told), len(held))
        known = dict(told, **record.ghosts)
        for holders in record.seen:
            self.assertLessEqual(len(holders), 1, holders)
            for holder in holders:
                self.assertFalse(holder['shared'])
                self.assertEqual(known.get(holder['id']), holder['fence'],
                                 f'{holder} was never told to a client')
        lock = requests.get(self.url(1) + self.path, headers=self.headers,
                            timeout=BOUND).json()
        self.assertEqual([], lock['holders'])
        self.assertEqual(max(known.values()), lock['fence'])
        print(f'\nlock outage: {len(held)} acquisitions told, '
              f'{len(record.ghosts)} found unknown and released, '
              f'{sum(a[1] == 503 for a in record.answers)} of '
              f'{len(record.answers)} answers 503')

    def test_a_holder_keeps_the_lock_through_the_outage(self):
        first = self.outage(first_holder_keeps_it=True)
        held = sorted(self.record.held, key=lambda h: h['start'])
        self.assertEqual(first['id'], held[0]['id'])

    def test_hand_overs_through_the_outage_never_grant_it_twice(self):
        self.outage(first_holder_keeps_it=False)

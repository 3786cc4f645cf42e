"""Locks at the storage contract and the waiting service, in-process.

What gabbi's one-request-at-a-time cannot show: the queue's order with
concurrent waiters, hand-over on release, expiry and session end, a
waiter that gives up, the waiter cap, and tokens across a restart. Over
SQLite, or the server of MEMBERSHIP_TEST_DB_URL.
"""
import json
import threading
import time

import fixtures
import sqlalchemy as sa
import testtools
import webob

from membership.api import app
from membership import storage
from membership.storage import exceptions
from membership.storage.sqlalchemy import migration
from membership.storage.sqlalchemy import tables
from membership import watch
from tests import dbserver
from tests.functional import fixtures as api_fixtures

PROJECT = 'locks-project'
LOCK = 'db'
# Long enough never to run out in a test that does not mean it to.
LONG = 20


class Request(threading.Thread):
    """One lock request waiting in a thread: its outcome when done."""

    def __init__(self, watcher, shared=False, ttl=60, session=None,
                 wait=LONG):
        super().__init__(daemon=True)
        self.args = (PROJECT, LOCK, shared, ttl, session, wait)
        self.watcher = watcher
        self.holder = self.error = None
        self.done = threading.Event()

    def run(self):
        try:
            self.holder = self.watcher.acquire(*self.args)
        except Exception as e:
            self.error = e
        self.done.set()


class LocksTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        database = dbserver.fresh_database()
        self.overrides = {}
        if database:
            self.addCleanup(database.drop)
            self.overrides = {'database': {'connection': database.url}}
        self.conf = api_fixtures.make_conf(self.tmp, **self.overrides)
        migration.upgrade(self.conf)
        self.storage = self.open_storage()
        self.watcher = watch.Watcher(self.storage, 0.02, 8)
        self.requests = []
        self.addCleanup(self.drain)

    def drain(self):
        """Grant whatever still waits, so no thread outlives the test."""
        deadline = time.monotonic() + LONG
        while not all(r.done.is_set() for r in self.requests):
            self.assertLess(time.monotonic(), deadline)
            try:
                self.storage.break_lock(PROJECT, LOCK)
            except exceptions.LockNotFound:
                time.sleep(0.01)

    def open_storage(self):
        store = storage.get_storage(self.conf)
        self.addCleanup(store.dispose)
        return store

    def acquire(self, shared=False, ttl=60, session=None):
        return self.storage.acquire_lock(PROJECT, LOCK, shared, ttl,
                                         session).holder

    def queue(self, *requests):
        """Start the requests one after another, each queued before the
        next arrives.
        """
        for request in requests:
            self.requests.append(request)
            waiting = self.storage.get_lock(PROJECT, LOCK).waiters
            request.start()
            self.wait_until(lambda: self.storage.get_lock(
                PROJECT, LOCK).waiters > waiting or request.done.is_set())
        return requests

    def wait_until(self, predicate, timeout=10):
        deadline = time.monotonic() + timeout
        while not predicate():
            self.assertLess(time.monotonic(), deadline, 'timed out')
            time.sleep(0.01)

    def granted(self, request):
        self.assertTrue(request.done.wait(10), 'still waiting')
        self.assertIsNone(request.error)
        return request.holder

    def test_waiters_acquire_in_arrival_order(self):
        first = self.acquire()
        requests = self.queue(*[Request(self.watcher) for _ in range(4)])
        self.assertEqual(4, self.storage.get_lock(PROJECT, LOCK).waiters)
        holder, fences = first, [first.fence]
        for request in requests:
            self.assertFalse(request.done.is_set())
            self.storage.release(PROJECT, LOCK, holder.id)
            holder = self.granted(request)
            fences.append(holder.fence)
            # Only the head of the queue was granted.
            self.assertEqual(1, len(self.storage.get_lock(
                PROJECT, LOCK).holders))
        self.assertEqual([1, 2, 3, 4, 5], fences)

    def test_a_shared_request_never_jumps_an_earlier_exclusive_waiter(self):
        reader = self.acquire(shared=True)
        writer, late_reader = self.queue(Request(self.watcher),
                                         Request(self.watcher, shared=True))
        # The lock is shared, yet the late reader waits behind the writer.
        self.assertFalse(late_reader.done.wait(0.3))
        self.assertEqual(2, self.storage.get_lock(PROJECT, LOCK).waiters)
        self.storage.release(PROJECT, LOCK, reader.id)
        written = self.granted(writer)
        self.assertFalse(late_reader.done.wait(0.2))
        self.storage.release(PROJECT, LOCK, written.id)
        self.assertTrue(self.granted(late_reader).shared)
        self.assertEqual([2, 3], [written.fence, late_reader.holder.fence])

    def test_a_release_grants_every_shared_waiter_at_once(self):
        writer = self.acquire()
        readers = self.queue(*[Request(self.watcher, shared=True)
                               for _ in range(3)])
        self.storage.break_lock(PROJECT, LOCK)
        holders = [self.granted(reader) for reader in readers]
        lock = self.storage.get_lock(PROJECT, LOCK)
        self.assertEqual('shared', lock.mode)
        self.assertEqual(sorted(h.fence for h in holders),
                         [h.fence for h in lock.holders])
        self.assertEqual(writer.fence + 3, lock.fence)

    def test_a_waiter_that_gives_up_hands_on_to_those_behind_it(self):
        self.acquire(shared=True)
        writer, reader = self.queue(Request(self.watcher, wait=0.5),
                                    Request(self.watcher, shared=True))
        self.assertTrue(writer.done.wait(10))
        self.assertIsInstance(writer.error, exceptions.LockHeld)
        # The reader no longer waits behind a writer: it shares the lock.
        self.assertTrue(self.granted(reader).shared)
        self.assertEqual(2, len(self.storage.get_lock(PROJECT, LOCK)
                                .holders))
        self.assertEqual(0, self.storage.get_lock(PROJECT, LOCK).waiters)

    def test_a_lapsed_lease_hands_the_lock_to_the_next_waiter(self):
        expiring = self.acquire(ttl=1)
        waiter, = self.queue(Request(self.watcher))
        holder = self.granted(waiter)
        self.assertEqual(expiring.fence + 1, holder.fence)
        self.assertGreaterEqual(holder.acquired_at, expiring.expires_at)
        self.assertRaises(exceptions.HolderNotFound,
                          self.storage.heartbeat_holder, PROJECT, LOCK,
                          expiring.id)

    def test_deleting_the_holders_session_hands_the_lock_on(self):
        session = self.storage.create_session(PROJECT, 60)
        self.acquire(session=session.id)
        waiter, = self.queue(Request(self.watcher))
        self.storage.delete_session(PROJECT, session.id)
        self.assertEqual(2, self.granted(waiter).fence)

    def test_a_waiter_whose_session_is_deleted_gets_session_not_found(self):
        self.acquire()
        session = self.storage.create_session(PROJECT, 60)
        waiter, = self.queue(Request(self.watcher, session=session.id))
        self.storage.delete_session(PROJECT, session.id)
        self.assertTrue(waiter.done.wait(10))
        self.assertIsInstance(waiter.error, exceptions.SessionNotFound)
        self.assertEqual(0, self.storage.get_lock(PROJECT, LOCK).waiters)

    def test_a_waiter_whose_session_expires_gets_session_not_found(self):
        self.acquire()
        session = self.storage.create_session(PROJECT, 2)
        waiter, = self.queue(Request(self.watcher, session=session.id))
        self.assertTrue(waiter.done.wait(10))
        self.assertIsInstance(waiter.error, exceptions.SessionNotFound)
        self.assertEqual(0, self.storage.get_lock(PROJECT, LOCK).waiters)

    def test_waiters_count_against_max_waiters(self):
        self.acquire()
        requests = self.queue(*[Request(self.watcher) for _ in range(8)])
        self.assertRaises(watch.TooManyWaiters, self.watcher.acquire,
                          PROJECT, LOCK, False, 60, None, 1)
        # Asking without waiting takes no waiter's place.
        self.assertRaises(exceptions.LockHeld, self.watcher.acquire,
                          PROJECT, LOCK, False, 60, None, 0)
        self.storage.break_lock(PROJECT, LOCK)
        for request in requests:
            holder = self.granted(request)
            self.storage.release(PROJECT, LOCK, holder.id)

    def test_fencing_tokens_survive_free_periods_and_restarts(self):
        holder = self.acquire(ttl=1)
        self.wait_until(lambda: self.storage.get_lock(PROJECT, LOCK)
                        .mode is None)
        self.assertEqual(1, self.storage.get_lock(PROJECT, LOCK).fence)
        self.storage.dispose()
        restarted = self.open_storage()
        again = restarted.acquire_lock(PROJECT, LOCK, False, 60).holder
        self.assertEqual(holder.fence + 1, again.fence)
        restarted.break_lock(PROJECT, LOCK)
        self.assertEqual(holder.fence + 2, restarted.acquire_lock(
            PROJECT, LOCK, True, 60).holder.fence)

    def test_an_unknown_session_leaves_no_lock_row_behind(self):
        # Found by the fuzzer: POST /v1/locks/l2/holders {"session":
        # "00000000-0000-0000-0000-000000000000", "wait": 0.01} answered
        # 400 but created the never-deleted row of lock l2.
        unknown = '00000000-0000-0000-0000-000000000000'
        for wait in (0, 0.01):
            self.assertRaises(exceptions.SessionNotFound,
                              self.storage.acquire_lock, PROJECT, 'fresh',
                              False, None, unknown, wait)
        with self.storage.db.engine.connect() as conn:
            self.assertEqual([], conn.execute(
                sa.select(tables.locks)).all())

    def test_over_http_a_waiter_whose_session_ends_gets_400(self):
        services = app.Services(self.conf, self.storage)
        wsgi = app.load_app(self.conf, services)
        self.acquire()
        session = self.storage.create_session(PROJECT, 60)
        request = webob.Request.blank(
            f'/v1/locks/{LOCK}/holders', method='POST',
            headers={'X-Project-Id': PROJECT,
                     'OpenStack-API-Version': 'membership 1.3',
                     'Content-Type': 'application/json'},
            body=json.dumps({'session': session.id, 'wait': 10}).encode())
        answer = {}
        waiter = threading.Thread(target=lambda: answer.update(
            response=request.get_response(wsgi)))
        waiter.start()
        self.wait_until(lambda: self.storage.get_lock(PROJECT, LOCK).waiters)
        self.storage.delete_session(PROJECT, session.id)
        waiter.join(10)
        response = answer['response']
        self.assertEqual(400, response.status_int)
        self.assertEqual('membership.session_not_found',
                         response.json['errors'][0]['code'])

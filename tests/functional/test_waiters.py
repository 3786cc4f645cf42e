"""The waiter cap of one process: a project's share, and slots freed by
clients that went away (membership.watch over real SQLite storage).
"""
import threading
import time

import fixtures
import testtools

from membership import storage
from membership.storage.sqlalchemy import migration
from membership import watch
from tests.functional import fixtures as api_fixtures


class WaitersTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        conf = api_fixtures.make_conf(
            self.useFixture(fixtures.TempDir()).path)
        migration.upgrade(conf)
        self.storage = storage.get_storage(conf)
        self.addCleanup(self.storage.dispose)
        self.storage.put_group('a', 'g', '', {})
        self.group_id = self.storage.events('a', 'g', None, 1,
                                            None).group_id
        self.watcher = watch.Watcher(self.storage, 0.025, max_waiters=4,
                                     project_share=0.5)
        self.release = threading.Event()

    def park(self, project, gone=None):
        """A waiter of ``project`` in a thread, until ``gone`` (default
        self.release) is set: then its client "closes" its connection.
        """
        outcome = []
        gone = gone or self.release

        def on_client_gone(callback):
            watching = threading.Thread(
                target=lambda: gone.wait() and not stopped.is_set() and
                callback())
            watching.start()
            return stopped.set

        stopped = threading.Event()

        def wait():
            try:
                outcome.append(self.watcher.wait(
                    self.group_id, 10 ** 9, 30, project, on_client_gone))
            except watch.TooManyWaiters:
                outcome.append('refused')

        thread = threading.Thread(target=wait)
        thread.start()
        self.addCleanup(thread.join, 30)
        self.addCleanup(self.release.set)
        return thread, outcome

    def wait_for_waiters(self, count):
        deadline = time.monotonic() + 10
        while self.watcher._waiters != count:
            self.assertLess(time.monotonic(), deadline, 'waiters stuck')
            time.sleep(0.01)

    def test_a_project_over_its_share_is_refused_others_are_not(self):
        self.park('a')
        self.park('a')
        self.wait_for_waiters(2)
        _, third = self.park('a')
        self.wait_for_waiters(2)
        deadline = time.monotonic() + 10
        while not third:
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.01)
        self.assertEqual(['refused'], third)
        self.park('b')
        self.wait_for_waiters(3)

    def test_a_waiter_whose_client_went_away_frees_its_slot(self):
        gone = threading.Event()
        thread, outcome = self.park('a', gone)
        self.park('a')
        self.wait_for_waiters(2)
        gone.set()
        thread.join(5)
        self.assertEqual([None], outcome)
        self.wait_for_waiters(1)
        # The project's share counts the live waiter only.
        self.park('a')
        self.wait_for_waiters(2)

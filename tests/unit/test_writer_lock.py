"""SQLite's writers queue on a file lock, not in SQLite's busy handler."""
import os
import threading

import fixtures
import testtools

from membership import blocking
from membership.storage.sqlalchemy import engine


class WriterLockTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.database = os.path.join(
            self.useFixture(fixtures.TempDir()).path, 'm.sqlite')
        self.addCleanup(blocking.install, None)

    def test_a_second_process_waits_until_the_first_releases(self):
        # Two locks on one file are two open files: as two processes.
        first = engine._WriterLock(self.database)
        second = engine._WriterLock(self.database)
        offloaded = []

        def run(fn, args):
            offloaded.append(fn.__name__)
            return fn(*args)

        blocking.install(run)
        acquired = threading.Event()

        def take_second():
            with second:
                acquired.set()

        with first:
            self.assertTrue(os.path.exists(self.database + '.writer'))
            waiter = threading.Thread(target=take_second)
            waiter.start()
            self.assertFalse(acquired.wait(0.3))
        waiter.join(10)
        self.assertTrue(acquired.is_set())
        # Only the contended acquisition waited through the runner.
        self.assertEqual(['flock'], offloaded)

    def test_uncontended_writes_never_wait_through_the_runner(self):
        lock = engine._WriterLock(self.database)
        blocking.install(lambda fn, args: self.fail('offloaded'))
        for _ in range(3):
            with lock:
                pass

    def test_a_failed_write_releases_both_locks(self):
        lock = engine._WriterLock(self.database)
        other = engine._WriterLock(self.database)
        with testtools.ExpectedException(ValueError):
            with lock:
                raise ValueError()
        blocking.install(lambda fn, args: self.fail('still held'))
        with other:
            pass
        with lock:
            pass

    def test_memory_databases_need_no_file(self):
        lock = engine._WriterLock(':memory:')
        with lock:
            pass
        self.assertIsNone(lock._fd)

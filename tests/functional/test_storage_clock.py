"""A write that waited for a group's lock judges time as of after the
wait, on every backend (SQLite, and PostgreSQL and MariaDB, whose clock
is a statement's start: a clock read by the locking statement would be
as of before the wait).
"""
import threading

import sqlalchemy as sa
import testtools

from membership import storage
from membership.storage import records
from membership.storage.sqlalchemy import clock
from membership.storage.sqlalchemy import tables
from tests.functional import fixtures as api_fixtures

HOLD = 1.0
PROJECT = 'clock-project'


class LockWaitClockTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = api_fixtures.synced_conf(self)
        self.storage = storage.get_storage(self.conf)
        self.addCleanup(self.storage.dispose)
        self.storage.put_group(PROJECT, 'g', '', {})
        # The holder takes the row lock through an engine of its own, as
        # another API process would.
        self.other = sa.create_engine(
            self.storage.db.engine.url, connect_args=(
                {'timeout': 10} if self.storage.db.engine.dialect.name ==
                'sqlite' else {}))
        self.addCleanup(self.other.dispose)

    def hold_lock(self, locked, released):
        with self.other.connect() as conn:
            if conn.dialect.name == 'sqlite':
                conn.exec_driver_sql('BEGIN IMMEDIATE')
            else:
                conn.begin()
            conn.execute(sa.select(tables.groups.c.id).where(
                tables.groups.c.name == 'g').with_for_update())
            locked.set()
            threading.Event().wait(HOLD)
            released.append(clock.read(conn))
            conn.commit()

    def test_update_after_a_lock_wait_is_stamped_after_it(self):
        locked, released = threading.Event(), []
        holder = threading.Thread(target=self.hold_lock,
                                  args=(locked, released))
        holder.start()
        self.assertTrue(locked.wait(10))
        group = self.storage.update_group(
            PROJECT, 'g', lambda g: ('changed', g.metadata),
            records.NO_CONDITIONS)
        holder.join()
        self.assertEqual('changed', group.description)
        # Stamped by the database's clock once the lock was ours: not
        # before the holder let go of it.
        self.assertGreaterEqual(group.updated_at, released[0])

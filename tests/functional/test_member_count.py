"""A group's member_count is exact through every way a member goes.

``groups.member_count`` is what members_per_group checks a join
against, without counting the group: it must equal the group's member
rows at every commit, and, once the group's due expiries are recorded
(every write does it first), its live members. Expiry is made due by
moving the database's own expiry times into the past, on the backend
under test (SQLite, or MEMBERSHIP_TEST_DB_URL), so no test sleeps.
"""
import fixtures
import sqlalchemy as sa
import testtools

from membership.quota import enforcers
from membership import storage
from membership.storage import exceptions
from membership.storage import records
from membership.storage.sqlalchemy import migration
from membership.storage.sqlalchemy import tables
from tests import dbserver
from tests.functional import fixtures as api_fixtures

PROJECT = 'count-project'
G = tables.groups
M = tables.members
S = tables.sessions
NONE = records.NO_CONDITIONS


class MemberCountTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        tmp = self.useFixture(fixtures.TempDir()).path
        database = dbserver.fresh_database()
        overrides = {'quota': {'members_per_group': 3}}
        if database:
            self.addCleanup(database.drop)
            overrides['database'] = {'connection': database.url}
        conf = api_fixtures.make_conf(tmp, **overrides)
        migration.upgrade(conf)
        self.storage = storage.get_storage(
            conf, quota=enforcers.for_conf(conf))
        self.addCleanup(self.storage.dispose)
        self.engine = self.storage.db.engine
        self.storage.put_group(PROJECT, 'g', '', {})

    def join(self, member_id, ttl=60, session_id=None):
        self.storage.put_member(PROJECT, 'g', member_id, {}, ttl, NONE,
                                session_id)

    def counted(self):
        """``(member_count, member rows)`` of the group, as committed."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(G.c.id, G.c.member_count).where(
                G.c.project_id == PROJECT, G.c.name == 'g')).one()
            rows = conn.execute(sa.select(sa.func.count()).where(
                M.c.group_id == row.id)).scalar()
        return row.member_count, rows

    def assertLive(self, expected):
        """Settled: the count is the rows, and they are the live ones."""
        group = self.storage.get_group(PROJECT, 'g')
        self.assertEqual(expected, group.member_count)
        self.assertEqual((expected, expected), self.counted())

    def make_due(self, table, where):
        with self.engine.begin() as conn:
            conn.execute(table.update().where(where).values(
                expires_at=table.c.expires_at - 3600 * 1000000))

    def test_join_leave_and_rejoin(self):
        self.join('a')
        self.join('b')
        self.assertLive(2)
        self.join('a')  # already a member: a replace, not a join
        self.assertLive(2)
        self.storage.leave(PROJECT, 'g', 'a', NONE)
        self.assertLive(1)
        self.join('a')
        self.assertLive(2)

    def test_expiry_is_counted_when_recorded(self):
        self.join('a', ttl=10)
        self.join('b')
        self.make_due(M, M.c.member_id == 'a')
        # Not recorded yet: the count still matches the rows.
        count, rows = self.counted()
        self.assertEqual((2, 2), (count, rows))
        self.join('c')  # records a's expiry first
        self.assertLive(2)
        events = self.storage.events(PROJECT, 'g', 0, 100)
        self.assertIn(('expired', 'a'),
                      [(e.type, e.member_id) for e in events.events])

    def test_session_deletion_and_expiry(self):
        first = self.storage.create_session(PROJECT, 60)
        second = self.storage.create_session(PROJECT, 60)
        self.join('a', session_id=first.id)
        self.join('b', session_id=first.id)
        self.join('c', session_id=second.id)
        self.assertLive(3)
        self.storage.delete_session(PROJECT, first.id)
        self.assertLive(1)
        self.make_due(S, S.c.id == second.id)
        self.storage.settle(self._group_id())
        self.assertLive(0)

    def test_group_deletion_starts_a_new_group_at_zero(self):
        self.join('a', ttl=10)
        self.make_due(M, M.c.member_id == 'a')
        self.storage.delete_group(PROJECT, 'g', NONE)
        self.storage.put_group(PROJECT, 'g', '', {})
        self.assertLive(0)
        self.join('a')
        self.assertLive(1)

    def test_quota_counts_live_members_only(self):
        for member_id in 'abc':
            self.join(member_id, ttl=10)
        e = self.assertRaises(exceptions.QuotaExceeded, self.join, 'd')
        self.assertEqual((3, 1), (e.usage, e.delta))
        # An expiry nobody has recorded yet frees its place at once.
        self.make_due(M, M.c.member_id == 'b')
        self.join('d')
        self.assertLive(3)
        self.assertRaises(exceptions.QuotaExceeded, self.join, 'e')
        self.assertLive(3)

    def _group_id(self):
        with self.engine.connect() as conn:
            return conn.execute(sa.select(G.c.id).where(
                G.c.project_id == PROJECT, G.c.name == 'g')).scalar()

"""A group's member_count and member_bytes are exact through every way
a member comes and goes.

``groups.member_count`` is what members_per_group checks a join
against, and ``member_bytes`` what stored_bytes sums, without counting
the group: they must equal the group's member rows (and the bytes of
their capabilities) at every commit, and, once the group's due
expiries are recorded (every write does it first), its live members.
Expiry is made due by moving the database's own expiry times into the
past, on the backend under test (SQLite, or MEMBERSHIP_TEST_DB_URL), so
no test sleeps.
"""
import sqlalchemy as sa
import testtools

from membership.quota import enforcers
from membership.quota import limits
from membership import storage
from membership.storage import exceptions
from membership.storage import records
from membership.storage.sqlalchemy import changes
from membership.storage.sqlalchemy import clock
from membership.storage.sqlalchemy import tables
from membership.storage.sqlalchemy import usage
from tests.functional import fixtures as api_fixtures

PROJECT = 'count-project'
G = tables.groups
M = tables.members
S = tables.sessions
NONE = records.NO_CONDITIONS


class MemberCountTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        conf = api_fixtures.synced_conf(
            self, quota={'members_per_group': 3, 'stored_bytes': 100})
        self.storage = storage.get_storage(
            conf, quota=enforcers.for_conf(conf))
        self.addCleanup(self.storage.dispose)
        self.engine = self.storage.db.engine
        self.storage.put_group(PROJECT, 'g', '', {})

    def join(self, member_id, ttl=60, session_id=None, capabilities=None,
             group='g'):
        self.storage.put_member(PROJECT, group, member_id,
                                capabilities or {}, ttl, NONE, session_id)

    def counted(self, group='g'):
        """``((member_count, member_bytes), (rows, their bytes))`` of the
        group, as committed.
        """
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(
                G.c.id, G.c.member_count, G.c.member_bytes).where(
                    G.c.project_id == PROJECT, G.c.name == group)).one()
            rows = conn.execute(sa.select(
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(changes.SIZE), 0)).where(
                    M.c.group_id == row.id)).one()
        return (row.member_count, row.member_bytes), tuple(rows)

    def assertLive(self, expected, group='g'):
        """Settled: the counters are the rows, and they are the live
        ones; the project's stored bytes are what its live rows hold.
        """
        found = self.storage.get_group(PROJECT, group)
        self.assertEqual(expected, found.member_count)
        counters, rows = self.counted(group)
        self.assertEqual(counters, rows)
        self.assertEqual(expected, counters[0])
        self.assertStoredBytes()

    def assertStoredBytes(self):
        """The quota's stored bytes equal a count of every live row."""
        with self.engine.connect() as conn:
            now = clock.read(conn)
            metadata = sa.select(sa.func.coalesce(sa.func.sum(
                sa.func.length(G.c.metadata)), 0)).where(
                    G.c.project_id == PROJECT).scalar_subquery()
            live = (sa.select(sa.func.coalesce(
                sa.func.sum(sa.func.length(M.c.capabilities)), 0))
                .select_from(changes.MEMBERS_WITH_SESSION.join(
                    G, M.c.group_id == G.c.id))
                .where(G.c.project_id == PROJECT, changes.member_live(now))
                .scalar_subquery())
            expected = conn.execute(sa.select(metadata + live)).scalar()
            counted = usage.counter(conn, PROJECT, now)(
                [limits.STORED_BYTES])[limits.STORED_BYTES]
        self.assertEqual(int(expected), counted)

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
        # Not recorded yet: the counters still match the rows, and the
        # stored bytes already leave a out.
        counters, rows = self.counted()
        self.assertEqual(counters, rows)
        self.assertEqual(2, counters[0])
        self.assertStoredBytes()
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

    def test_stored_bytes_freed_by_an_expiry_the_join_records(self):
        self.join('a', ttl=10, capabilities={'x': 'a' * 60})  # 68 bytes
        self.join('b', capabilities={'y': 'b' * 20})  # 28 bytes
        e = self.assertRaises(exceptions.QuotaExceeded, self.join, 'c',
                              capabilities={'z': 'c' * 20})
        # and the group's metadata, {}: 2 bytes.
        self.assertEqual((limits.STORED_BYTES, 98, 28),
                         (e.name, e.usage, e.delta))
        # The join records a's expiry, then checks: 2 + 28 + 28 bytes.
        self.make_due(M, M.c.member_id == 'a')
        self.join('c', capabilities={'z': 'c' * 20})
        self.assertLive(2)

    def _group_id(self):
        with self.engine.connect() as conn:
            return conn.execute(sa.select(G.c.id).where(
                G.c.project_id == PROJECT, G.c.name == 'g')).scalar()

    def test_capabilities_are_counted_as_they_change(self):
        self.storage.put_group(PROJECT, 'other', 'd', {'k': 'v'})
        self.join('a', capabilities={'role': 'x'})
        self.join('b', capabilities=[1, 2, 3])
        self.assertLive(2)
        self.join('a', capabilities={'role': 'a much longer value'})
        self.assertLive(2)
        self.storage.update_member(
            PROJECT, 'g', 'b', lambda member: ('short', member.ttl), NONE)
        self.assertLive(2)
        self.join('z', ttl=10, capabilities={'in': 'other'}, group='other')
        session = self.storage.create_session(PROJECT, 60)
        self.join('s', session_id=session.id, capabilities={'s': 1},
                  group='other')
        self.assertLive(2, group='other')
        # Due in the other group, recorded by nobody yet: not counted.
        self.make_due(M, M.c.member_id == 'z')
        self.make_due(S, S.c.id == session.id)
        self.assertStoredBytes()
        self.storage.leave(PROJECT, 'g', 'a', NONE)
        self.assertLive(1)
        self.join('c', capabilities={'c': 'c'})
        self.assertLive(2)
        self.assertLive(0, group='other')

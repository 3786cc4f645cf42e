"""Has this group an expiry to record?" asks about that group only.

The question is what every read of a group and the watch poller ask
before they answer (``changes.expiry_due``); answered for the wrong
group, each read of every group takes the write path to record nothing.
"""
import sqlalchemy as sa
import testtools

from membership import storage
from membership.storage.sqlalchemy import tables
from tests.functional import fixtures as api_fixtures

PROJECT = 'expiry-project'


class ExpiryDueTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        conf = api_fixtures.synced_conf(self)
        self.storage = storage.get_storage(conf)
        self.addCleanup(self.storage.dispose)
        for name in ('bound', 'other'):
            self.storage.put_group(PROJECT, name, '', {})
        session = self.storage.create_session(PROJECT, 600)
        self.storage.put_member(PROJECT, 'bound', 'm', {}, 600,
                                session_id=session.id)
        self.storage.put_member(PROJECT, 'other', 'm', {}, 600)
        # The session lapses: its member in 'bound' is due to expire.
        with self.storage.db.engine.begin() as conn:
            conn.execute(tables.sessions.update().values(expires_at=1))
            self.ids = dict(conn.execute(sa.select(
                tables.groups.c.name, tables.groups.c.id)).all())

    def test_a_lapsed_session_makes_only_its_own_groups_due(self):
        states = self.storage.watch_states(list(self.ids.values()))
        self.assertTrue(states[self.ids['bound']].expiry_due)
        self.assertFalse(states[self.ids['other']].expiry_due)

    def test_once_recorded_nothing_is_due(self):
        self.storage.settle(self.ids['bound'])
        states = self.storage.watch_states(list(self.ids.values()))
        self.assertFalse(states[self.ids['bound']].expiry_due)

"""Events by revision, and what long-polls need to wait on them."""
import sqlalchemy as sa

from membership.storage import exceptions
from membership.storage import records
from membership.storage.sqlalchemy import changes
from membership.storage.sqlalchemy import clock
from membership.storage.sqlalchemy import database
from membership.storage.sqlalchemy import engine
from membership.storage.sqlalchemy import tables

G = tables.groups
E = tables.events

# Built once: the poller runs it every [api] watch_poll_interval while
# anyone waits, and a statement built per call costs ~20x its SQL.
WATCH_STATES = sa.select(
    G.c.id, G.c.revision, changes.expiry_due(clock.now()).label('due')
).where(G.c.id.in_(sa.bindparam('ids', expanding=True)))
# Built once too: every long-poll runs these as it parks, and again
# (shared by its group's waiters) at each change.
_GROUP = database.settled_query()
_EVENTS = (sa.select(E).where(E.c.group_id == sa.bindparam('p_group_id'),
                              E.c.revision > sa.bindparam('p_since'))
           .order_by(E.c.revision).limit(sa.bindparam('p_limit')))
_EVENTS_OF_TYPES = _EVENTS.where(
    E.c.type.in_(sa.bindparam('p_types', expanding=True)))


class Events:

    def __init__(self, db):
        self.db = db

    @engine.translated()
    def events(self, project_id, group, since, limit, types=None):
        row = self.db.settled_row(project_id, group, _GROUP)
        if since is None:
            since = row.revision
        if since < row.compacted_revision:
            raise exceptions.RevisionCompacted(since, row.compacted_revision)
        names = {'p_group_id': row.id, 'p_since': since, 'p_limit': limit}
        query = _EVENTS
        if types is not None:
            query = _EVENTS_OF_TYPES
            names['p_types'] = list(types)
        with self.db.tx.read_one() as conn:
            found = [records.Event(revision=e.revision, type=e.type,
                                   member_id=e.member_id, at=e.at)
                     for e in conn.execute(query, names)]
        # Changes may have come between the two reads.
        revision = max([row.revision] + [e.revision for e in found])
        return records.Events(group_id=row.id, events=found,
                              revision=revision)

    @engine.translated()
    def watch_states(self, group_ids):
        with self.db.tx.read_one() as conn:
            rows = conn.execute(WATCH_STATES,
                                {'ids': list(group_ids)}).all()
        return {row.id: records.WatchState(revision=row.revision,
                                           expiry_due=bool(row.due))
                for row in rows}

    @engine.translated()
    def settle(self, group_id):
        self.db.settle(group_id)

"""Events by revision, and what long-polls need to wait on them."""
import sqlalchemy as sa

from membership.storage import base
from membership.storage.sqlalchemy import changes
from membership.storage.sqlalchemy import clock
from membership.storage.sqlalchemy import engine
from membership.storage.sqlalchemy import tables

G = tables.groups
M = tables.members
C = tables.candidates
E = tables.events


def expiry_due(now):
    """A correlated EXISTS: the outer group has an unrecorded expiry."""
    members = (sa.select(M.c.id).select_from(changes.MEMBERS_WITH_SESSION)
               .where(M.c.group_id == G.c.id,
                      changes.MEMBER_EXPIRY <= now))
    candidates = (sa.select(C.c.id)
                  .select_from(changes.CANDIDATES_WITH_SESSION)
                  .where(C.c.group_id == G.c.id,
                         changes.CANDIDATE_EXPIRY <= now))
    return sa.or_(members.exists(), candidates.exists())


class EventStorage:

    def settle(self, group_id):
        """Record the group's due expiries (and the leadership they hand
        on) now, in a transaction of their own. A group deleted meanwhile
        has nothing left to record.
        """
        try:
            with self.changing(group_id=group_id):
                pass
        except base.GroupNotFound:
            pass

    def _settled_group(self, project_id, group, *columns):
        """The group row (and ``columns``), due expiries recorded first.

        The read's connection goes back to the pool before settling, so
        a busy pool cannot starve on a read that needs a second one.
        """
        query = sa.select(G.c.id, G.c.revision, G.c.compacted_revision,
                          *columns, expiry_due(clock.now()).label('due')
                          ).where(G.c.project_id == project_id,
                                  G.c.name == group)
        with self.tx.read() as conn:
            row = conn.execute(query).first()
        if row is not None and row.due:
            self.settle(row.id)
            with self.tx.read() as conn:
                row = conn.execute(query).first()
        if row is None:
            raise base.GroupNotFound(group)
        return row

    @engine.translated()
    def events(self, project_id, group, since, limit, types=None):
        """Events with revision > ``since`` (None: the current revision),
        oldest first; ``types`` limits which are returned.
        """
        row = self._settled_group(project_id, group)
        with self.tx.read() as conn:
            if since is None:
                since = row.revision
            if since < row.compacted_revision:
                raise base.RevisionCompacted(since, row.compacted_revision)
            query = (sa.select(E).where(E.c.group_id == row.id,
                                        E.c.revision > since)
                     .order_by(E.c.revision).limit(limit))
            if types is not None:
                query = query.where(E.c.type.in_(types))
            found = [base.Event(revision=e.revision, type=e.type,
                                member_id=e.member_id, at=e.at)
                     for e in conn.execute(query)]
        # Changes may have come between the two reads.
        revision = max([row.revision] + [e.revision for e in found])
        return base.Events(group_id=row.id, events=found, revision=revision)

    @engine.translated()
    def watch_states(self, group_ids):
        """One cheap query for every group this process has waiters on:
        ``{group_id: WatchState}``; a deleted group is absent.
        """
        with self.tx.read() as conn:
            rows = conn.execute(
                sa.select(G.c.id, G.c.revision,
                          expiry_due(clock.now()).label('due'))
                .where(G.c.id.in_(list(group_ids)))).all()
        return {row.id: base.WatchState(revision=row.revision,
                                        expiry_due=bool(row.due))
                for row in rows}

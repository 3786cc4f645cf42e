"""How a group's membership changes: under its row lock, in revisions.

Expiry without a reaper. A member is alive while its expiry (its own
``expires_at``, or its session's) is after the database's clock; every
read compares inside the query, so no process ever sees an expired member
and none needs a reaper for that. What remains is the *record* of an
expiry: its ``expired`` event and its revision, in order with the other
changes. Whoever changes the group first (any API process, in the same
transaction as its own change, under the group's row lock) records every
expiry that has come due, ordered by expiry time, with ``at`` equal to the
expiry instant, before its own change takes the next revision. A process
holding long-poll watchers on a group also records due expiries when the
earliest one passes (see :mod:`membership.api.watch`), so watchers hear
of an expiry within a second even when nobody else touches the group.
Nothing depends on any one process staying alive.
"""
import json

import sqlalchemy as sa

from membership.storage import base
from membership.storage.sqlalchemy import clock
from membership.storage.sqlalchemy import tables

G = tables.groups
M = tables.members
S = tables.sessions
E = tables.events

MEMBER_EXPIRY = sa.func.coalesce(S.c.expires_at, M.c.expires_at)
MEMBERS_WITH_SESSION = M.outerjoin(S, M.c.session_id == S.c.id)


def member_live(now):
    return sa.or_(MEMBER_EXPIRY.is_(None), MEMBER_EXPIRY > now)


def live_member_count(now):
    """A correlated subquery: live members of the outer query's group."""
    return (sa.select(sa.func.count())
            .select_from(MEMBERS_WITH_SESSION)
            .where(M.c.group_id == G.c.id, member_live(now))
            .scalar_subquery())


def etag(row_id, generation):
    return f'"{row_id:x}-{generation:x}"'


def dumps(value):
    return json.dumps(value, separators=(',', ':'), sort_keys=True)


def lock_group(conn, project_id, name):
    """Lock the group's row for this transaction and read the clock."""
    row = conn.execute(
        sa.select(G, clock.now().label('now'))
        .where(G.c.project_id == project_id, G.c.name == name)
        .with_for_update()).first()
    if row is None:
        raise base.GroupNotFound(name)
    return row


class Changes:
    """The events of one transaction on one locked group.

    ``record`` hands out revisions; ``flush`` writes the events, moves the
    group's revision and purges events older than the retention.
    """

    def __init__(self, conn, group_row, retention):
        self.conn = conn
        self.group = group_row
        self.now = group_row.now
        self.revision = group_row.revision
        self.retention = retention
        self.pending = []

    def record(self, type_, member_id, at=None):
        self.revision += 1
        self.pending.append({'group_id': self.group.id,
                             'revision': self.revision, 'type': type_,
                             'member_id': member_id,
                             'at': self.now if at is None else at})

    def expire_due(self):
        """Record and remove every member whose expiry has passed."""
        due = self.conn.execute(
            sa.select(M.c.id, M.c.member_id, MEMBER_EXPIRY.label('at'))
            .select_from(MEMBERS_WITH_SESSION)
            .where(M.c.group_id == self.group.id,
                   MEMBER_EXPIRY <= self.now)
            .order_by(MEMBER_EXPIRY, M.c.id)).all()
        if due:
            self.conn.execute(M.delete().where(
                M.c.id.in_([row.id for row in due])))
            for row in due:
                self.record('expired', row.member_id, row.at)
        return due

    def flush(self):
        if not self.pending:
            return
        self.conn.execute(E.insert(), self.pending)
        values = {'revision': self.revision}
        cutoff = self.now - self.retention * clock.SECOND
        purged = self.conn.execute(
            sa.select(sa.func.max(E.c.revision))
            .where(E.c.group_id == self.group.id, E.c.at < cutoff)
        ).scalar()
        if purged is not None:
            self.conn.execute(E.delete().where(
                E.c.group_id == self.group.id, E.c.revision <= purged))
            values['compacted_revision'] = purged
        self.conn.execute(G.update().where(G.c.id == self.group.id)
                          .values(**values))
        self.pending = []

"""How a group's membership changes: under its row lock, in revisions.

Expiry without a reaper. A member (or candidate) is alive while its
expiry -- its own ``expires_at``, or its session's -- is after the
database's clock; every read compares inside the query, so no process
ever sees an expired member, and none needs a reaper for that. What
remains is the *record* of an expiry: its ``expired`` event, its revision
in order with the other changes, and the leadership it hands on.
Whoever touches the group first after the expiry -- any API process
changing it, reading its events, its revision or its leader -- records,
under the group's row lock and in the same transaction as its own work,
every expiry that has come due, in expiry order, with ``at`` equal to the
expiry instant, before its own change takes the next revision. Each API
process that holds long-poll watchers on a group also records the group's
due expiries as soon as the earliest one passes (``membership.api.watch``
polls the groups it has waiters on), so watchers hear of an expiry
within a second even when nobody else touches the group. No daemon is
needed and any process may die: the record is made by whoever comes next.
"""
import json

import sqlalchemy as sa

from membership.storage import base
from membership.storage.sqlalchemy import clock
from membership.storage.sqlalchemy import tables

G = tables.groups
M = tables.members
C = tables.candidates
S = tables.sessions
E = tables.events

MEMBER_EXPIRY = sa.func.coalesce(S.c.expires_at, M.c.expires_at)
MEMBERS_WITH_SESSION = M.outerjoin(S, M.c.session_id == S.c.id)
CANDIDATE_EXPIRY = sa.func.coalesce(S.c.expires_at, C.c.expires_at)
CANDIDATES_WITH_SESSION = C.outerjoin(S, C.c.session_id == S.c.id)


def member_live(now):
    return sa.or_(MEMBER_EXPIRY.is_(None), MEMBER_EXPIRY > now)


def candidate_live(now):
    return sa.or_(CANDIDATE_EXPIRY.is_(None), CANDIDATE_EXPIRY > now)


def live_member_count(now):
    """A correlated subquery: live members of the outer query's group."""
    return (sa.select(sa.func.count())
            .select_from(MEMBERS_WITH_SESSION)
            .where(M.c.group_id == G.c.id, member_live(now))
            .scalar_subquery())


def next_expiry():
    """A correlated subquery: the outer group's earliest pending expiry."""
    members = (sa.select(sa.func.min(MEMBER_EXPIRY))
               .select_from(MEMBERS_WITH_SESSION)
               .where(M.c.group_id == G.c.id).scalar_subquery())
    candidates = (sa.select(sa.func.min(CANDIDATE_EXPIRY))
                  .select_from(CANDIDATES_WITH_SESSION)
                  .where(C.c.group_id == G.c.id).scalar_subquery())
    return members, candidates


def etag(row_id, generation):
    return f'"{row_id:x}-{generation:x}"'


def dumps(value):
    return json.dumps(value, separators=(',', ':'), sort_keys=True)


def lock_group(conn, project_id=None, name=None, group_id=None):
    """Lock the group's row for this transaction and read the clock."""
    where = ((G.c.id == group_id,) if group_id is not None else
             (G.c.project_id == project_id, G.c.name == name))
    row = conn.execute(sa.select(G, clock.now().label('now'))
                       .where(*where).with_for_update()).first()
    if row is None:
        raise base.GroupNotFound(name)
    return row


class Changes:
    """The changes of one transaction to one locked group.

    ``record`` hands out the group's next revisions; ``flush`` writes the
    events, the new revision, the election's outcome, and purges events
    older than the retention.
    """

    def __init__(self, conn, group_row, retention):
        self.conn = conn
        self.group = group_row
        self.now = group_row.now
        self.revision = group_row.revision
        self.retention = retention
        self.pending = []
        # Election: re-run at flush when candidacies changed.
        self.leader_id = group_row.leader_id
        self.term = group_row.term
        self.election_due = False
        self.stood_down = False
        self.leader_gone_at = None

    def record(self, type_, member_id, at=None):
        self.revision += 1
        self.pending.append({'group_id': self.group.id,
                             'revision': self.revision, 'type': type_,
                             'member_id': member_id,
                             'at': self.now if at is None else at})

    def expire_due(self):
        """Record and remove every member and candidate whose expiry has
        passed, oldest first.
        """
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
        gone = self.conn.execute(
            sa.select(C.c.id, C.c.candidate_id, CANDIDATE_EXPIRY.label('at'))
            .select_from(CANDIDATES_WITH_SESSION)
            .where(C.c.group_id == self.group.id,
                   CANDIDATE_EXPIRY <= self.now)).all()
        if gone:
            self.conn.execute(C.delete().where(
                C.c.id.in_([row.id for row in gone])))
            self.election_due = True
            for row in gone:
                if row.candidate_id == self.leader_id:
                    self.leader_gone_at = row.at

    def candidacy_changed(self, stood_down=False):
        self.election_due = True
        self.stood_down = self.stood_down or stood_down

    def _elect(self):
        """The first live candidate leads; a change makes a new term."""
        leader = self.conn.execute(
            sa.select(C.c.candidate_id).select_from(CANDIDATES_WITH_SESSION)
            .where(C.c.group_id == self.group.id, candidate_live(self.now))
            .order_by(C.c.position).limit(1)).scalar()
        stood_down, gone_at = self.stood_down, self.leader_gone_at
        self.election_due = self.stood_down = False
        self.leader_gone_at = None
        if leader == self.leader_id and not stood_down:
            return {}
        self.leader_id = leader
        if leader is None:
            return {'leader_id': None, 'elected_at': None}
        at = gone_at if gone_at is not None and not stood_down else self.now
        self.term += 1
        self.record('elected', leader, at)
        return {'leader_id': leader, 'term': self.term, 'elected_at': at}

    def flush(self):
        values = self._elect() if self.election_due else {}
        if not self.pending and not values:
            return
        if self.pending:
            self.conn.execute(E.insert(), self.pending)
            values['revision'] = self.revision
            values.update(self._purge())
        self.conn.execute(G.update().where(G.c.id == self.group.id)
                          .values(**values))
        self.pending = []

    def _purge(self):
        cutoff = self.now - self.retention * clock.SECOND
        purged = self.conn.execute(
            sa.select(sa.func.max(E.c.revision))
            .where(E.c.group_id == self.group.id, E.c.at < cutoff)).scalar()
        if purged is None:
            return {}
        self.conn.execute(E.delete().where(E.c.group_id == self.group.id,
                                           E.c.revision <= purged))
        return {'compacted_revision': purged}

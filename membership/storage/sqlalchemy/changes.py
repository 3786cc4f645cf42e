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
due expiries as soon as the earliest one passes (``membership.watch``
polls the groups it has waiters on every ``[api] watch_poll_interval``,
25 ms by default), so watchers hear of an expiry within that interval
even when nobody else touches the group. No daemon is
needed and any process may die: the record is made by whoever comes next.
"""
import types

import sqlalchemy as sa

from membership.storage.sqlalchemy import clock
from membership.storage.sqlalchemy import tables

G = tables.groups
M = tables.members
C = tables.candidates
S = tables.sessions
E = tables.events

# The statements of every change are built once, here, with bind
# parameters: building them per call cost more than running them.
GROUP_ID = sa.bindparam('p_group_id')
NOW = sa.bindparam('p_now')
# Bytes of a row's capabilities (canonical JSON is ASCII: characters
# are bytes on every backend).
SIZE = sa.func.length(M.c.capabilities).label('size')

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


def _due_by_own_expiry(table, group_id, now, *columns):
    return (sa.select(*columns, table.c.expires_at.label('at'))
            .where(table.c.group_id == group_id, table.c.expires_at <= now))


def _expired_sessions(table, group_id, now):
    """Expired sessions with rows of ``table`` in the group."""
    # Correlated to the session and, inside expiry_due, to the outer
    # query's group: SQLAlchemy correlates only to the enclosing SELECT
    # by itself, and would add ``groups`` to this FROM (any group's).
    in_group = sa.exists().where(
        table.c.session_id == S.c.id,
        table.c.group_id == group_id).correlate_except(table)
    return sa.select(S.c.id, S.c.expires_at).where(S.c.expires_at <= now,
                                                   in_group)


def expiry_due(now, group_id=G.c.id):
    """An EXISTS: the group (by default the outer query's, correlated)
    has an unrecorded expiry.

    ``coalesce(session's expiry, own expiry) <= now`` would scan the
    group; a row has one or the other (a session-bound row's own
    ``expires_at`` is NULL), so each is an index range scan: rows due
    by their own expiry (``(group_id, expires_at)``), and expired
    sessions (``sessions_expires_idx``: few, purged after the retention)
    probed for rows here (``(session_id, group_id)``).
    """
    return sa.or_(*(query.exists() for table in (M, C) for query in (
        _due_by_own_expiry(table, group_id, now, table.c.id),
        _expired_sessions(table, group_id, now))))


_LOCK_BY_ID = sa.select(G).where(G.c.id == GROUP_ID).with_for_update()
_LOCK_BY_NAME = (sa.select(G)
                 .where(G.c.project_id == sa.bindparam('p_project'),
                        G.c.name == sa.bindparam('p_group'))
                 .with_for_update())
_CLOCK_AND_DUE = sa.select(clock.now().label('clock_now'),
                           expiry_due(clock.now(), GROUP_ID).label('due'))
_UPDATE_GROUP = G.update().where(G.c.id == GROUP_ID)
_PURGEABLE = (sa.select(sa.func.max(E.c.revision))
              .where(E.c.group_id == GROUP_ID,
                     E.c.at < sa.bindparam('p_cutoff')))
_PURGE = E.delete().where(E.c.group_id == GROUP_ID,
                          E.c.revision <= sa.bindparam('p_revision'))


def _lock(conn, project_id, name, group_id,
          statements=(_LOCK_BY_ID, _LOCK_BY_NAME)):
    by_id, by_name = statements
    if group_id is not None:
        return conn.execute(by_id, {'p_group_id': group_id}).first()
    return conn.execute(by_name, {'p_project': project_id,
                                  'p_group': name}).first()


def lock_group(conn, project_id=None, name=None, group_id=None):
    """Lock the group's row for this transaction, then read the clock:
    ``(row, now)``, row None when there is no such group.

    The clock is read by a statement of its own once the lock is held:
    PostgreSQL's and MariaDB's clock is a statement's start, so a clock
    read by the locking statement itself would be as of before its lock
    wait, and a write that waited must not judge expiry (or stamp times)
    as of then.
    """
    row = _lock(conn, project_id, name, group_id)
    if row is None:
        return None, None
    return row, clock.read(conn)


# SQLite: a write transaction (BEGIN IMMEDIATE) already holds the
# database's one write lock, so no lock wait can come between reading
# the row and reading the clock: the row, the clock and whether an
# expiry is due come in one statement.
_CLOCK_DUE_COLUMNS = (clock.now().label('clock_now'),
                      expiry_due(clock.now()).label('clock_due'))
_ROW_CLOCK_DUE_BY_ID = sa.select(G, *_CLOCK_DUE_COLUMNS).where(
    G.c.id == GROUP_ID)
_ROW_CLOCK_DUE_BY_NAME = sa.select(G, *_CLOCK_DUE_COLUMNS).where(
    G.c.project_id == sa.bindparam('p_project'),
    G.c.name == sa.bindparam('p_group'))


def lock_group_due(conn, project_id=None, name=None, group_id=None):
    """:func:`lock_group`, and whether the group has an expiry to
    record, read with the clock in one statement: ``(row, now, due)``.
    """
    if conn.dialect.name == 'sqlite':
        return _row_clock_due(conn, project_id, name, group_id)
    row = _lock(conn, project_id, name, group_id)
    if row is None:
        return None, None, False
    now, due = conn.execute(_CLOCK_AND_DUE, {'p_group_id': row.id}).one()
    return row, now, bool(due)


def _row_clock_due(conn, project_id, name, group_id):
    row = _lock(conn, project_id, name, group_id,
                (_ROW_CLOCK_DUE_BY_ID, _ROW_CLOCK_DUE_BY_NAME))
    if row is None:
        return None, None, False
    return row, row.clock_now, bool(row.clock_due)


class Changes:
    """The changes of one transaction to one locked group.

    ``record`` hands out the group's next revisions; ``flush`` writes the
    events, the new revision, the election's outcome, and purges events
    older than the retention. ``frugal`` changes (a delete in a full
    database) write no event: flush drops every kept event of the group
    instead and marks them all compacted, so the change frees space and
    a watcher learns it missed events (410) rather than nothing.
    """

    def __init__(self, conn, group_row, now, retention, frugal=False):
        self.conn = conn
        self.group = group_row
        self.group_id = group_row.id
        self.now = now
        self.revision = group_row.revision
        # The group's member rows and their capabilities' bytes, as
        # this transaction leaves them (written by flush).
        self.member_count = group_row.member_count
        self.member_bytes = group_row.member_bytes
        self.retention = retention
        self.frugal = frugal
        self.pending = []
        # Election: re-run at flush when candidacies changed.
        self.leader_id = group_row.leader_id
        self.term = group_row.term
        self.election_due = False
        self.stood_down = False
        self.leader_gone_at = None
        self.election = {}

    @property
    def watch_key(self):
        """What the group's waiters wait on (``Watcher`` keys)."""
        return self.group_id

    def record(self, type_, member_id, at=None):
        self.revision += 1
        if self.frugal:
            return
        self.pending.append({'group_id': self.group.id,
                             'revision': self.revision, 'type': type_,
                             'member_id': member_id,
                             'at': self.now if at is None else at})

    def counted(self, rows, size):
        """Member rows (negative: removed) holding ``size`` bytes of
        capabilities were added to the group, or resized (``rows`` 0).
        """
        self.member_count += rows
        self.member_bytes += size

    @property
    def unflushed_bytes(self):
        """Capability bytes added to the group but not yet written."""
        return self.member_bytes - self.group.member_bytes

    def _remove_if_due(self, table, row):
        """Delete one row only if it is still due: a heartbeat that
        committed since the due rows were read keeps it alive.
        """
        if row.session_id is None:
            still_due = sa.and_(table.c.expires_at.is_not(None),
                                table.c.expires_at <= self.now)
        else:
            still_due = sa.exists().where(S.c.id == row.session_id,
                                          S.c.expires_at <= self.now)
        return self.conn.execute(table.delete().where(
            table.c.id == row.id, still_due)).rowcount == 1

    def expire_due(self):
        """Record and remove every member and candidate whose expiry has
        passed, in the order of their expiries (a leader's included).
        """
        gone = self._due_rows(C, C.c.candidate_id)
        for row in gone:
            if self._remove_if_due(C, row):
                self.election_due = True
                if row.candidate_id == self.leader_id:
                    self.leader_gone_at = row.at
        due = self._due_rows(M, M.c.member_id, SIZE)
        for row in due:
            if (self.election_due and self.leader_gone_at is not None
                    and row.at > self.leader_gone_at):
                # The new leader took over before this expiry.
                self.election = self._elect()
            if self._remove_if_due(M, row):
                self.record('expired', row.member_id, row.at)
                self.counted(-1, -row.size)

    def _due_rows(self, table, name, *more):
        """Due rows of ``table`` in this group, in expiry order (both
        queries indexed: see :func:`expiry_due`).
        """
        columns = (table.c.id, name, table.c.session_id) + more
        rows = [row._asdict() for row in self.conn.execute(
            _due_by_own_expiry(table, self.group_id, self.now, *columns))]
        sessions = dict(self.conn.execute(_expired_sessions(
            table, self.group_id, self.now)).all())
        if sessions:
            rows += [dict(row._asdict(), at=sessions[row.session_id])
                     for row in self.conn.execute(sa.select(*columns).where(
                         table.c.group_id == self.group_id,
                         table.c.session_id.in_(sessions)))]
        rows.sort(key=lambda row: (row['at'], row['id']))
        return [types.SimpleNamespace(**row) for row in rows]

    def candidacy_changed(self, stood_down=False):
        self.election_due = True
        self.stood_down = self.stood_down or stood_down

    def _elect(self):
        """The first live candidate leads; a change makes a new term."""
        first = self.conn.execute(
            sa.select(C.c.candidate_id, C.c.entered_at)
            .select_from(CANDIDATES_WITH_SESSION)
            .where(C.c.group_id == self.group.id, candidate_live(self.now))
            .order_by(C.c.position).limit(1)).first()
        leader = first.candidate_id if first else None
        stood_down, gone_at = self.stood_down, self.leader_gone_at
        self.election_due = self.stood_down = False
        self.leader_gone_at = None
        # The same candidate again is a new term after a stand-down, or
        # once it had expired (it left, then entered again).
        if leader == self.leader_id and not stood_down and gone_at is None:
            return dict(self.election)
        self.leader_id = leader
        if leader is None:
            return {'leader_id': None, 'elected_at': None}
        # Taking over from an expired leader, the next leads from that
        # instant, or from its entry if it entered later.
        at = (max(gone_at, first.entered_at)
              if gone_at is not None and not stood_down else self.now)
        self.term += 1
        self.record('elected', leader, at)
        return {'leader_id': leader, 'term': self.term, 'elected_at': at}

    def flush(self):
        values = self._elect() if self.election_due else dict(self.election)
        self.election = {}
        if self.member_count != self.group.member_count:
            values['member_count'] = self.member_count
        if self.member_bytes != self.group.member_bytes:
            values['member_bytes'] = self.member_bytes
        if self.frugal and self.revision != self.group.revision:
            self.conn.execute(E.delete().where(E.c.group_id == self.group.id))
            values.update(revision=self.revision,
                          compacted_revision=self.revision)
        if not self.pending and not values:
            return
        if self.pending:
            self.conn.execute(E.insert(), self.pending)
            values['revision'] = self.revision
            values.update(self._purge())
        self.conn.execute(_UPDATE_GROUP,
                          dict(values, p_group_id=self.group.id))
        self.pending = []

    def _purge(self):
        cutoff = self.now - self.retention * clock.SECOND
        purged = self.conn.execute(_PURGEABLE, {
            'p_group_id': self.group.id, 'p_cutoff': cutoff}).scalar()
        if purged is None:
            return {}
        self.conn.execute(_PURGE, {'p_group_id': self.group.id,
                                   'p_revision': purged})
        return {'compacted_revision': purged}

"""What a project holds, counted for its quota under the project's lock.

Every write that adds usage locks the project's row first (before any
group's row: one lock order), counts, checks and inserts in the same
transaction (on SQLite the write transaction itself is that lock: one
writer at a time); so on every backend and across API processes two
writers never both take the last unit of a limit. A group's live members are
its ``member_count``, kept under the group's lock (see Changes), which
a join holds when it checks them.
"""
from oslo_db import exception as db_exc
import sqlalchemy as sa

from membership.quota import limits
from membership.storage.sqlalchemy import changes
from membership.storage.sqlalchemy import tables

P = tables.projects
G = tables.groups
M = tables.members
S = tables.sessions


PROJECT = sa.bindparam('p_project')
_LOCK = (sa.select(P.c.project_id).where(P.c.project_id == PROJECT)
         .with_for_update())
_INSERT = P.insert()


def lock_project(conn, project_id):
    """Lock the project's row for this transaction, creating it if new.

    Not on SQLite: its write transactions (BEGIN IMMEDIATE) already hold
    the database's one write lock, which serializes them all.
    """
    if conn.dialect.name == 'sqlite':
        return
    params = {'p_project': project_id}
    if conn.execute(_LOCK, params).first() is not None:
        return
    try:
        with conn.begin_nested():
            conn.execute(_INSERT, {'project_id': project_id})
    except db_exc.DBDuplicateEntry:
        # A concurrent writer created it and committed: take its lock.
        conn.execute(_LOCK, params).first()


def size(text):
    """Stored bytes of a serialized document (canonical JSON is ASCII)."""
    return len(text)


_GROUPS = sa.select(sa.func.count()).select_from(G).where(
    G.c.project_id == PROJECT)
_SESSIONS = sa.select(sa.func.count()).select_from(S).where(
    S.c.project_id == PROJECT, S.c.expires_at > changes.NOW)


def _total(value):
    return sa.func.coalesce(sa.func.sum(value), 0)


def _due(*joined, where):
    """Capability bytes of member rows due to expire, not yet recorded."""
    return (sa.select(_total(sa.func.length(M.c.capabilities)))
            .select_from(M.join(*joined)).where(*where).scalar_subquery())


# Each group's metadata and member bytes (kept in its row), less the
# members whose expiry is due but not recorded yet: by their own expiry,
# found by (group_id, expires_at), or by an expired session's, found by
# the sessions' expiry then (session_id, group_id). The cost grows with
# the project's groups and its due rows, never with its live members.
_STORED_BYTES = sa.select(
    sa.select(_total(sa.func.length(G.c.metadata) + G.c.member_bytes))
    .where(G.c.project_id == PROJECT).scalar_subquery()
    - _due(G, M.c.group_id == G.c.id, where=(
        G.c.project_id == PROJECT, M.c.expires_at <= changes.NOW))
    - _due(S, M.c.session_id == S.c.id, where=(
        S.c.project_id == PROJECT, S.c.expires_at <= changes.NOW)))


def _counted(statement):
    def count(conn, project_id, changeset, now):
        return conn.execute(statement, {'p_project': project_id,
                                        'p_now': now}).scalar()
    return count


_counted_bytes = _counted(_STORED_BYTES)


def _stored_bytes(conn, project_id, changeset, now):
    stored = _counted_bytes(conn, project_id, changeset, now)
    # The locked group's changes so far are in its Changes, not its row.
    return stored + (changeset.unflushed_bytes if changeset else 0)


def _members(conn, project_id, changeset, now):
    # The group is locked and its due expiries recorded: its rows are
    # its live members, and Changes counts them.
    return changeset.member_count


_COUNTS = {
    limits.GROUPS: _counted(_GROUPS),
    limits.MEMBERS_PER_GROUP: _members,
    limits.SESSIONS: _counted(_SESSIONS),
    limits.STORED_BYTES: _stored_bytes,
}


def counter(conn, project_id, now, changeset=None):
    """The usage callback of a quota check: ``names -> {name: usage}``,
    counted in ``conn``'s transaction as of ``now`` (the members of
    ``changeset``'s group, when that is asked).
    """
    def usage(names):
        return {name: int(_COUNTS[name](conn, project_id, changeset, now))
                for name in names}
    return usage

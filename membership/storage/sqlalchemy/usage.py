"""What a project holds, counted for its quota under the project's lock.

Every write that adds usage locks the project's row first (before any
group's row: one lock order), counts, checks and inserts in the same
transaction; so on every backend and across API processes two writers
never both take the last unit of a limit. A group's live members are
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
    """Lock the project's row for this transaction, creating it if new."""
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
_STORED_BYTES = sa.select(
    sa.select(sa.func.coalesce(sa.func.sum(sa.func.length(G.c.metadata)), 0))
    .where(G.c.project_id == PROJECT).scalar_subquery()
    + sa.select(sa.func.coalesce(
        sa.func.sum(sa.func.length(M.c.capabilities)), 0))
    .select_from(changes.MEMBERS_WITH_SESSION.join(
        G, M.c.group_id == G.c.id))
    .where(G.c.project_id == PROJECT, changes.member_live(changes.NOW))
    .scalar_subquery())


def _counted(statement):
    def count(conn, project_id, changeset, now):
        return conn.execute(statement, {'p_project': project_id,
                                        'p_now': now}).scalar()
    return count


def _members(conn, project_id, changeset, now):
    # The group is locked and its due expiries recorded: its rows are
    # its live members, and Changes counts them.
    return changeset.member_count


_COUNTS = {
    limits.GROUPS: _counted(_GROUPS),
    limits.MEMBERS_PER_GROUP: _members,
    limits.SESSIONS: _counted(_SESSIONS),
    limits.STORED_BYTES: _counted(_STORED_BYTES),
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

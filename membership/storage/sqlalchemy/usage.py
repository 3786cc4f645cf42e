"""What a project holds, counted for its quota under the project's lock.

Every write that adds usage locks the project's row first (before any
group's row: one lock order), counts, checks and inserts in the same
transaction; so on every backend and across API processes two writers
never both take the last unit of a limit.
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


def lock_project(conn, project_id):
    """Lock the project's row for this transaction, creating it if new."""
    query = (sa.select(P.c.project_id).where(P.c.project_id == project_id)
             .with_for_update())
    if conn.execute(query).first() is not None:
        return
    try:
        with conn.begin_nested():
            conn.execute(P.insert().values(project_id=project_id))
    except db_exc.DBDuplicateEntry:
        # A concurrent writer created it and committed: take its lock.
        conn.execute(query).first()


def size(text):
    """Stored bytes of a serialized document (canonical JSON is ASCII)."""
    return len(text)


def _groups(conn, project_id, group_id, now):
    return conn.execute(sa.select(sa.func.count()).select_from(G).where(
        G.c.project_id == project_id)).scalar()


def _members(conn, project_id, group_id, now):
    return conn.execute(
        sa.select(sa.func.count()).select_from(changes.MEMBERS_WITH_SESSION)
        .where(M.c.group_id == group_id, changes.member_live(now))).scalar()


def _sessions(conn, project_id, group_id, now):
    return conn.execute(sa.select(sa.func.count()).select_from(S).where(
        S.c.project_id == project_id, S.c.expires_at > now)).scalar()


def _stored_bytes(conn, project_id, group_id, now):
    metadata = (sa.select(sa.func.coalesce(
        sa.func.sum(sa.func.length(G.c.metadata)), 0))
        .where(G.c.project_id == project_id).scalar_subquery())
    capabilities = (sa.select(sa.func.coalesce(
        sa.func.sum(sa.func.length(M.c.capabilities)), 0))
        .select_from(changes.MEMBERS_WITH_SESSION.join(
            G, M.c.group_id == G.c.id))
        .where(G.c.project_id == project_id, changes.member_live(now))
        .scalar_subquery())
    return conn.execute(sa.select(metadata + capabilities)).scalar()


_COUNTS = {
    limits.GROUPS: _groups,
    limits.MEMBERS_PER_GROUP: _members,
    limits.SESSIONS: _sessions,
    limits.STORED_BYTES: _stored_bytes,
}


def counter(conn, project_id, now, group_id=None):
    """The usage callback of a quota check: ``names -> {name: usage}``,
    counted in ``conn``'s transaction as of ``now``.
    """
    def usage(names):
        return {name: int(_COUNTS[name](conn, project_id, group_id, now))
                for name in names}
    return usage

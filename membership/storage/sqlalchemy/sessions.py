"""Sessions: leases that keep memberships and candidacies alive."""
import functools
import uuid

import sqlalchemy as sa

from membership.quota import limits as quota
from membership.storage import exceptions
from membership.storage import records
from membership.storage.sqlalchemy import changes
from membership.storage.sqlalchemy import clock
from membership.storage.sqlalchemy import engine
from membership.storage.sqlalchemy import pagination
from membership.storage.sqlalchemy import tables
from membership.storage.sqlalchemy import usage

S = tables.sessions
M = tables.members
C = tables.candidates
H = tables.lock_holders
SORT = {'created_at': S.c.created_at}


_BY_ID = sa.bindparam('p_session')
_PROJECT = sa.bindparam('p_project')
_LIVE_EXPIRY = sa.select(S.c.expires_at).where(
    S.c.id == _BY_ID, S.c.project_id == _PROJECT,
    S.c.expires_at > sa.bindparam('p_now'))
_LIVE_EXPIRY_SHARED = _LIVE_EXPIRY.with_for_update(read=True)


def _session(values):
    return records.Session(
        etag=records.etag(values['id'], values['created_at'],
                          values['ttl']),
        **{k: values[k] for k in ('id', 'project_id', 'ttl', 'created_at',
                                  'heartbeat_at', 'expires_at')})


def _live(project_id, now):
    return sa.and_(S.c.project_id == project_id, S.c.expires_at > now)


def live_expiry(conn, project_id, session_id, now, lock=False):
    """The expiry of a live session of the project, or SessionNotFound.

    ``lock`` takes a share lock on the session's row for the rest of the
    transaction: a member or candidate bound to it cannot then slip past
    a concurrent delete of the session (which locks it exclusively).
    """
    expiry = conn.execute(_LIVE_EXPIRY_SHARED if lock else _LIVE_EXPIRY, {
        'p_session': session_id, 'p_project': project_id,
        'p_now': now}).scalar()
    if expiry is None:
        raise exceptions.SessionNotFound(session_id)
    return expiry


def heartbeat_statement(session_id):
    """Push a live session's expiry to now + ttl: one UPDATE.

    ``session_id`` is a bind parameter or a subquery (a member's or a
    candidate's session). Build it once, at import.
    """
    now = clock.now()
    return (S.update()
            .where(S.c.id == session_id, S.c.expires_at > now)
            .values(heartbeat_at=now,
                    expires_at=now + clock.seconds(S.c.ttl)))


class Sessions:

    def __init__(self, db):
        self.db = db

    @engine.translated()
    def create_session(self, project_id, ttl):
        limits = self.db.limits(project_id, quota.SESSIONS)
        with self.db.tx.write() as conn:
            if limits.bounded:
                usage.lock_project(conn, project_id)
            now = clock.read(conn)
            limits.enforce({quota.SESSIONS: 1},
                           usage.counter(conn, project_id, now))
            values = dict(id=str(uuid.uuid4()), project_id=project_id,
                          ttl=ttl, created_at=now, heartbeat_at=now,
                          expires_at=now + ttl * clock.SECOND)
            conn.execute(S.insert().values(**values))
            self._purge_sessions(conn, now)
        return _session(values)

    def _purge_sessions(self, conn, now):
        # Sessions long expired whose members, candidacies and lock
        # holders were all recorded as expired: nothing refers to them
        # any more.
        cutoff = now - self.db.retention * clock.SECOND
        conn.execute(S.delete().where(
            S.c.expires_at < cutoff,
            ~sa.exists().where(M.c.session_id == S.c.id),
            ~sa.exists().where(C.c.session_id == S.c.id),
            ~sa.exists().where(H.c.session_id == S.c.id)))

    @engine.translated()
    def get_session(self, project_id, session_id):
        with self.db.tx.read() as conn:
            row = conn.execute(sa.select(S).where(
                S.c.id == session_id, _live(project_id, clock.now()))
            ).first()
        if row is None:
            raise exceptions.SessionNotFound(session_id)
        return _session(row._mapping)

    @engine.translated()
    def list_sessions(self, project_id, page):
        query = sa.select(S).where(_live(project_id, clock.now()))
        with self.db.tx.read() as conn:
            marker = pagination.marker_values(conn, query, page, SORT,
                                              S.c.id)
            rows = conn.execute(pagination.paginate(
                query, page, SORT, S.c.id, marker)).all()
        return [_session(row._mapping) for row in rows]

    @engine.translated()
    def heartbeat_session(self, project_id, session_id):
        with self.db.tx.write_one() as conn:
            updated = conn.execute(_HEARTBEAT_BY_ID, {
                'p_session': session_id, 'p_project': project_id}).rowcount
        if not updated:
            raise exceptions.SessionNotFound(session_id)

    @engine.translated()
    def delete_session(self, project_id, session_id):
        """End the session and, in the same transaction, every membership
        (``left``) and candidacy it holds, in every group, and every lock
        it holds or waits for.
        """
        self.db.freeing(functools.partial(self._delete_session, project_id,
                                          session_id))

    def _delete_session(self, project_id, session_id, frugal):
        changesets = []
        with self.db.tx.write() as conn:
            # Lock the session first: no member or candidate can be bound
            # to it from now on (they take a share lock on it), so the
            # groups read next are all the groups it holds.
            found = conn.execute(sa.select(S.c.id).where(
                S.c.id == session_id, S.c.project_id == project_id)
                .with_for_update()).scalar()
            now = clock.read(conn)
            if found is None:
                raise exceptions.SessionNotFound(session_id)
            live_expiry(conn, project_id, session_id, now)
            group_ids = sorted(set(conn.execute(
                sa.select(M.c.group_id).where(M.c.session_id == session_id)
                .union(sa.select(C.c.group_id)
                       .where(C.c.session_id == session_id))).scalars()))
            for group_id in group_ids:
                try:
                    changeset = self.db.changes_of(
                        conn, group_id=group_id, frugal=frugal)
                except exceptions.GroupNotFound:
                    continue  # deleted meanwhile, its rows with it
                # One instant for the whole release, in every group.
                changeset.now = now
                left = conn.execute(sa.select(
                    M.c.id, M.c.member_id, changes.SIZE).where(
                    M.c.group_id == group_id, M.c.session_id == session_id)
                ).all()
                if left:
                    conn.execute(M.delete().where(
                        M.c.id.in_([row.id for row in left])))
                for row in left:
                    changeset.record('left', row.member_id)
                    changeset.counted(-1, -row.size)
                if conn.execute(C.delete().where(
                        C.c.group_id == group_id,
                        C.c.session_id == session_id)).rowcount:
                    changeset.candidacy_changed()
                changeset.flush()
                changesets.append(changeset)
            changesets.extend(self.db.end_session(conn, session_id, now))
            conn.execute(S.delete().where(S.c.id == session_id))
        self.db.notify(changesets)


_HEARTBEAT_BY_ID = (
    S.update()
    .where(S.c.id == _BY_ID, S.c.project_id == _PROJECT,
           S.c.expires_at > clock.now())
    .values(heartbeat_at=clock.now(),
            expires_at=clock.now() + clock.seconds(S.c.ttl)))

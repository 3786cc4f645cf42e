"""Members: join, replace, patch, leave, heartbeat, read and list."""
import functools
import json

import sqlalchemy as sa

from membership import canonical_json
from membership.quota import limits as quota
from membership.storage import exceptions
from membership.storage import records
from membership.storage.sqlalchemy import changes
from membership.storage.sqlalchemy import clock
from membership.storage.sqlalchemy import engine
from membership.storage.sqlalchemy import pagination
from membership.storage.sqlalchemy import sessions
from membership.storage.sqlalchemy import tables
from membership.storage.sqlalchemy import usage

G = tables.groups
M = tables.members
S = tables.sessions
SORT = {'id': M.c.member_id, 'joined_at': M.c.joined_at}
_COLUMNS = (M, changes.MEMBER_EXPIRY.label('expiry'))


def _member(group, values):
    return records.Member(
        group=group, id=values['member_id'],
        capabilities=json.loads(values['capabilities']),
        ttl=values['ttl'], session=values['session_id'],
        joined_at=values['joined_at'], updated_at=values['updated_at'],
        heartbeat_at=values['heartbeat_at'], expires_at=values['expiry'],
        etag=records.etag(values['id'], values['generation']))


_GROUP_ID = sa.select(G.c.id).where(
    G.c.project_id == sa.bindparam('p_project'),
    G.c.name == sa.bindparam('p_group'))


def group_id_of(conn, project_id, group):
    gid = conn.execute(_GROUP_ID, {'p_project': project_id,
                                   'p_group': group}).scalar()
    if gid is None:
        raise exceptions.GroupNotFound(group)
    return gid


def _live_members(gid, now):
    return (sa.select(*_COLUMNS).select_from(changes.MEMBERS_WITH_SESSION)
            .where(M.c.group_id == gid, changes.member_live(now)))


def _expiry(now, ttl):
    return None if ttl is None else now + ttl * clock.SECOND


def group_id_param():
    return _GROUP_ID.scalar_subquery()


def _heartbeat_statement():
    """Push a live ttl-bound member's expiry to now + ttl."""
    now = clock.now()
    return (M.update()
            .where(M.c.group_id == group_id_param(),
                   M.c.member_id == sa.bindparam('p_member'),
                   M.c.session_id.is_(None),
                   sa.or_(M.c.expires_at.is_(None), M.c.expires_at > now))
            .values(heartbeat_at=now,
                    expires_at=sa.case(
                        (M.c.ttl.is_(None), None),
                        else_=now + clock.seconds(M.c.ttl))))


# Built once: the hot path only binds its parameters.
_HEARTBEAT = _heartbeat_statement()
_HEARTBEAT_SESSION = sessions.heartbeat_statement(
    sa.select(M.c.session_id)
    .where(M.c.group_id == group_id_param(),
           M.c.member_id == sa.bindparam('p_member'))
    .scalar_subquery())
_GET = (sa.select(*_COLUMNS).select_from(changes.MEMBERS_WITH_SESSION)
        .where(M.c.group_id == group_id_param(),
               M.c.member_id == sa.bindparam('p_member'),
               changes.member_live(clock.now())))
_ROW = sa.select(M).where(M.c.group_id == changes.GROUP_ID,
                          M.c.member_id == sa.bindparam('p_member'))
_INSERT = M.insert()
_UPDATE = M.update().where(M.c.id == sa.bindparam('p_id'))
_DELETE = M.delete().where(M.c.id == sa.bindparam('p_id'))
_SESSION_EXPIRY = sa.select(S.c.expires_at).where(
    S.c.id == sa.bindparam('p_session'))


class Members:

    def __init__(self, db):
        self.db = db

    @engine.translated()
    def get_member(self, project_id, group, member_id):
        with self.db.tx.read_one() as conn:
            row = conn.execute(_GET, {'p_project': project_id,
                                      'p_group': group,
                                      'p_member': member_id}).first()
            if row is None:
                group_id_of(conn, project_id, group)
        if row is None:
            raise exceptions.MemberNotFound(group, member_id)
        return _member(group, row._mapping)

    @engine.translated()
    def list_members(self, project_id, group, page):
        with self.db.tx.read() as conn:
            gid = group_id_of(conn, project_id, group)
            query = _live_members(gid, clock.now())
            marker = pagination.marker_values(conn, query, page, SORT,
                                              M.c.member_id)
            rows = pagination.fetch(conn, pagination.paginate(
                query, page, SORT, M.c.member_id, marker), page,
                M.c.capabilities)
        return pagination.converted(
            rows, lambda row: _member(group, row._mapping))

    @engine.translated()
    def put_member(self, project_id, group, member_id, capabilities, ttl,
                   conditions, session_id=None):
        limits = self.db.limits(project_id, quota.MEMBERS_PER_GROUP,
                                quota.STORED_BYTES)
        with self.db.changing(project_id, group, limits=limits) as (
                conn, changeset):
            row = _live(conn, changeset, group, member_id, conditions,
                        must_exist=False)
            now = changeset.now
            expiry = _expiry(now, ttl)
            if session_id is not None:
                ttl = None
                expiry = sessions.live_expiry(conn, project_id, session_id,
                                              now, lock=True)
            caps = canonical_json.dumps(capabilities)
            _enforce(conn, limits, project_id, changeset, row, caps)
            liveness = dict(ttl=ttl, session_id=session_id,
                            expires_at=None if session_id else expiry)
            if row is None:
                values = dict(group_id=changeset.group_id,
                              member_id=member_id, capabilities=caps,
                              generation=1, joined_at=now, updated_at=now,
                              heartbeat_at=now, **liveness)
                values['id'] = conn.execute(
                    _INSERT, values).inserted_primary_key[0]
                changeset.record('joined', member_id)
                changeset.counted(1, usage.size(caps))
            else:
                values = dict(row._mapping, heartbeat_at=now, **liveness)
                if (row.capabilities, row.ttl, row.session_id) != (
                        caps, ttl, session_id):
                    values.update(capabilities=caps,
                                  generation=row.generation + 1,
                                  updated_at=now)
                    changeset.record('updated', member_id)
                    changeset.counted(0, usage.size(caps)
                                      - usage.size(row.capabilities))
                _write(conn, values)
        return _member(group, dict(values, expiry=expiry)), row is None

    @engine.translated()
    def update_member(self, project_id, group, member_id, patch,
                      conditions):
        limits = self.db.limits(project_id, quota.STORED_BYTES)
        with self.db.changing(project_id, group, limits=limits) as (
                conn, changeset):
            row = _live(conn, changeset, group, member_id, conditions)
            values = dict(row._mapping, expiry=row.expires_at)
            if row.session_id is not None:
                values['expiry'] = conn.execute(
                    _SESSION_EXPIRY, {'p_session': row.session_id}).scalar()
            capabilities, ttl = patch(_member(group, values))
            caps = canonical_json.dumps(capabilities)
            _enforce(conn, limits, project_id, changeset, row, caps)
            if (row.capabilities, row.ttl) != (caps, ttl):
                now = changeset.now
                values.update(capabilities=caps, ttl=ttl,
                              generation=row.generation + 1, updated_at=now)
                if ttl != row.ttl:
                    # A new ttl replaces a session, as a PUT would.
                    values.update(heartbeat_at=now, session_id=None,
                                  expires_at=_expiry(now, ttl),
                                  expiry=_expiry(now, ttl))
                _write(conn, values)
                changeset.record('updated', member_id)
                changeset.counted(0, usage.size(caps)
                                  - usage.size(row.capabilities))
        return _member(group, values)

    @engine.translated()
    def leave(self, project_id, group, member_id, conditions):
        self.db.freeing(functools.partial(self._leave, project_id, group,
                                          member_id, conditions))

    def _leave(self, project_id, group, member_id, conditions, frugal):
        with self.db.changing(project_id, group, frugal=frugal) as (
                conn, changeset):
            row = _live(conn, changeset, group, member_id, conditions)
            conn.execute(_DELETE, {'p_id': row.id})
            changeset.record('left', member_id)
            changeset.counted(-1, -usage.size(row.capabilities))

    @engine.translated()
    def heartbeat(self, project_id, group, member_id):
        params = {'p_project': project_id, 'p_group': group,
                  'p_member': member_id}
        with self.db.tx.write_one() as conn:
            updated = conn.execute(_HEARTBEAT, params).rowcount
        if not updated:
            # A session's member (or none): both statements in one
            # transaction, so a member re-joined between them is seen.
            with self.db.tx.write() as conn:
                updated = (conn.execute(_HEARTBEAT, params).rowcount
                           or conn.execute(_HEARTBEAT_SESSION,
                                           params).rowcount)
        if not updated:
            with self.db.tx.read() as conn:
                group_id_of(conn, project_id, group)
            raise exceptions.MemberNotFound(group, member_id)


def _live(conn, changeset, group, member_id, conditions, must_exist=True):
    """The member's row in a locked group, its preconditions checked
    (MemberNotFound when ``must_exist`` and it is not there).
    """
    # Due expiries were just removed, so any row left is live.
    row = conn.execute(_ROW, {'p_group_id': changeset.group_id,
                              'p_member': member_id}).first()
    conditions.check(None if row is None
                     else records.etag(row.id, row.generation))
    if row is None and must_exist:
        raise exceptions.MemberNotFound(group, member_id)
    return row


def _enforce(conn, limits, project_id, changeset, row, caps):
    """Check the quota of a join (``row`` None) or of new capabilities."""
    old = 0 if row is None else usage.size(row.capabilities)
    limits.enforce(
        {quota.MEMBERS_PER_GROUP: 1 if row is None else 0,
         quota.STORED_BYTES: usage.size(caps) - old},
        usage.counter(conn, project_id, changeset.now, changeset))


_WRITTEN = frozenset(M.c.keys()) - {'id'}


def _write(conn, values):
    params = {k: v for k, v in values.items() if k in _WRITTEN}
    params['p_id'] = values['id']
    conn.execute(_UPDATE, params)

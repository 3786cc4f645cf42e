"""Members: join, replace, patch, leave, heartbeat, read and list."""
import json

import sqlalchemy as sa

from membership.storage import base
from membership.storage.sqlalchemy import changes
from membership.storage.sqlalchemy import clock
from membership.storage.sqlalchemy import engine
from membership.storage.sqlalchemy import pagination
from membership.storage.sqlalchemy import tables

G = tables.groups
M = tables.members
S = tables.sessions
SORT = {'id': M.c.member_id, 'joined_at': M.c.joined_at}
_COLUMNS = (M, changes.MEMBER_EXPIRY.label('expiry'))


def _member(group, values):
    return base.Member(
        group=group, id=values['member_id'],
        capabilities=json.loads(values['capabilities']),
        ttl=values['ttl'], session=values['session_id'],
        joined_at=values['joined_at'], updated_at=values['updated_at'],
        heartbeat_at=values['heartbeat_at'], expires_at=values['expiry'],
        etag=changes.etag(values['id'], values['generation']))


def _group_id(conn, project_id, group):
    gid = conn.execute(sa.select(G.c.id).where(
        G.c.project_id == project_id, G.c.name == group)).scalar()
    if gid is None:
        raise base.GroupNotFound(group)
    return gid


def _live_members(gid, now):
    return (sa.select(*_COLUMNS).select_from(changes.MEMBERS_WITH_SESSION)
            .where(M.c.group_id == gid, changes.member_live(now)))


def _expiry(now, ttl):
    return None if ttl is None else now + ttl * clock.SECOND


class MemberStorage:

    @engine.translated()
    def get_member(self, project_id, group, member_id):
        with self.tx.read() as conn:
            gid = _group_id(conn, project_id, group)
            row = conn.execute(_live_members(gid, clock.now()).where(
                M.c.member_id == member_id)).first()
        if row is None:
            raise base.MemberNotFound(group, member_id)
        return _member(group, row._mapping)

    @engine.translated()
    def list_members(self, project_id, group, page):
        with self.tx.read() as conn:
            gid = _group_id(conn, project_id, group)
            query = _live_members(gid, clock.now())
            marker = pagination.marker_values(conn, query, page, SORT,
                                              M.c.member_id)
            rows = conn.execute(pagination.paginate(
                query, page, SORT, M.c.member_id, marker)).all()
        return [_member(group, row._mapping) for row in rows]

    @engine.translated()
    def put_member(self, project_id, group, member_id, capabilities, ttl,
                   conditions=base.NO_CONDITIONS):
        """Join, or replace a live member's capabilities and ttl (its
        expiry is refreshed). Returns ``(member, joined)``.
        """
        with self.tx.write() as conn:
            changeset = self._changes(conn, project_id, group)
            row = self._live(conn, changeset, member_id)
            conditions.check(
                None if row is None else changes.etag(row.id, row.generation))
            now = changeset.now
            caps = changes.dumps(capabilities)
            if row is None:
                values = dict(group_id=changeset.group.id,
                              member_id=member_id, capabilities=caps,
                              ttl=ttl, session_id=None, generation=1,
                              joined_at=now, updated_at=now,
                              heartbeat_at=now, expires_at=_expiry(now, ttl))
                values['id'] = conn.execute(
                    M.insert().values(**values)).inserted_primary_key[0]
                changeset.record('joined', member_id)
            else:
                values = dict(row._mapping, heartbeat_at=now,
                              expires_at=_expiry(now, ttl))
                if (row.capabilities, row.ttl) != (caps, ttl):
                    values.update(capabilities=caps, ttl=ttl,
                                  generation=row.generation + 1,
                                  updated_at=now)
                    changeset.record('updated', member_id)
                self._write_member(conn, values)
            changeset.flush()
        values['expiry'] = values['expires_at']
        return _member(group, values), row is None

    @engine.translated()
    def update_member(self, project_id, group, member_id, patch,
                      conditions=base.NO_CONDITIONS):
        """Apply ``patch(member) -> (capabilities, ttl)`` atomically."""
        with self.tx.write() as conn:
            changeset = self._changes(conn, project_id, group)
            row = self._live(conn, changeset, member_id)
            conditions.check(
                None if row is None else changes.etag(row.id, row.generation))
            if row is None:
                raise base.MemberNotFound(group, member_id)
            values = dict(row._mapping)
            capabilities, ttl = patch(_member(group, values))
            caps = changes.dumps(capabilities)
            if (row.capabilities, row.ttl) != (caps, ttl):
                now = changeset.now
                values.update(capabilities=caps, ttl=ttl,
                              generation=row.generation + 1, updated_at=now)
                if ttl != row.ttl:
                    values.update(heartbeat_at=now,
                                  expires_at=_expiry(now, ttl))
                self._write_member(conn, values)
                changeset.record('updated', member_id)
                changeset.flush()
        values['expiry'] = values['expires_at']
        return _member(group, values)

    @engine.translated()
    def leave(self, project_id, group, member_id):
        with self.tx.write() as conn:
            changeset = self._changes(conn, project_id, group)
            row = self._live(conn, changeset, member_id)
            if row is None:
                raise base.MemberNotFound(group, member_id)
            conn.execute(M.delete().where(M.c.id == row.id))
            changeset.record('left', member_id)
            changeset.flush()

    @engine.translated()
    def heartbeat(self, project_id, group, member_id):
        """Push a live member's expiry to now + ttl: one UPDATE."""
        now = clock.now()
        gid = (sa.select(G.c.id).where(G.c.project_id == project_id,
                                       G.c.name == group)
               .scalar_subquery())
        with self.tx.write() as conn:
            updated = conn.execute(
                M.update()
                .where(M.c.group_id == gid, M.c.member_id == member_id,
                       M.c.session_id.is_(None),
                       sa.or_(M.c.expires_at.is_(None),
                              M.c.expires_at > now))
                .values(heartbeat_at=now,
                        expires_at=sa.case(
                            (M.c.ttl.is_(None), None),
                            else_=now + M.c.ttl * clock.SECOND))
            ).rowcount
        if not updated:
            self._heartbeat_missed(project_id, group, member_id)

    def _heartbeat_missed(self, project_id, group, member_id):
        """Say why a heartbeat matched nothing (the cold path)."""
        with self.tx.read() as conn:
            _group_id(conn, project_id, group)
        raise base.MemberNotFound(group, member_id)

    def _changes(self, conn, project_id, group):
        changeset = changes.Changes(
            conn, changes.lock_group(conn, project_id, group),
            self.conf.api.event_retention)
        changeset.expire_due()
        return changeset

    @staticmethod
    def _live(conn, changeset, member_id):
        # Due expiries were just removed, so any row left is live.
        return conn.execute(sa.select(M).where(
            M.c.group_id == changeset.group.id,
            M.c.member_id == member_id)).first()

    @staticmethod
    def _write_member(conn, values):
        conn.execute(M.update().where(M.c.id == values['id']).values(
            {k: v for k, v in values.items() if k != 'id'}))

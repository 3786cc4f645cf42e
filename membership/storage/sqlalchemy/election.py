"""Leader election, tooz's way: candidates queue; the first live leads.

A newer candidate never preempts a live leader; stand-down sends the
leader to the back of the queue; withdrawal, expiry or the end of its
session hands leadership on at that instant. The outcome (leader, term,
elected_at) is kept on the group's row by ``changes.Changes``.
"""
import functools

import sqlalchemy as sa

from membership.storage import exceptions
from membership.storage import records
from membership.storage.sqlalchemy import changes
from membership.storage.sqlalchemy import clock
from membership.storage.sqlalchemy import database
from membership.storage.sqlalchemy import engine
from membership.storage.sqlalchemy import members
from membership.storage.sqlalchemy import pagination
from membership.storage.sqlalchemy import sessions
from membership.storage.sqlalchemy import tables

G = tables.groups
C = tables.candidates
SORT = {'position': C.c.position}
_COLUMNS = (C, changes.CANDIDATE_EXPIRY.label('expiry'))
_LEADER = database.settled_query(G.c.leader_id, G.c.term, G.c.elected_at)


def _candidate(group, values, leader_id):
    return records.Candidate(
        etag=records.etag(values['candidate_id'], values['entered_at'],
                          values['ttl'], values['session_id']),
        group=group, id=values['candidate_id'],
        leader=values['candidate_id'] == leader_id, ttl=values['ttl'],
        session=values['session_id'], entered_at=values['entered_at'],
        heartbeat_at=values['heartbeat_at'], expires_at=values['expiry'])


def _heartbeat_statement():
    now = clock.now()
    return (C.update()
            .where(C.c.group_id == members.group_id_param(),
                   C.c.candidate_id == sa.bindparam('p_member'),
                   C.c.session_id.is_(None),
                   sa.or_(C.c.expires_at.is_(None), C.c.expires_at > now))
            .values(heartbeat_at=now,
                    expires_at=sa.case(
                        (C.c.ttl.is_(None), None),
                        else_=now + clock.seconds(C.c.ttl))))


_HEARTBEAT = _heartbeat_statement()
_HEARTBEAT_SESSION = sessions.heartbeat_statement(
    sa.select(C.c.session_id)
    .where(C.c.group_id == members.group_id_param(),
           C.c.candidate_id == sa.bindparam('p_member'))
    .scalar_subquery())


class Election:

    def __init__(self, db):
        self.db = db

    @engine.translated()
    def put_candidate(self, project_id, group, candidate_id, ttl,
                      session_id=None):
        """Enter the election, or refresh a candidacy's liveness (its
        place in the order and ``entered_at`` are kept).

        Returns ``(candidate, entered)``.
        """
        with self.db.changing(project_id, group) as (conn, changeset):
            now = changeset.now
            expiry = None if ttl is None else now + ttl * clock.SECOND
            if session_id is not None:
                ttl = None
                expiry = sessions.live_expiry(conn, project_id, session_id,
                                              now, lock=True)
            liveness = dict(ttl=ttl, session_id=session_id, heartbeat_at=now,
                            expires_at=None if session_id else expiry)
            row = self._candidate_row(conn, changeset, candidate_id)
            if row is None:
                last = conn.execute(sa.select(sa.func.max(C.c.position))
                                    .where(C.c.group_id == changeset.group_id)
                                    ).scalar()
                values = dict(group_id=changeset.group_id,
                              candidate_id=candidate_id,
                              position=(last or 0) + 1, entered_at=now,
                              **liveness)
                conn.execute(C.insert().values(**values))
                changeset.candidacy_changed()
            else:
                values = dict(row._mapping, **liveness)
                conn.execute(C.update().where(C.c.id == row.id)
                             .values(**liveness))
        leader = changeset.leader_id
        return (_candidate(group, dict(values, expiry=expiry), leader),
                row is None)

    @staticmethod
    def _candidate_row(conn, changeset, candidate_id):
        # Due expiries were just removed, so any row left is live.
        return conn.execute(sa.select(C).where(
            C.c.group_id == changeset.group_id,
            C.c.candidate_id == candidate_id)).first()

    @engine.translated()
    def list_candidates(self, project_id, group, page):
        with self.db.tx.read() as conn:
            gid = members.group_id_of(conn, project_id, group)
            now = clock.now()
            query = (sa.select(*_COLUMNS)
                     .select_from(changes.CANDIDATES_WITH_SESSION)
                     .where(C.c.group_id == gid, changes.candidate_live(now)))
            marker = pagination.marker_values(conn, query, page, SORT,
                                              C.c.candidate_id)
            rows = conn.execute(pagination.paginate(
                query, page, SORT, C.c.candidate_id, marker)).all()
            leader = conn.execute(query.with_only_columns(C.c.candidate_id)
                                  .order_by(C.c.position).limit(1)).scalar()
        return [_candidate(group, row._mapping, leader) for row in rows]

    @engine.translated()
    def get_candidate(self, project_id, group, candidate_id):
        with self.db.tx.read() as conn:
            gid = members.group_id_of(conn, project_id, group)
            live = (sa.select(*_COLUMNS)
                    .select_from(changes.CANDIDATES_WITH_SESSION)
                    .where(C.c.group_id == gid,
                           changes.candidate_live(clock.now())))
            row = conn.execute(live.where(
                C.c.candidate_id == candidate_id)).first()
            leader = conn.execute(live.with_only_columns(C.c.candidate_id)
                                  .order_by(C.c.position).limit(1)).scalar()
        if row is None:
            raise exceptions.CandidateNotFound(group, candidate_id)
        return _candidate(group, row._mapping, leader)

    @engine.translated()
    def withdraw(self, project_id, group, candidate_id):
        self.db.freeing(functools.partial(self._withdraw, project_id, group,
                                          candidate_id))

    def _withdraw(self, project_id, group, candidate_id, frugal):
        with self.db.changing(project_id, group, frugal=frugal) as (
                conn, changeset):
            row = self._candidate_row(conn, changeset, candidate_id)
            if row is None:
                raise exceptions.CandidateNotFound(group, candidate_id)
            conn.execute(C.delete().where(C.c.id == row.id))
            changeset.candidacy_changed()

    @engine.translated()
    def stand_down(self, project_id, group, candidate_id):
        """The leader goes to the back of the queue; the next leads."""
        with self.db.changing(project_id, group) as (conn, changeset):
            row = self._candidate_row(conn, changeset, candidate_id)
            if row is None:
                raise exceptions.CandidateNotFound(group, candidate_id)
            changeset.flush()  # settle the election before judging
            if changeset.leader_id != candidate_id:
                raise exceptions.NotLeader(group, candidate_id)
            last = conn.execute(sa.select(sa.func.max(C.c.position)).where(
                C.c.group_id == changeset.group_id)).scalar()
            conn.execute(C.update().where(C.c.id == row.id)
                         .values(position=last + 1))
            changeset.candidacy_changed(stood_down=True)

    @engine.translated()
    def heartbeat_candidate(self, project_id, group, candidate_id):
        params = {'p_project': project_id, 'p_group': group,
                  'p_member': candidate_id}
        with self.db.tx.write() as conn:
            updated = conn.execute(_HEARTBEAT, params).rowcount
            if not updated:
                updated = conn.execute(_HEARTBEAT_SESSION, params).rowcount
        if not updated:
            with self.db.tx.read() as conn:
                members.group_id_of(conn, project_id, group)
            raise exceptions.CandidateNotFound(group, candidate_id)

    @engine.translated()
    def get_leader(self, project_id, group):
        """The leader as of now, elections due recorded first."""
        row = self.db.settled_row(project_id, group, _LEADER)
        if row.leader_id is None:
            raise exceptions.NoLeader(group)
        return records.Leader(group=group, id=row.leader_id, term=row.term,
                              elected_at=row.elected_at,
                              etag=records.etag(row.leader_id, row.term))

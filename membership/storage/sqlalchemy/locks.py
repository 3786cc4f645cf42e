"""Locks (1.3): acquire, wait in the queue, release, break, read.

Each decision is made in one write transaction holding the lock's row
lock (``lockqueue``), so API processes over one database agree on who
holds a lock, and fencing tokens come from the lock's row, which is
never deleted.
"""
import contextlib

from oslo_db import exception as db_exc
import sqlalchemy as sa

from membership.storage import exceptions
from membership.storage import records
from membership.storage.sqlalchemy import clock
from membership.storage.sqlalchemy import engine
from membership.storage.sqlalchemy import lockqueue
from membership.storage.sqlalchemy import pagination
from membership.storage.sqlalchemy import sessions
from membership.storage.sqlalchemy import tables

L = tables.locks
H = tables.lock_holders
W = tables.lock_waiters
S = tables.sessions
_HOLDER_COLUMNS = (H, lockqueue.HOLDER_EXPIRY.label('expiry'))
SORT = {'name': L.c.name}
# Built once: the watch poller runs it every [api] watch_poll_interval
# while anyone waits for a lock.
_WATCH_STATES = sa.select(
    L.c.id, L.c.generation, lockqueue.due(clock.now()).label('due')
).where(L.c.id.in_(sa.bindparam('ids', expanding=True)))
HOLDER_SORT = {'fence': H.c.fence}


def _holder(name, values):
    return records.Holder(
        lock=name, id=values['holder_id'], shared=bool(values['shared']),
        fence=values['fence'], ttl=values['ttl'],
        session=values['session_id'], acquired_at=values['acquired_at'],
        expires_at=values['expiry'])


def _named(project_id, name):
    return (L.c.project_id == project_id, L.c.name == name)


def _live_holders(lock_ids, now):
    return (sa.select(*_HOLDER_COLUMNS, L.c.name)
            .select_from(lockqueue.HOLDERS_WITH_SESSION.join(
                L, H.c.lock_id == L.c.id))
            .where(H.c.lock_id.in_(lock_ids), lockqueue.holder_live(now)))


_HEARTBEAT = (
    H.update()
    .where(H.c.holder_id == sa.bindparam('p_holder'),
           H.c.session_id.is_(None),
           H.c.lock_id == sa.select(L.c.id).where(
               L.c.project_id == sa.bindparam('p_project'),
               L.c.name == sa.bindparam('p_lock')).scalar_subquery(),
           H.c.expires_at > clock.now())
    .values(expires_at=clock.now() + clock.seconds(H.c.ttl)))
_HEARTBEAT_SESSION = sessions.heartbeat_statement(
    sa.select(H.c.session_id)
    .join(L, H.c.lock_id == L.c.id)
    .where(H.c.holder_id == sa.bindparam('p_holder'),
           L.c.project_id == sa.bindparam('p_project'),
           L.c.name == sa.bindparam('p_lock'))
    .scalar_subquery())


class _NoRow(Exception):
    """The lock has no row yet: nobody ever asked for it."""


class Locks:

    def __init__(self, db):
        self.db = db
        db.on_session_end(self._end_session)

    @contextlib.contextmanager
    def _changing(self, where):
        """A write transaction on one lock, locked and settled: yields
        its Queue (None if the lock has no row); grants and notifies.
        """
        with self.db.tx.write() as conn:
            row, now = lockqueue.lock_row(conn, where)
            queue = None if row is None else lockqueue.Queue(conn, row, now)
            if queue is not None:
                queue.settle()
            yield conn, queue
            if queue is not None:
                if queue.dirty:
                    queue.grant()
                queue.flush()
        if queue is not None:
            self.db.notify([queue])

    def _create(self, project_id, name):
        """Give the lock its row (two creators may race: one wins)."""
        try:
            with self.db.tx.write() as conn:
                conn.execute(L.insert().values(
                    project_id=project_id, name=name, fence=0, generation=0,
                    created_at=clock.read(conn)))
        except db_exc.DBDuplicateEntry:
            pass

    @engine.translated()
    def acquire_lock(self, project_id, name, shared, ttl, session_id, wait):
        if wait <= 0:
            self._fail_fast(project_id, name, shared, session_id)
        try:
            return self._acquire(project_id, name, shared, ttl, session_id,
                                 wait)
        except _NoRow:
            # A lock's row is never deleted: a request refused for its
            # session must not leave one behind.
            if session_id is not None:
                self._check_session(project_id, session_id)
            self._create(project_id, name)
            return self._acquire(project_id, name, shared, ttl, session_id,
                                 wait)

    def _check_session(self, project_id, session_id):
        with self.db.tx.read() as conn:
            sessions.live_expiry(conn, project_id, session_id,
                                 clock.read(conn))

    def _fail_fast(self, project_id, name, shared, session_id):
        """Refuse a request that does not wait by a read alone when the
        lock is plainly held: under contention the losers then never
        queue for the lock's row lock. A committed live holder (or
        waiter) seen now means the lock could not be had now.
        """
        with self.db.tx.read() as conn:
            now = clock.read(conn)
            if session_id is not None:
                sessions.live_expiry(conn, project_id, session_id, now)
            held = conn.execute(sa.select(lockqueue.plainly_held(
                shared, now)).where(*_named(project_id, name))).scalar()
        if held:
            raise exceptions.LockHeld(name)

    def _acquire(self, project_id, name, shared, ttl, session_id, wait):
        with self._changing(_named(project_id, name)) as (conn, queue):
            if queue is None:
                raise _NoRow()
            if session_id is not None:
                sessions.live_expiry(conn, project_id, session_id,
                                     queue.now, lock=True)
            if queue.queue_empty() and queue.can_acquire(shared):
                values = queue.issue(shared, ttl, session_id)
                return records.Acquisition(holder=self._issued(
                    conn, name, values))
            if wait <= 0:
                raise exceptions.LockHeld(name)
            waiter = conn.execute(W.insert().values(
                lock_id=queue.lock_id, shared=shared,
                ttl=None if session_id else ttl, session_id=session_id,
                arrived_at=queue.now,
                expires_at=queue.now + int(wait * clock.SECOND))
            ).inserted_primary_key[0]
            queue.joined()
        return records.Acquisition(holder=None, lock_id=queue.lock_id,
                                   waiter_id=waiter,
                                   revision=queue.revision)

    @staticmethod
    def _issued(conn, name, values):
        expiry = values['expires_at']
        if values['session_id'] is not None:
            expiry = conn.execute(sa.select(S.c.expires_at).where(
                S.c.id == values['session_id'])).scalar()
        return _holder(name, dict(values, expiry=expiry))

    @engine.translated()
    def waiter_state(self, project_id, name, waiter_id, session_id=None):
        with self.db.tx.read() as conn:
            row = conn.execute(
                sa.select(W.c.holder_id, W.c.expires_at, L.c.generation,
                          L.c.id.label('lock_id'), clock.now().label('now'))
                .select_from(W.join(L, W.c.lock_id == L.c.id))
                .where(W.c.id == waiter_id, *_named(project_id, name))
            ).first()
            now = row.now if row is not None else clock.read(conn)
            if row is None or row.holder_id is None:
                if session_id is not None:
                    sessions.live_expiry(conn, project_id, session_id, now)
                if row is None or row.expires_at <= now:
                    raise exceptions.LockHeld(name)
                return records.Acquisition(
                    holder=None, lock_id=row.lock_id, waiter_id=waiter_id,
                    revision=row.generation)
            holder = conn.execute(_live_holders([row.lock_id], now).where(
                H.c.holder_id == row.holder_id)).first()
        # The granted row stays (no write here): the lock's settling
        # purges it later (lockqueue.PICKUP).
        if holder is None:
            # Granted, then released or broken before this request saw
            # it: it holds nothing now.
            raise exceptions.LockHeld(name)
        return records.Acquisition(holder=_holder(name, holder._mapping))

    @engine.translated()
    def lock_queue(self, project_id, name):
        now = clock.now()
        with self.db.tx.read() as conn:
            rows = conn.execute(
                sa.select(L.c.generation, W.c.id)
                .select_from(L.outerjoin(lockqueue.WAITERS_WITH_SESSION,
                                         sa.and_(W.c.lock_id == L.c.id,
                                                 lockqueue.waiting(now))))
                .where(*_named(project_id, name))).all()
        return records.Queue(
            revision=rows[0].generation if rows else 0,
            waiting=frozenset(row.id for row in rows if row.id is not None))

    @engine.translated()
    def leave_queue(self, project_id, name, waiter_id, session_id=None):
        with self._changing(_named(project_id, name)) as (conn, queue):
            row = conn.execute(sa.select(W.c.holder_id).where(
                W.c.id == waiter_id)).first()
            if row is not None:
                conn.execute(W.delete().where(W.c.id == waiter_id))
                queue.touched()
            holder, ended = None, False
            if row is not None and row.holder_id is not None:
                # Granted at the last instant: it holds the lock.
                holder = conn.execute(_live_holders(
                    [queue.lock_id], queue.now).where(
                        H.c.holder_id == row.holder_id)).first()
            elif session_id is not None:
                # Raised once it has left the queue (after the commit).
                ended = conn.execute(sa.select(S.c.id).where(
                    S.c.id == session_id,
                    S.c.expires_at > queue.now)).first() is None
        if holder is not None:
            return _holder(name, holder._mapping)
        if session_id is not None and ended:
            raise exceptions.SessionNotFound(session_id)
        raise exceptions.LockHeld(name)

    @engine.translated()
    def release(self, project_id, name, holder_id):
        with self._changing(_named(project_id, name)) as (conn, queue):
            gone = queue is not None and conn.execute(H.delete().where(
                H.c.lock_id == queue.lock_id,
                H.c.holder_id == holder_id)).rowcount
            if not gone:
                raise exceptions.HolderNotFound(name, holder_id)
            queue.touched()

    @engine.translated()
    def break_lock(self, project_id, name):
        with self._changing(_named(project_id, name)) as (conn, queue):
            broken = queue is not None and conn.execute(H.delete().where(
                H.c.lock_id == queue.lock_id)).rowcount
            if not broken:
                raise exceptions.LockNotFound(name)
            queue.touched()

    @engine.translated()
    def heartbeat_holder(self, project_id, name, holder_id):
        params = {'p_project': project_id, 'p_lock': name,
                  'p_holder': holder_id}
        with self.db.tx.write() as conn:
            updated = conn.execute(_HEARTBEAT, params).rowcount
            if not updated:
                updated = conn.execute(_HEARTBEAT_SESSION, params).rowcount
        if not updated:
            raise exceptions.HolderNotFound(name, holder_id)

    def _end_session(self, conn, session_id, now):
        """Release the session's locks and queue places, in the session's
        DELETE transaction: the Queues to notify.
        """
        lock_ids = sorted(set(conn.execute(
            sa.select(H.c.lock_id).where(H.c.session_id == session_id)
            .union(sa.select(W.c.lock_id)
                   .where(W.c.session_id == session_id))).scalars()))
        queues = []
        for lock_id in lock_ids:
            row, _ = lockqueue.lock_row(conn, (L.c.id == lock_id,))
            queue = lockqueue.Queue(conn, row, now)
            for table in (H, W):
                conn.execute(table.delete().where(
                    table.c.lock_id == lock_id,
                    table.c.session_id == session_id))
            queue.touched()
            queue.settle()
            queue.flush()
            queues.append(queue)
        return queues

    # Reads, settled first when a lease or a wait has lapsed.

    def _settled(self, query):
        with self.db.tx.read() as conn:
            rows = conn.execute(query).all()
        due = [row.id for row in rows if row.due]
        if not due:
            return rows
        for lock_id in due:
            self.settle_lock(lock_id)
        with self.db.tx.read() as conn:
            return conn.execute(query).all()

    def _documents(self, rows, now):
        """The Lock of each row, its holders in fence order."""
        holders = {}
        if rows:
            with self.db.tx.read() as conn:
                for holder in conn.execute(
                        _live_holders([row.id for row in rows], now)
                        .order_by(H.c.fence)):
                    holders.setdefault(holder.lock_id, []).append(
                        _holder(holder.name, holder._mapping))
        return [records.Lock(name=row.name, fence=row.fence,
                             holders=holders.get(row.id, []),
                             waiters=row.waiters) for row in rows]

    def _query(self, now, *where):
        return sa.select(L.c.id, L.c.name, L.c.fence,
                         lockqueue.waiter_count(now).label('waiters'),
                         lockqueue.due(now).label('due')).where(*where)

    @engine.translated()
    def get_lock(self, project_id, name):
        now = clock.now()
        rows = self._settled(self._query(now, *_named(project_id, name)))
        if not rows:
            return records.Lock(name=name, fence=0, holders=[], waiters=0)
        return self._documents(rows, clock.now())[0]

    @engine.translated()
    def list_locks(self, project_id, page):
        now = clock.now()
        held = (sa.select(H.c.id).select_from(lockqueue.HOLDERS_WITH_SESSION)
                .where(H.c.lock_id == L.c.id, lockqueue.holder_live(now)))
        query = self._query(now, L.c.project_id == project_id, sa.or_(
            held.exists(), lockqueue.waiter_count(now) > 0))
        if page.marker is not None:
            # Any name is a marker, held or not.
            query = query.where(L.c.name < page.marker
                                if page.sort_dir == 'desc'
                                else L.c.name > page.marker)
        query = pagination.paginate(query, page, SORT, L.c.name, None)
        return self._documents(self._settled(query), clock.now())

    @engine.translated()
    def list_holders(self, project_id, name, page):
        lock = self.get_lock(project_id, name)
        if page.marker is not None and page.marker not in {
                holder.id for holder in lock.holders}:
            raise exceptions.MarkerNotFound(page.marker)
        fences = [holder.fence for holder in lock.holders
                  if holder.id == page.marker]
        after = [holder for holder in lock.holders
                 if not fences or holder.fence > fences[0]]
        return after[:page.limit]

    @engine.translated()
    def get_holder(self, project_id, name, holder_id):
        for holder in self.get_lock(project_id, name).holders:
            if holder.id == holder_id:
                return holder
        raise exceptions.HolderNotFound(name, holder_id)

    # What waiting needs (membership.watch).

    @engine.translated()
    def lock_watch_states(self, lock_ids):
        with self.db.tx.read() as conn:
            rows = conn.execute(_WATCH_STATES,
                                {'ids': list(lock_ids)}).all()
        return {row.id: records.WatchState(revision=row.generation,
                                           expiry_due=bool(row.due))
                for row in rows}

    @engine.translated()
    def settle_lock(self, lock_id):
        with self._changing((L.c.id == lock_id,)):
            pass

"""How a lock changes hands: under its row lock, in arrival order.

Every change to a lock -- an acquisition, a release, a break, a waiter
joining or leaving the queue, the end of a session -- locks the lock's
row (``SELECT ... FOR UPDATE``; SQLite's one writer), reads the
database's clock, and first settles the lock: holders whose lease has
passed are removed, waiters whose wait or session has ended leave the
queue, and the queue is granted from its head for as long as its head
can acquire. Then the change is made, and the queue granted again. So
whichever API process commits next hands the lock on; no daemon is
needed, and a reader that finds a settle due (``due``) runs one first.

Liveness is judged in every query against the database's clock, so a
holder whose lease passed is gone for every reader at that instant,
whether or not its removal has been recorded yet.
"""
import uuid

import sqlalchemy as sa

from membership.storage.sqlalchemy import clock
from membership.storage.sqlalchemy import tables

L = tables.locks
H = tables.lock_holders
W = tables.lock_waiters
S = tables.sessions

# How long a granted waiter's row outlives its wait: its request reads
# the holder from it, at the latest when the wait ends.
PICKUP = 60 * clock.SECOND

HOLDER_EXPIRY = sa.func.coalesce(S.c.expires_at, H.c.expires_at)
HOLDERS_WITH_SESSION = H.outerjoin(S, H.c.session_id == S.c.id)
WAITERS_WITH_SESSION = W.outerjoin(S, W.c.session_id == S.c.id)


def holder_live(now):
    return HOLDER_EXPIRY > now


def waiting(now):
    """A waiter still in the queue: not granted, its wait not over, its
    session (if any) live. A waiter whose session row is gone joins no
    session row, so it is not waiting either.
    """
    return sa.and_(W.c.holder_id.is_(None), W.c.expires_at > now,
                   sa.or_(W.c.session_id.is_(None), S.c.expires_at > now))


def due(now):
    """A correlated EXISTS: the outer lock has something to settle."""
    holders = (sa.select(H.c.id).select_from(HOLDERS_WITH_SESSION)
               .where(H.c.lock_id == L.c.id, HOLDER_EXPIRY <= now))
    waiters = (sa.select(W.c.id).select_from(WAITERS_WITH_SESSION)
               .where(W.c.lock_id == L.c.id, W.c.holder_id.is_(None),
                      ~waiting(now)))
    return sa.or_(holders.exists(), waiters.exists())


def waiter_count(now):
    """A correlated subquery: the outer lock's waiters now."""
    return (sa.select(sa.func.count()).select_from(WAITERS_WITH_SESSION)
            .where(W.c.lock_id == L.c.id, waiting(now)).scalar_subquery())


def plainly_held(shared, now):
    """A correlated EXISTS: a request for the outer lock that does not
    wait fails now, with no need of its row lock (a live holder it
    cannot share, or anyone queued before it).
    """
    holders = (sa.select(H.c.id).select_from(HOLDERS_WITH_SESSION)
               .where(H.c.lock_id == L.c.id, holder_live(now)))
    if shared:
        holders = holders.where(~H.c.shared)
    queued = (sa.select(W.c.id).select_from(WAITERS_WITH_SESSION)
              .where(W.c.lock_id == L.c.id, waiting(now)))
    return sa.or_(holders.exists(), queued.exists())


def lock_row(conn, where):
    """Lock a lock's row for this transaction, then read the clock (as
    ``changes.lock_group`` does, for the same reason): ``(row, now)``.
    """
    row = conn.execute(sa.select(L).where(*where).with_for_update()).first()
    if row is None:
        return None, None
    return row, clock.read(conn)


class Queue:
    """The changes of one transaction to one locked lock."""

    def __init__(self, conn, row, now):
        self.conn = conn
        self.lock_id = row.id
        self.name = row.name
        self.now = now
        self.fence = row.fence
        self.revision = row.generation
        self.changed = False
        # Holders or waiters left: the queue's head may now acquire.
        self.dirty = False
        self._holders = None

    @property
    def watch_key(self):
        """What waiters of this lock wait on (``Watcher`` keys)."""
        return ('lock', self.lock_id)

    def settle(self):
        """Remove lapsed holders and waiters, then grant the queue."""
        now = self.now
        lapsed = sa.or_(
            sa.and_(H.c.session_id.is_(None), H.c.expires_at <= now),
            sa.exists().where(S.c.id == H.c.session_id,
                              S.c.expires_at <= now))
        # The condition is in the DELETE itself: a heartbeat committed
        # since keeps its holder.
        if self.conn.execute(H.delete().where(H.c.lock_id == self.lock_id,
                                              lapsed)).rowcount:
            self.touched()
        left = sa.or_(
            W.c.expires_at <= now,
            sa.and_(W.c.session_id.is_not(None),
                    ~sa.exists().where(S.c.id == W.c.session_id,
                                       S.c.expires_at > now)))
        if self.conn.execute(W.delete().where(
                W.c.lock_id == self.lock_id, W.c.holder_id.is_(None),
                left)).rowcount:
            self.touched()
        self.conn.execute(W.delete().where(
            W.c.lock_id == self.lock_id, W.c.holder_id.is_not(None),
            W.c.expires_at <= now - PICKUP))
        if self.dirty:
            self.grant()

    def touched(self):
        """A holder or a waiter left."""
        self.changed = self.dirty = True
        self._holders = None

    def joined(self):
        """A waiter joined the back of the queue (nobody can acquire)."""
        self.changed = True

    def holders(self):
        """``[shared, ...]`` of the live holders."""
        if self._holders is None:
            self._holders = list(self.conn.execute(
                sa.select(H.c.shared).select_from(HOLDERS_WITH_SESSION)
                .where(H.c.lock_id == self.lock_id, holder_live(self.now))
            ).scalars())
        return self._holders

    def can_acquire(self, shared):
        """Whether a request that is next in the queue acquires now."""
        holders = self.holders()
        return all(holders) if shared else not holders

    def queue_empty(self):
        return self.conn.execute(
            sa.select(W.c.id).select_from(WAITERS_WITH_SESSION)
            .where(W.c.lock_id == self.lock_id, waiting(self.now))
            .limit(1)).first() is None

    def grant(self):
        """Grant waiters from the head of the queue while they can
        acquire: a waiter that cannot stops all behind it (FIFO; no
        shared request passes an earlier exclusive one).
        """
        queue = self.conn.execute(
            sa.select(W.c.id, W.c.shared, W.c.ttl, W.c.session_id)
            .select_from(WAITERS_WITH_SESSION)
            .where(W.c.lock_id == self.lock_id, waiting(self.now))
            .order_by(W.c.id)).all()
        for waiter in queue:
            if not self.can_acquire(waiter.shared):
                break
            holder = self.issue(waiter.shared, waiter.ttl, waiter.session_id)
            self.conn.execute(W.update().where(W.c.id == waiter.id)
                              .values(holder_id=holder['holder_id']))
        self.dirty = False

    def issue(self, shared, ttl, session_id):
        """A new holder with the lock's next fencing token: its values."""
        self.fence += 1
        values = dict(
            lock_id=self.lock_id, holder_id=str(uuid.uuid4()), shared=shared,
            fence=self.fence, ttl=None if session_id else ttl,
            session_id=session_id, acquired_at=self.now,
            expires_at=None if session_id else self.now + ttl * clock.SECOND)
        self.conn.execute(H.insert().values(**values))
        self.holders().append(shared)
        self.changed = True
        return values

    def flush(self):
        """Write the last token issued and the new revision."""
        if self.changed:
            self.revision += 1
            self.conn.execute(L.update().where(L.c.id == self.lock_id)
                              .values(fence=self.fence,
                                      generation=self.revision))
            self.changed = False

"""What the storage hands out and takes: records, conditions, pages.

Times are integer microseconds since the epoch (UTC) as the database's
clock gave them; the API layer renders them. Every record that can be
written carries an entity tag, made by :func:`etag` alone.
"""
import dataclasses
import hashlib

from membership.storage import exceptions


def etag(*parts):
    """The entity tag of a resource whose identity and writable state
    are ``parts`` (a row id and generation, or the fields themselves).
    """
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8)
    return '"%s"' % digest.hexdigest()


@dataclasses.dataclass(frozen=True)
class Group:
    name: str
    project_id: str
    description: str
    metadata: dict
    member_count: int
    revision: int
    created_at: int
    updated_at: int
    etag: str


@dataclasses.dataclass(frozen=True)
class Member:
    group: str
    id: str
    capabilities: object
    ttl: int | None
    session: str | None
    joined_at: int
    updated_at: int
    heartbeat_at: int
    expires_at: int | None
    etag: str


@dataclasses.dataclass(frozen=True)
class Session:
    id: str
    project_id: str
    ttl: int
    created_at: int
    heartbeat_at: int
    expires_at: int
    etag: str


@dataclasses.dataclass(frozen=True)
class Candidate:
    group: str
    id: str
    leader: bool
    ttl: int | None
    session: str | None
    entered_at: int
    heartbeat_at: int
    expires_at: int | None
    etag: str


@dataclasses.dataclass(frozen=True)
class Leader:
    group: str
    id: str
    term: int
    elected_at: int
    etag: str


@dataclasses.dataclass(frozen=True)
class Event:
    revision: int
    type: str
    member_id: str
    at: int


@dataclasses.dataclass(frozen=True)
class Events:
    """Events after a revision, and where the group stands."""
    group_id: int
    events: list
    revision: int


@dataclasses.dataclass(frozen=True)
class WatchState:
    """What a long-poll needs to know of a group, polled cheaply."""
    revision: int
    expiry_due: bool


@dataclasses.dataclass(frozen=True)
class Holder:
    """One acquisition of a lock."""
    lock: str
    id: str
    shared: bool
    fence: int
    ttl: int | None
    session: str | None
    acquired_at: int
    expires_at: int


@dataclasses.dataclass(frozen=True)
class Lock:
    """A lock as of now; a free one has no holders."""
    name: str
    fence: int
    holders: list
    waiters: int

    @property
    def mode(self):
        if not self.holders:
            return None
        return 'shared' if self.holders[0].shared else 'exclusive'

    @property
    def etag(self):
        return etag(self.name, self.fence, self.waiters,
                    tuple(holder.id for holder in self.holders))


@dataclasses.dataclass(frozen=True)
class Acquisition:
    """Where a lock request stands: acquired (``holder``), or queued as
    ``waiter_id`` on lock ``lock_id`` whose queue is at ``revision``.
    """
    holder: Holder | None
    lock_id: int | None = None
    waiter_id: int | None = None
    revision: int = 0


@dataclasses.dataclass(frozen=True)
class Queue:
    """A lock's queue as of ``revision``: the waiters still waiting."""
    revision: int
    waiting: frozenset


@dataclasses.dataclass(frozen=True)
class Conditions:
    """RFC 9110 preconditions of a write, checked inside its transaction.

    Each is None (header absent) or the tuple of entity tags the header
    lists, ``'*'`` included. If-Match compares strongly (a weak tag never
    matches); If-None-Match weakly (the API strips ``W/``).
    """
    if_match: tuple | None = None
    if_none_match: tuple | None = None

    @property
    def create_only(self):
        return self.if_none_match is not None and '*' in self.if_none_match

    def check(self, etag):
        """Raise PreconditionFailed unless a resource whose entity tag is
        ``etag`` (None: it does not exist) may be written.
        """
        if etag is None:
            if self.if_match is not None:
                raise exceptions.PreconditionFailed('does not exist')
            return
        if self.if_none_match is not None and (
                '*' in self.if_none_match or etag in self.if_none_match):
            raise exceptions.PreconditionFailed('already exists')
        if self.if_match is not None and '*' not in self.if_match \
                and etag not in self.if_match:
            raise exceptions.PreconditionFailed('has changed')


NO_CONDITIONS = Conditions()


class Unbounded:
    """The limits of a storage built without a quota: nothing to check."""

    bounded = False

    def enforce(self, deltas, usage):
        pass


UNBOUNDED = Unbounded()


@dataclasses.dataclass(frozen=True)
class Page:
    """What a list asks for, already validated by the API."""
    limit: int
    marker: str | None = None
    sort_key: str = 'name'
    sort_dir: str = 'asc'
    # Bytes of stored documents (metadata, capabilities) a page holds at
    # most (None: no bound); at least one item.
    max_bytes: int | None = None


class Items(list):
    """A page's items; ``cut`` when it stopped before its limit because
    of ``Page.max_bytes``: more items follow.
    """

    cut = False

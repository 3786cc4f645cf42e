"""The storage interface in domain terms: records, conditions, errors.

Controllers speak only this module. Times are integer microseconds since
the epoch (UTC) as the database's clock gave them; the API layer renders
them.
"""
import dataclasses


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


@dataclasses.dataclass(frozen=True)
class Leader:
    group: str
    id: str
    term: int
    elected_at: int


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
                raise PreconditionFailed('does not exist')
            return
        if self.if_none_match is not None and (
                '*' in self.if_none_match or etag in self.if_none_match):
            raise PreconditionFailed('already exists')
        if self.if_match is not None and '*' not in self.if_match \
                and etag not in self.if_match:
            raise PreconditionFailed('has changed')


NO_CONDITIONS = Conditions()


@dataclasses.dataclass(frozen=True)
class Page:
    """What a list asks for, already validated by the API."""
    limit: int
    marker: str | None = None
    sort_key: str = 'name'
    sort_dir: str = 'asc'


class StorageError(Exception):
    """Base of every error the storage raises on purpose."""


class GroupNotFound(StorageError):
    def __init__(self, name):
        super().__init__(f"Group '{name}' does not exist.")
        self.name = name


class MemberNotFound(StorageError):
    def __init__(self, group, member_id):
        super().__init__(
            f"Member '{member_id}' is not a live member of group '{group}'.")
        self.group = group
        self.member_id = member_id


class GroupNotEmpty(StorageError):
    def __init__(self, name, count):
        super().__init__(
            f"Group '{name}' still has {count} live member(s).")
        self.name = name


class PreconditionFailed(StorageError):
    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class MarkerNotFound(StorageError):
    def __init__(self, marker):
        super().__init__(f"Marker '{marker}' does not name an item of this "
                         "list.")
        self.marker = marker


class StorageUnavailable(StorageError):
    """The database cannot be reached or did not answer in time."""


class SessionNotFound(StorageError):
    def __init__(self, session_id):
        super().__init__(f"Session '{session_id}' does not exist or has "
                         "expired.")
        self.session_id = session_id


class CandidateNotFound(StorageError):
    def __init__(self, group, candidate_id):
        super().__init__(f"Candidate '{candidate_id}' is not a live "
                         f"candidate of group '{group}'.")


class NotLeader(StorageError):
    def __init__(self, group, candidate_id):
        super().__init__(f"Candidate '{candidate_id}' is not the leader of "
                         f"group '{group}'.")


class NoLeader(StorageError):
    def __init__(self, group):
        super().__init__(f"Group '{group}' has no live candidate, so no "
                         "leader.")


class RevisionCompacted(StorageError):
    def __init__(self, since, oldest):
        super().__init__(
            f"Events up to revision {oldest} were purged (retention); "
            f"revision {since} is too old: list the members again and "
            f"watch from the group's current revision.")

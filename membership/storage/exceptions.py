"""Errors the storage raises on purpose, in domain terms.

The API maps each to an error code (``membership.api.errors``).
"""


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


class InvalidConnection(StorageError):
    """[database] connection names no database this driver can open.

    The message never repeats the URL (it may hold a password).
    """


class SchemaNotCurrent(StorageError):
    """The database's schema is not the one this code speaks (never
    synced, behind, or newer); the message says which and what to run.
    """


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


class LockHeld(StorageError):
    def __init__(self, name):
        super().__init__(f"Lock '{name}' could not be acquired: it is held "
                         "(or others wait for it first).")
        self.name = name


class LockNotFound(StorageError):
    def __init__(self, name):
        super().__init__(f"Lock '{name}' has no holder.")
        self.name = name


class HolderNotFound(StorageError):
    def __init__(self, name, holder_id):
        super().__init__(f"Holder '{holder_id}' does not hold lock "
                         f"'{name}' (released, expired or broken).")
        self.name = name
        self.holder_id = holder_id


class QuotaExceeded(StorageError):
    def __init__(self, name, limit, usage, delta):
        super().__init__(
            f"Quota exceeded for {name}: the limit is {limit}, the usage "
            f"{usage}, and this request would add {delta}.")
        self.name = name
        self.limit = limit
        self.usage = usage
        self.delta = delta


class LimitsUnavailable(StorageError):
    """The project's limits could not be read (Keystone unreachable)."""

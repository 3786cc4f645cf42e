"""The storage contract: every operation the API may ask of a driver.

A driver subclasses :class:`Storage` and implements each method; the
API speaks only this page, the records of ``records`` and the errors of
``exceptions``. Each operation is one transaction; every judgement of
liveness compares with the database's clock inside it, so all API
processes over one database agree at every instant.

Reads never write, but for two documented steps: :meth:`settle`, which
reads that tell a group's revision or leader (``get_group``,
``list_groups``, ``events``, ``get_leader``) take first, so that the
revision they report already counts the expiries that came due; and
:meth:`settle_lock`, which reads of a lock take first when a lease or a
wait has lapsed, so that they show the lock already handed on.

Every write method raises ``StorageUnavailable`` when the database
cannot be reached in time, and the ``*NotFound`` error of what it
names.
"""
import abc


class Storage(abc.ABC):

    # Lifecycle and change notification.

    @abc.abstractmethod
    def dispose(self):
        """Close every pooled connection (the process is stopping)."""

    @abc.abstractmethod
    def check_schema(self):
        """Return if the database's schema is the one this driver
        speaks; else SchemaNotCurrent (StorageUnavailable if the
        database cannot be reached).
        """

    @abc.abstractmethod
    def ping(self):
        """Return once the database answers; StorageUnavailable if it
        does not in time (the health check).
        """

    @abc.abstractmethod
    def subscribe(self, callback):
        """Call ``callback(key, revision)`` after every change this
        process commits (so its waiters wake at once): ``key`` is a
        group's id, or ``('lock', id)`` for a lock (see
        :meth:`acquire_lock`).
        """

    # Groups.

    @abc.abstractmethod
    def get_group(self, project_id, name):
        """The Group, settled first."""

    @abc.abstractmethod
    def list_groups(self, project_id, page):
        """A page (records.Page) of the project's groups, settled."""

    @abc.abstractmethod
    def put_group(self, project_id, name, description, metadata,
                  conditions):
        """Create the group, or replace its description and metadata
        under ``conditions`` (records.Conditions). ``(group, created)``.
        """

    @abc.abstractmethod
    def update_group(self, project_id, name, patch, conditions):
        """Apply ``patch(group) -> (description, metadata)`` atomically.
        """

    @abc.abstractmethod
    def delete_group(self, project_id, name, conditions):
        """Delete a group without live members (else GroupNotEmpty),
        its events and candidacies with it.
        """

    # Members.

    @abc.abstractmethod
    def get_member(self, project_id, group, member_id):
        """The live Member, or MemberNotFound."""

    @abc.abstractmethod
    def list_members(self, project_id, group, page):
        """A page of the group's live members."""

    @abc.abstractmethod
    def put_member(self, project_id, group, member_id, capabilities, ttl,
                   conditions, session_id=None):
        """Join, or replace a live member's capabilities and liveness: a
        ttl (None: never expires), or a session (then ``ttl`` is
        ignored; SessionNotFound if it is not live). ``(member, joined)``.
        """

    @abc.abstractmethod
    def update_member(self, project_id, group, member_id, patch,
                      conditions):
        """Apply ``patch(member) -> (capabilities, ttl)`` atomically; a
        new ttl replaces a session.
        """

    @abc.abstractmethod
    def leave(self, project_id, group, member_id, conditions):
        """Remove a live member (a ``left`` event)."""

    @abc.abstractmethod
    def heartbeat(self, project_id, group, member_id):
        """Push a live member's expiry (or its session's) to now + ttl:
        one short transaction, never the group's lock.
        """

    # Events.

    @abc.abstractmethod
    def events(self, project_id, group, since, limit, types=None):
        """records.Events after revision ``since`` (None: the current
        one), oldest first, at most ``limit``, of ``types`` only (None:
        all); RevisionCompacted when ``since`` is older than retention.
        """

    @abc.abstractmethod
    def watch_states(self, group_ids):
        """``{group_id: records.WatchState}`` of the groups, in one
        cheap query; a deleted group is absent.
        """

    @abc.abstractmethod
    def settle(self, group_id):
        """Record the group's due expiries (``expired`` events, the
        leadership they hand on) now, in a transaction of their own.
        A group deleted meanwhile has nothing to record.
        """

    # Sessions.

    @abc.abstractmethod
    def create_session(self, project_id, ttl):
        """A new live Session of ``ttl`` seconds."""

    @abc.abstractmethod
    def get_session(self, project_id, session_id):
        """The live Session, or SessionNotFound."""

    @abc.abstractmethod
    def list_sessions(self, project_id, page):
        """A page of the project's live sessions."""

    @abc.abstractmethod
    def heartbeat_session(self, project_id, session_id):
        """Push a live session's expiry to now + ttl: one UPDATE."""

    @abc.abstractmethod
    def delete_session(self, project_id, session_id):
        """End the session and, in the same transaction, every
        membership (``left``) and candidacy it holds, in every group,
        and every lock it holds or waits for (the queues granted).
        """

    # Leader election.

    @abc.abstractmethod
    def put_candidate(self, project_id, group, candidate_id, ttl,
                      session_id=None):
        """Enter the election, or refresh a candidacy's liveness (its
        place in the queue kept). ``(candidate, entered)``.
        """

    @abc.abstractmethod
    def get_candidate(self, project_id, group, candidate_id):
        """The live Candidate, or CandidateNotFound."""

    @abc.abstractmethod
    def list_candidates(self, project_id, group, page):
        """A page of the live candidates, in queue order."""

    @abc.abstractmethod
    def withdraw(self, project_id, group, candidate_id):
        """Leave the election; a leader hands on at once."""

    @abc.abstractmethod
    def stand_down(self, project_id, group, candidate_id):
        """The leader goes to the back of the queue (NotLeader if it is
        not the leader); the next leads.
        """

    @abc.abstractmethod
    def heartbeat_candidate(self, project_id, group, candidate_id):
        """Push a live candidacy's expiry (or its session's) forward."""

    @abc.abstractmethod
    def get_leader(self, project_id, group):
        """The Leader as of now, settled first; NoLeader without live
        candidates.
        """

    # Locks (1.3). A lock exists for every name (a free one has no
    # holder); its fencing tokens count up from 1 and are never reused.
    # Every decision is one transaction holding the lock's row lock:
    # lapsed holders and waiters go first, then the queue is granted
    # from its head (FIFO: a request that cannot acquire stops those
    # behind it), then the operation, then the queue is granted again.

    @abc.abstractmethod
    def acquire_lock(self, project_id, name, shared, ttl, session_id=None,
                     wait=0):
        """Acquire the lock, exclusive or ``shared``, for a holder bound
        to a live session (SessionNotFound otherwise) or to ``ttl``
        seconds. An exclusive request acquires when there is no holder
        and nobody queued before it; a shared one when no holder is
        exclusive and nobody is queued before it.

        Returns a records.Acquisition: with its ``holder`` when acquired;
        else, when ``wait`` > 0, queued until ``wait`` seconds from now
        (``waiter_id``, and the ``lock_id`` and ``revision`` to wait on,
        as ``('lock', lock_id)``); else raises LockHeld.
        """

    @abc.abstractmethod
    def waiter_state(self, project_id, name, waiter_id, session_id=None):
        """Where a queued request stands, read only: an Acquisition with
        its holder once granted (then it leaves the queue), or the
        revision to wait past. SessionNotFound once ``session_id`` (the
        request's) ended; LockHeld once its wait ended.
        """

    @abc.abstractmethod
    def lock_queue(self, project_id, name):
        """The lock's records.Queue, read only, in one query: what the
        waiters of one process woken by a change share, each then asking
        :meth:`waiter_state` only once it is no longer waiting.
        """

    @abc.abstractmethod
    def leave_queue(self, project_id, name, waiter_id, session_id=None):
        """The request gives up: it leaves the queue (handing on to
        those behind it if they can now acquire) and LockHeld is raised;
        unless it was granted meanwhile: then its Holder is returned.
        SessionNotFound when its session ended.
        """

    @abc.abstractmethod
    def get_lock(self, project_id, name):
        """The records.Lock as of now, settled first; a lock never
        acquired is free with fence 0.
        """

    @abc.abstractmethod
    def list_locks(self, project_id, page):
        """A page of the locks held or waited for now, by name; the
        marker is any name.
        """

    @abc.abstractmethod
    def list_holders(self, project_id, name, page):
        """A page of the lock's live holders in fence order; the marker
        is a holder id (MarkerNotFound when it holds nothing).
        """

    @abc.abstractmethod
    def get_holder(self, project_id, name, holder_id):
        """The live Holder, or HolderNotFound."""

    @abc.abstractmethod
    def heartbeat_holder(self, project_id, name, holder_id):
        """Push a live holder's expiry (or its session's) to now + ttl:
        one UPDATE, never the lock's row lock. HolderNotFound.
        """

    @abc.abstractmethod
    def release(self, project_id, name, holder_id):
        """Release one holder (HolderNotFound when it holds nothing);
        the queue is granted in the same transaction.
        """

    @abc.abstractmethod
    def break_lock(self, project_id, name):
        """Release every holder at once (LockNotFound when there is
        none); the queue is granted in the same transaction.
        """

    @abc.abstractmethod
    def lock_watch_states(self, lock_ids):
        """``{lock_id: records.WatchState}`` of the locks in one cheap
        query; ``expiry_due`` when a lease or a wait has lapsed.
        """

    @abc.abstractmethod
    def settle_lock(self, lock_id):
        """Remove the lock's lapsed holders and waiters and grant its
        queue now, in a transaction of its own.
        """

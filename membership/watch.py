"""Waiting for a group or a lock: the long-poll service of a process.

Below the controllers and above the storage, this module owns every
wait: the events long-poll and lock waits (the queue itself is in the
database, so it is fair across processes; a waiting request is parked
here until a change to its lock may have granted it). A waiter holds
its request's thread and a condition variable, nothing else: no database
connection, no transaction, no CPU. Two things wake it:

- a change committed by this process: the storage calls :meth:`notify`
  right after the commit (``Storage.subscribe``), so it wakes at once;
- a change committed by any other process: one poller thread per
  process reads, every ``[api] watch_poll_interval`` seconds and only
  while there are waiters, the revision of each watched group in a
  single query (``Storage.watch_states``; ``Storage.lock_watch_states``
  for locks), and wakes the waiters of the groups and locks that
  moved. The same query tells when a watched group has an expiry due:
  the poller then records it (``Storage.settle``, a step by which reads
  write), so an ``expired`` event reaches watchers within a poll
  interval of ``expires_at`` even when nobody else touches the group;
  likewise a lock whose holder's lease lapsed is handed on
  (``Storage.settle_lock``).

Woken waiters of one group share their reads: the first to wake for a
revision runs the events query, the others with the same question take
its answer, so one change costs one query, not one per waiter.
"""
import contextlib
import dataclasses
import logging
import threading
import time

from membership.server import draining
from membership.storage import exceptions as storage_errors

LOG = logging.getLogger(__name__)

# The environ key of a callable the server may give a request (see
# membership.server.worker): ``on_client_gone(callback)`` calls
# ``callback()`` if the client closes its connection, and returns a
# function that stops watching. No polling: a parked waiter costs no CPU.
CLIENT_GONE = 'membership.client_gone'


class TooManyWaiters(Exception):
    """This process already holds ``[api] max_waiters`` long-polls, or
    this project its share of them.
    """


class GroupReplaced(Exception):
    """The group was deleted (and maybe created again) while waiting."""


class _Group:
    """The waiters of one group, and the answers they share."""
    __slots__ = ('condition', 'revision', 'waiters', 'gone', 'read_lock',
                 'answers')

    def __init__(self):
        self.condition = threading.Condition()
        self.revision = -1
        self.waiters = 0
        self.gone = False
        self.read_lock = threading.Lock()
        # {question: answer} read since ``revision`` was last raised.
        self.answers = {}


class Watcher:

    def __init__(self, storage, poll_interval, max_waiters,
                 project_share=1.0):
        self.storage = storage
        self.poll_interval = poll_interval
        self.max_waiters = max_waiters
        # No project may hold more than its share of the cap, so one
        # that parks (or abandons) many long-polls cannot starve others.
        self.max_project_waiters = max(1, int(max_waiters * project_share))
        self._lock = threading.Lock()
        self._groups = {}
        self._waiters = 0
        self._projects = {}
        self._poller = None
        self._work = threading.Event()
        storage.subscribe(self.notify)
        # On SIGTERM parked waiters answer now, with what they have.
        draining.subscribe(self._wake_all)

    def events(self, project_id, group, since, limit, kinds, timeout,
               on_client_gone=None):
        """Events of ``group`` after ``since`` (None: from now), waiting
        up to ``timeout`` seconds for the first, or until the client is
        gone (``on_client_gone``: see :data:`CLIENT_GONE`).
        """
        deadline = time.monotonic() + timeout
        found = self.storage.events(project_id, group, since, limit, kinds)
        while not found.events:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or draining.is_draining():
                break
            seen = found.revision if since is None else max(since,
                                                            found.revision)
            state = self.wait(found.group_id, seen, remaining, project_id,
                              on_client_gone)
            if state is None:
                break
            since, group_id = seen, found.group_id
            found = self._shared(state, (project_id, group, since, limit,
                                         kinds), self.storage.events)
            if found.group_id != group_id:
                # Deleted and created again while we waited: the
                # revisions we knew belong to a group that is gone.
                raise GroupReplaced()
        return found

    def wait(self, group_id, revision, timeout, project_id=None,
             on_client_gone=None):
        """Block until the group passes ``revision``, disappears, or
        ``timeout`` seconds pass. Returns the group's waiting state, or
        None when the client went away (its slot is then free at once).
        """
        with self._slot(project_id), self._watching(group_id) as group:
            if not self._park(group, revision, timeout, on_client_gone):
                return None
        return group

    def acquire(self, project_id, name, shared, ttl, session_id, wait,
                on_client_gone=None):
        """Acquire the lock, queued up to ``wait`` seconds: the Holder.

        The request waits in the lock's queue (in the database, so FIFO
        holds across processes) while parked here. Each change to the
        lock wakes the lock's waiters, which share one read of the queue;
        one no longer in it reads its own state (granted, or its session
        ended). When the wait runs out, or the client goes away, it
        leaves the queue (storage LockHeld).
        """
        storage = self.storage
        if wait <= 0:
            return storage.acquire_lock(project_id, name, shared, ttl,
                                        session_id, 0).holder
        with self._slot(project_id):
            deadline = time.monotonic() + wait
            state = storage.acquire_lock(project_id, name, shared, ttl,
                                         session_id, wait)
            if state.holder is not None:
                return state.holder
            with self._watching(('lock', state.lock_id)) as lock:
                while state.holder is None:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0 or not self._park(
                            lock, state.revision, remaining, on_client_gone):
                        return storage.leave_queue(project_id, name,
                                                   state.waiter_id,
                                                   session_id)
                    queue = self._shared(lock, (project_id, name),
                                         storage.lock_queue)
                    if state.waiter_id in queue.waiting:
                        state = dataclasses.replace(
                            state, revision=queue.revision)
                    else:  # granted, or out of the queue
                        state = storage.waiter_state(
                            project_id, name, state.waiter_id, session_id)
            return state.holder

    @contextlib.contextmanager
    def _slot(self, project_id):
        """Count one waiting request against ``max_waiters`` and the
        project's share of it.
        """
        with self._lock:
            held = self._projects.get(project_id, 0)
            if (self._waiters >= self.max_waiters
                    or held >= self.max_project_waiters):
                raise TooManyWaiters()
            self._waiters += 1
            self._projects[project_id] = held + 1
        try:
            yield
        finally:
            with self._lock:
                self._waiters -= 1
                held = self._projects[project_id] - 1
                if held:
                    self._projects[project_id] = held
                else:
                    del self._projects[project_id]

    @contextlib.contextmanager
    def _watching(self, key):
        """The waiting state of ``key`` (a group id or a lock's key),
        watched by the poller while anyone waits on it.
        """
        with self._lock:
            watched = self._groups.get(key)
            if watched is None:
                watched = self._groups[key] = _Group()
            watched.waiters += 1
            self._start_poller()
        self._work.set()
        try:
            yield watched
        finally:
            with self._lock:
                watched.waiters -= 1
                if not watched.waiters:
                    self._groups.pop(key, None)

    @staticmethod
    def _park(watched, revision, timeout, on_client_gone=None):
        """Wait for a change past ``revision``, the timeout, or draining;
        False if the client went away meanwhile.
        """
        deadline = time.monotonic() + timeout
        gone = []

        def client_left():
            with watched.condition:
                gone.append(True)
                watched.condition.notify_all()

        stop_watching = on_client_gone(client_left) if on_client_gone \
            else None
        try:
            with watched.condition:
                while (watched.revision <= revision and not watched.gone
                       and not gone and not draining.is_draining()):
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    watched.condition.wait(remaining)
        finally:
            if stop_watching is not None:
                stop_watching()
        return not gone

    def _wake_all(self):
        with self._lock:
            watched = list(self._groups.values())
        for one in watched:
            with one.condition:
                one.condition.notify_all()

    @staticmethod
    def _shared(group, question, read):
        """``read(*question)``, or the answer a waiter woken by the same
        change already read.
        """
        with group.read_lock:
            with group.condition:
                answer = group.answers.get(question)
                revision = group.revision
            if answer is None:
                answer = read(*question)
                with group.condition:
                    # Only an answer read since the last change is
                    # shared.
                    if group.revision == revision:
                        group.answers[question] = answer
            return answer

    def notify(self, group_id, revision, gone=False):
        group = self._groups.get(group_id)
        if group is None:
            return
        with group.condition:
            if revision > group.revision or gone:
                group.revision = max(group.revision, revision)
                group.gone = group.gone or gone
                group.answers = {}
                group.condition.notify_all()

    def _start_poller(self):
        if self._poller is None or not self._poller.is_alive():
            self._poller = threading.Thread(
                target=self._poll_forever, name='membership-watch-poller',
                daemon=True)
            self._poller.start()

    def _poll_forever(self):
        failures = 0
        while True:
            if not self._groups:
                self._work.wait()
                self._work.clear()
                continue
            try:
                self._poll_once()
                failures = 0
            except storage_errors.StorageUnavailable:
                # The driver logged why, in one line; waiters time out as
                # usual. Back off to a poll a second while it lasts.
                failures += 1
            except Exception:
                LOG.exception('Watch poll failed')
                failures += 1
            time.sleep(min(1.0, self.poll_interval * 2 ** min(failures, 6)))

    def _poll_once(self):
        with self._lock:
            keys = list(self._groups)
        group_ids = [key for key in keys if not isinstance(key, tuple)]
        lock_ids = [key[1] for key in keys if isinstance(key, tuple)]
        if group_ids:
            self._poll(group_ids, self.storage.watch_states,
                       self.storage.settle, lambda group_id: group_id)
        if lock_ids:
            self._poll(lock_ids, self.storage.lock_watch_states,
                       self.storage.settle_lock,
                       lambda lock_id: ('lock', lock_id))

    def _poll(self, ids, read_states, settle, key_of):
        states = read_states(ids)
        for id_ in ids:
            state = states.get(id_)
            if state is None:
                self.notify(key_of(id_), -1, gone=True)
                continue
            self.notify(key_of(id_), state.revision)
            if state.expiry_due:
                settle(id_)

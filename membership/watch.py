"""Waiting for a group to change: the long-poll service of a process.

Below the controllers and above the storage, this module owns every
wait: the events long-poll (and, with locks, lock waits). A waiter holds
its request's thread and a condition variable, nothing else: no database
connection, no transaction, no CPU. Two things wake it:

- a change committed by this process: the storage calls :meth:`notify`
  right after the commit (``Storage.subscribe``), so it wakes at once;
- a change committed by any other process: one poller thread per
  process reads, every ``[api] watch_poll_interval`` seconds and only
  while there are waiters, the revision of each watched group in a
  single query (``Storage.watch_states``), and wakes the waiters of the
  groups that moved. The same query tells when a watched group has an
  expiry due: the poller then records it (``Storage.settle``, the one
  step by which reads write), so an ``expired`` event reaches watchers
  within a poll interval of ``expires_at`` even when nobody else touches
  the group.

Woken waiters of one group share their reads: the first to wake for a
revision runs the events query, the others with the same question take
its answer, so one change costs one query, not one per waiter.
"""
import logging
import threading
import time

from membership.server import draining

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
        with self._lock:
            held = self._projects.get(project_id, 0)
            if (self._waiters >= self.max_waiters
                    or held >= self.max_project_waiters):
                raise TooManyWaiters()
            group = self._groups.get(group_id)
            if group is None:
                group = self._groups[group_id] = _Group()
            group.waiters += 1
            self._waiters += 1
            self._projects[project_id] = held + 1
            self._start_poller()
        self._work.set()
        deadline = time.monotonic() + timeout
        gone = []

        def client_left():
            with group.condition:
                gone.append(True)
                group.condition.notify_all()

        stop_watching = on_client_gone(client_left) if on_client_gone \
            else None
        try:
            with group.condition:
                while (group.revision <= revision and not group.gone
                       and not gone and not draining.is_draining()):
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    group.condition.wait(remaining)
        finally:
            if stop_watching is not None:
                stop_watching()
            with self._lock:
                group.waiters -= 1
                self._waiters -= 1
                if not group.waiters:
                    self._groups.pop(group_id, None)
                held = self._projects[project_id] - 1
                if held:
                    self._projects[project_id] = held
                else:
                    del self._projects[project_id]
        return None if gone else group

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

    def _wake_all(self):
        with self._lock:
            groups = list(self._groups.values())
        for group in groups:
            with group.condition:
                group.condition.notify_all()

    def _start_poller(self):
        if self._poller is None or not self._poller.is_alive():
            self._poller = threading.Thread(
                target=self._poll_forever, name='membership-watch-poller',
                daemon=True)
            self._poller.start()

    def _poll_forever(self):
        while True:
            if not self._groups:
                self._work.wait()
                self._work.clear()
                continue
            try:
                self._poll_once()
            except Exception:
                # The database may be down; waiters time out as usual.
                LOG.warning('Watch poll failed', exc_info=True)
            time.sleep(self.poll_interval)

    def _poll_once(self):
        with self._lock:
            group_ids = list(self._groups)
        states = self.storage.watch_states(group_ids)
        for group_id in group_ids:
            state = states.get(group_id)
            if state is None:
                self.notify(group_id, -1, gone=True)
                continue
            self.notify(group_id, state.revision)
            if state.expiry_due:
                self.storage.settle(group_id)

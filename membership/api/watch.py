"""Long-poll waiters of one API process, and what wakes them.

A waiting request holds a thread and a condition variable, nothing else:
no database connection, no transaction, no CPU. Two things wake it:

- a change committed by this process: the storage calls :meth:`notify`
  right after the commit, so the waiter wakes at once;
- a change committed by any other process: one poller thread per
  process reads, every ``[api] watch_poll_interval`` seconds and only
  while there are waiters, the revision of each watched group in a single
  query, and wakes the waiters of the groups that moved. The same query
  tells when a watched group has an expiry due: the poller records it
  (``storage.settle``), so an ``expired`` event reaches watchers within a
  poll interval of ``expires_at`` even when nobody else touches the
  group.
"""
import logging
import threading
import time

LOG = logging.getLogger(__name__)


class TooManyWaiters(Exception):
    """This process already holds ``[api] max_waiters`` long-polls."""


class _Group:
    __slots__ = ('condition', 'revision', 'waiters', 'gone')

    def __init__(self):
        self.condition = threading.Condition()
        self.revision = -1
        self.waiters = 0
        self.gone = False


class Watcher:

    def __init__(self, storage, poll_interval, max_waiters):
        self.storage = storage
        self.poll_interval = poll_interval
        self.max_waiters = max_waiters
        self._lock = threading.Lock()
        self._groups = {}
        self._waiters = 0
        self._poller = None
        self._work = threading.Event()

    @property
    def waiters(self):
        return self._waiters

    def wait(self, group_id, revision, timeout):
        """Block until the group passes ``revision``, disappears, or
        ``timeout`` seconds pass.
        """
        with self._lock:
            if self._waiters >= self.max_waiters:
                raise TooManyWaiters()
            group = self._groups.get(group_id)
            if group is None:
                group = self._groups[group_id] = _Group()
            group.waiters += 1
            self._waiters += 1
            self._start_poller()
        self._work.set()
        deadline = time.monotonic() + timeout
        try:
            with group.condition:
                while group.revision <= revision and not group.gone:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    group.condition.wait(remaining)
        finally:
            with self._lock:
                group.waiters -= 1
                self._waiters -= 1
                if not group.waiters:
                    self._groups.pop(group_id, None)

    def notify(self, group_id, revision, gone=False):
        group = self._groups.get(group_id)
        if group is None:
            return
        with group.condition:
            if revision > group.revision or gone:
                group.revision = max(group.revision, revision)
                group.gone = group.gone or gone
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

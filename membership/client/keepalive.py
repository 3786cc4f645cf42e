"""A background heartbeat for a session, member or candidate."""
import logging
import threading

from membership.client import exceptions

LOG = logging.getLogger(__name__)


class KeepAlive:
    """Calls ``beat()`` every ``ttl / 3`` seconds in a daemon thread.

    Transient failures (connection, 5xx) are logged and retried at the
    next tick, which still leaves a beat before the ttl runs out. A 404
    means the lease is gone: ``on_lost(error)`` is called, then ``lost``
    is set and the thread ends. Use as a context manager or call ``stop()``.
    """

    def __init__(self, beat, ttl, on_lost=None):
        self.interval = max(float(ttl) / 3.0, 0.1)
        self.beats = 0
        self.error = None
        self.lost = threading.Event()
        self._beat = beat
        self._on_lost = on_lost
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name='membership-keepalive')

    def start(self):
        self._thread.start()
        return self

    def stop(self, timeout=None):
        self._stopped.set()
        if self._thread.is_alive() and (
                threading.current_thread() is not self._thread):
            self._thread.join(timeout)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def _run(self):
        while not self._stopped.wait(self.interval):
            try:
                self._beat()
                self.beats += 1
            except exceptions.NotFound as e:
                self.error = e
                LOG.warning('Heartbeat lost: %s', e)
                try:
                    if self._on_lost:
                        self._on_lost(e)
                finally:
                    self.lost.set()
                return
            except exceptions.MembershipError as e:
                self.error = e
                LOG.warning('Heartbeat failed, retrying: %s', e)

"""tooz locks over the membership service's locks (microversion 1.3).

A :class:`MembershipLock` belongs to one coordinator and takes the lock
with holders bound to the coordinator's session, so the coordinator's
heartbeat keeps them and its end (``stop()`` or a missed lease) frees
them. Lock names are encoded like group ids (see
:mod:`membership.coordination.names`).
"""
import threading
import time

import tooz
from tooz import locking
from tooz import utils

from membership.client import exceptions
from membership.client import locks as client_locks
from membership.coordination import names


class MembershipLock(locking.Lock):
    """tooz's Lock: exclusive or shared, not re-entrant.

    Each successful ``acquire`` adds one holder; ``release`` releases the
    latest one (a shared lock acquired twice is released twice).
    """

    def __init__(self, name, coordinator):
        super().__init__(name)
        self._coord = coordinator
        self._api_name = names.encode(name)
        self._holders = []
        self._guard = threading.Lock()

    @property
    def _client(self):
        return self._coord._client

    def acquire(self, blocking=True, shared=False, timeout=None):
        """True once acquired; False when ``blocking`` ran out first.

        ``blocking`` is True (wait for ever), False (do not wait) or a
        number of seconds; the service is asked in waits of at most 60 s.
        """
        if self._coord._session_id is None:
            # Never a holder of the service's default ttl, bound to nothing.
            raise tooz.ToozError('Start the coordinator before acquiring '
                                 'one of its locks')
        blocking, seconds = utils.convert_blocking(blocking, timeout)
        deadline = None
        if blocking and seconds is not None:
            deadline = time.monotonic() + max(seconds, 0)
        with self._coord._translate():
            while True:
                wait = 0
                if blocking:
                    wait = client_locks.MAX_WAIT
                    if deadline is not None:
                        wait = min(wait, max(deadline - time.monotonic(), 0))
                try:
                    holder = self._coord._with_session(
                        lambda session: self._client.acquire_lock(
                            self._api_name, session=session, shared=shared,
                            wait=wait))
                except exceptions.LockHeld:
                    if not blocking or (deadline is not None
                                        and time.monotonic() >= deadline):
                        return False
                    continue
                with self._guard:
                    self._holders.append(holder['id'])
                return True

    def release(self):
        """Release the latest holder; False when this lock holds none."""
        with self._guard:
            if not self._holders:
                return False
            holder_id = self._holders.pop()
        with self._coord._translate():
            try:
                self._client.release_lock(self._api_name, holder_id)
            except exceptions.HolderNotFound:
                return False  # released already: broken or expired
        return True

    def break_(self):
        """Release every holder of the lock, whoever holds it."""
        with self._coord._translate():
            try:
                self._client.break_lock(self._api_name)
            except exceptions.LockNotFound:
                return False
        return True

    def _held(self):
        with self._guard:
            return list(self._holders)

    def heartbeat(self):
        """Refresh this lock's holders; False when it holds none."""
        holders = self._held()
        if not holders:
            return False
        with self._coord._translate():
            for holder_id in holders:
                try:
                    self._client.heartbeat_holder(self._api_name, holder_id)
                except exceptions.HolderNotFound:
                    return False
        return True

    def is_still_owner(self):
        """True while one of this lock's holders still holds it."""
        with self._coord._translate():
            for holder_id in self._held():
                try:
                    self._client.get_holder(self._api_name, holder_id)
                except exceptions.HolderNotFound:
                    continue
                return True
        return False

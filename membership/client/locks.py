"""The lock calls of :class:`membership.client.Client` (microversion 1.3).

A lock is taken by adding a holder to it; the holder lives as long as its
session (or its own ttl). See the "Locks" section of the API reference.
"""
V1_3 = (1, 3)
# The longest wait one acquire request may ask the service for.
MAX_WAIT = 60


class LockCalls:
    """Mixed into Client: one method per lock operation."""

    def acquire_lock(self, name, session=None, ttl=None, shared=False,
                     wait=0):
        """Add a holder to lock ``name``; returns the holder.

        Bind it to ``session`` or give it a ``ttl`` (neither: the
        service's default ttl). ``wait`` (0 to 60 seconds) is how long
        the service waits for the lock; LockHeld when it was not
        acquired by then.
        """
        self.http.require(V1_3, 'Locks')
        if session is not None and ttl is not None:
            raise ValueError('give session or ttl, not both')
        if not 0 <= wait <= MAX_WAIT:
            raise ValueError(f'wait must be within [0, {MAX_WAIT}] seconds')
        body = {'shared': bool(shared)}
        if session is not None:
            body['session'] = session
        if ttl is not None:
            body['ttl'] = ttl
        if wait:
            body['wait'] = wait
        response = self.http.request(
            'POST', self.http.url('locks', name, 'holders'), json=body,
            timeout=self.http.timeout + wait)
        return self._resource(response)

    def list_locks(self, limit=None, marker=None, sort_dir=None):
        """Locks held or waited for now, by name."""
        self.http.require(V1_3, 'Locks')
        return self._list('locks', 'locks', limit=limit, marker=marker,
                          sort_dir=sort_dir)

    def get_lock(self, name):
        """The lock (a free one too: mode None, no holders)."""
        self.http.require(V1_3, 'Locks')
        return self._get('locks', name)

    def list_holders(self, name, limit=None, marker=None):
        """The lock's holders in acquisition order."""
        self.http.require(V1_3, 'Locks')
        return self._list('holders', 'locks', name, 'holders', limit=limit,
                          marker=marker)

    def get_holder(self, name, holder_id):
        self.http.require(V1_3, 'Locks')
        return self._get('locks', name, 'holders', holder_id)

    def heartbeat_holder(self, name, holder_id):
        """Refresh the holder (its session, when session-bound)."""
        self.http.require(V1_3, 'Locks')
        self._send('POST', 'locks', name, 'holders', holder_id, 'heartbeat',
                   idempotent=True)

    def release_lock(self, name, holder_id):
        """Release one holder; HolderNotFound when it is already gone."""
        self.http.require(V1_3, 'Locks')
        self._send('DELETE', 'locks', name, 'holders', holder_id)

    def break_lock(self, name):
        """Release every holder at once; LockNotFound when it has none."""
        self.http.require(V1_3, 'Locks')
        self._send('DELETE', 'locks', name)

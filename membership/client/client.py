"""membership.client.Client: one method per API operation.

Single resources come back as :class:`Resource` (a dict with ``etag`` and
``request_id``), lists as generators that follow the ``next`` links, and
errors as the exceptions of :mod:`membership.client.exceptions`.
"""
import math
import time

from membership.client import exceptions
from membership.client import http
from membership.client import keepalive
from membership.client import locks

V1_1 = (1, 1)   # events
V1_2 = (1, 2)   # sessions and leader election
# The longest wait one events request asks the service for.
MAX_POLL = 60
UNSET = object()


class Resource(dict):
    """A resource document, with its ETag and the request id."""

    etag = None
    request_id = None

    @classmethod
    def from_response(cls, response):
        res = cls(response.json())
        res.etag = response.headers.get('ETag')
        res.request_id = response.headers.get('x-openstack-request-id')
        return res


def _body(**fields):
    return {k: v for k, v in fields.items() if v is not UNSET}


def _conditions(exclusive=False, if_match=None):
    headers = {}
    if exclusive:
        headers['If-None-Match'] = '*'
    if if_match:
        headers['If-Match'] = if_match
    return headers


class Client(locks.LockCalls):
    """A client of the membership API.

    With Keystone: ``Client(session=keystoneauth1_session,
    interface='public', region_name='RegionOne')`` finds the endpoint in
    the catalog under the service type ``membership``. For development
    against ``auth_strategy = noauth``: ``Client(endpoint=URL,
    noauth=True, project_id='p', roles=['member'])``.

    ``api_version`` pins a microversion; by default the client uses the
    highest that both it and the service know. ``timeout`` bounds every
    call; ``retries`` is how often an idempotent call is repeated on a
    connection failure or 502/503/504 (honouring ``Retry-After``).
    """

    def __init__(self, session=None, endpoint=None, interface=None,
                 region_name=None, api_version=None, noauth=False,
                 project_id=None, user_id=None, roles=None, timeout=30.0,
                 retries=3, user_agent=None):
        headers = {}
        if noauth:
            if isinstance(roles, (list, tuple)):
                roles = ','.join(roles)
            headers = {k: v for k, v in (('X-Project-Id', project_id),
                                         ('X-User-Id', user_id),
                                         ('X-Roles', roles)) if v}
        self.http = http.Transport(
            session=session, endpoint=endpoint, interface=interface,
            region_name=region_name, api_version=api_version,
            headers=headers, timeout=timeout, retries=retries,
            user_agent=user_agent)

    @property
    def api_version(self):
        """The microversion in use, as a string ('1.2')."""
        return http.format_version(self.http.api_version)

    # -- helpers --------------------------------------------------------

    @staticmethod
    def _resource(response):
        return Resource.from_response(response)

    def _get(self, *parts, query=None):
        return Resource.from_response(
            self.http.request('GET', self.http.url(*parts, query=query)))

    def _send(self, method, *parts, body=None, headers=None,
              idempotent=None):
        response = self.http.request(method, self.http.url(*parts),
                                     json=body, headers=headers,
                                     idempotent=idempotent)
        if response.status_code == 204 or not response.content:
            return None
        return Resource.from_response(response)

    def _list(self, key, *parts, **query):
        query = {k: v for k, v in query.items() if v is not None}
        url = self.http.url(*parts, query=query)
        while url:
            page = self.http.request('GET', url).json()
            yield from page[key]
            url = next((link['href'] for link in page.get('links', ())
                        if link.get('rel') == 'next'), None)

    # -- versions -------------------------------------------------------

    def versions(self):
        """The version discovery document (``GET /``)."""
        return self.http.request('GET', self.http.root + '/',
                                 versioned=False).json()['versions']

    # -- groups ---------------------------------------------------------

    def list_groups(self, limit=None, marker=None, sort_key=None,
                    sort_dir=None):
        return self._list('groups', 'groups', limit=limit, marker=marker,
                          sort_key=sort_key, sort_dir=sort_dir)

    def create_group(self, name, description=UNSET, metadata=UNSET,
                     exclusive=False, if_match=None):
        """PUT: creates, or replaces an existing group's fields.

        ``exclusive=True`` creates only (PreconditionFailed if it exists).
        """
        return self._send('PUT', 'groups', name,
                          body=_body(description=description,
                                     metadata=metadata),
                          headers=_conditions(exclusive, if_match))

    def get_group(self, name):
        return self._get('groups', name)

    def update_group(self, name, description=UNSET, metadata=UNSET,
                     if_match=None):
        """PATCH (JSON merge patch) of description and metadata."""
        return self._send('PATCH', 'groups', name,
                          body=_body(description=description,
                                     metadata=metadata),
                          headers=_conditions(if_match=if_match))

    def delete_group(self, name, if_match=None):
        self._send('DELETE', 'groups', name,
                   headers=_conditions(if_match=if_match))

    # -- members --------------------------------------------------------

    def list_members(self, group, limit=None, marker=None, sort_key=None,
                     sort_dir=None):
        return self._list('members', 'groups', group, 'members',
                          limit=limit, marker=marker, sort_key=sort_key,
                          sort_dir=sort_dir)

    def join(self, group, member_id, capabilities=UNSET, ttl=UNSET,
             session=UNSET, exclusive=False, if_match=None):
        """PUT a member: joins (201), or replaces a live member (200).

        ``exclusive=True`` joins only (PreconditionFailed when already a
        live member); ``if_match='*'`` or an ETag replaces only.
        """
        if session is not UNSET:
            self.http.require(V1_2, 'A session-bound member')
        return self._send('PUT', 'groups', group, 'members', member_id,
                          body=_body(capabilities=capabilities, ttl=ttl,
                                     session=session),
                          headers=_conditions(exclusive, if_match))

    def get_member(self, group, member_id):
        return self._get('groups', group, 'members', member_id)

    def update_member(self, group, member_id, capabilities=UNSET,
                      ttl=UNSET, if_match=None):
        """PATCH (JSON merge patch) of capabilities and ttl."""
        return self._send('PATCH', 'groups', group, 'members', member_id,
                          body=_body(capabilities=capabilities, ttl=ttl),
                          headers=_conditions(if_match=if_match))

    def leave(self, group, member_id, if_match=None):
        self._send('DELETE', 'groups', group, 'members', member_id,
                   headers=_conditions(if_match=if_match))

    def heartbeat_member(self, group, member_id):
        self._send('POST', 'groups', group, 'members', member_id,
                   'heartbeat', idempotent=True)

    # -- events (1.1) ---------------------------------------------------

    def list_events(self, group, since=None, timeout=0, limit=None):
        """One events request: ``{"events": [...], "revision": n}``.

        With no event after ``since`` it waits up to ``timeout`` seconds.
        """
        self.http.require(V1_1, 'Events')
        query = {k: v for k, v in (('since', since), ('timeout', timeout),
                                   ('limit', limit)) if v is not None}
        url = self.http.url('groups', group, 'events', query=query)
        return self.http.request(
            'GET', url, timeout=self.http.timeout + (timeout or 0)).json()

    def watch(self, group, since=None, timeout=None, poll=30):
        """Yield the group's events as they happen, oldest first.

        Resumes from the revision of the last event yielded (or from now
        when ``since`` is None), so nothing between two requests is lost.
        Stops after ``timeout`` seconds (None: never). Raises
        RevisionCompacted when the service no longer has the events
        asked for: list the members again and watch from a new revision.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        revision = since
        while True:
            wait = min(poll, MAX_POLL)
            if deadline is not None:
                # Whole seconds, rounded up: no busy loop near the end.
                wait = min(wait, math.ceil(max(deadline - time.monotonic(),
                                               0)))
            page = self.list_events(group, since=revision,
                                    timeout=int(wait))
            for event in page['events']:
                revision = event['revision']
                yield event
            if not page['events']:
                revision = max(revision or 0, page['revision'])
            if deadline is not None and time.monotonic() >= deadline:
                return

    # -- sessions (1.2) -------------------------------------------------

    def create_session(self, ttl=UNSET):
        self.http.require(V1_2, 'Sessions')
        return self._send('POST', 'sessions', body=_body(ttl=ttl))

    def list_sessions(self, limit=None, marker=None, sort_dir=None):
        self.http.require(V1_2, 'Sessions')
        return self._list('sessions', 'sessions', limit=limit,
                          marker=marker, sort_dir=sort_dir)

    def get_session(self, session_id):
        self.http.require(V1_2, 'Sessions')
        return self._get('sessions', session_id)

    def heartbeat_session(self, session_id):
        self.http.require(V1_2, 'Sessions')
        self._send('POST', 'sessions', session_id, 'heartbeat',
                   idempotent=True)

    def delete_session(self, session_id):
        self.http.require(V1_2, 'Sessions')
        self._send('DELETE', 'sessions', session_id)

    # -- leader election (1.2) ------------------------------------------

    def enter_election(self, group, candidate_id, session=UNSET,
                       ttl=UNSET):
        """PUT a candidate: enters (201) or refreshes (200)."""
        self.http.require(V1_2, 'Leader election')
        return self._send('PUT', 'groups', group, 'candidates',
                          candidate_id, body=_body(session=session, ttl=ttl))

    def list_candidates(self, group):
        self.http.require(V1_2, 'Leader election')
        return self._list('candidates', 'groups', group, 'candidates')

    def withdraw(self, group, candidate_id):
        self.http.require(V1_2, 'Leader election')
        self._send('DELETE', 'groups', group, 'candidates', candidate_id)

    def heartbeat_candidate(self, group, candidate_id):
        self.http.require(V1_2, 'Leader election')
        self._send('POST', 'groups', group, 'candidates', candidate_id,
                   'heartbeat', idempotent=True)

    def stand_down(self, group, candidate_id):
        """The leader moves to the back of the order (NotLeader if not)."""
        self.http.require(V1_2, 'Leader election')
        self._send('POST', 'groups', group, 'candidates', candidate_id,
                   'stand-down')

    def get_leader(self, group):
        """The leader document; NoLeader when there is no candidate."""
        self.http.require(V1_2, 'Leader election')
        return self._get('groups', group, 'leader')

    # -- liveness helper ------------------------------------------------

    def keep_alive(self, session=None, group=None, member=None,
                   candidate=None, ttl=None, on_lost=None):
        """Start a background heartbeat; returns a started KeepAlive.

        Give ``session=id``, or ``group`` with ``member`` or
        ``candidate``. The interval is a third of the ttl (read from the
        service when not given). ``on_lost(error)`` is called if the
        service answers 404 (expired or deleted); the thread then stops.
        """
        if session:
            beat = lambda: self.heartbeat_session(session)  # noqa: E731
            ttl = ttl or self.get_session(session)['ttl']
        elif group and member:
            beat = lambda: self.heartbeat_member(group, member)  # noqa
            ttl = ttl or self.get_member(group, member)['ttl']
        elif group and candidate:
            beat = lambda: self.heartbeat_candidate(group, candidate)  # noqa
            ttl = ttl or next(
                (c['ttl'] for c in self.list_candidates(group)
                 if c['id'] == candidate), None)
        else:
            raise ValueError('keep_alive needs session=, or group= with '
                             'member= or candidate=')
        if ttl is None:
            raise ValueError('nothing to keep alive: it never expires '
                             '(ttl null); pass ttl= to beat anyway')
        return keepalive.KeepAlive(beat, ttl, on_lost=on_lost).start()


__all__ = ['Client', 'Resource', 'exceptions']

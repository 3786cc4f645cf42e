"""A tooz coordination driver backed by the membership service.

URL: ``membership://host:port[/path]?timeout=N`` (``membership+https://``
for TLS). Options, in the query or as keyword arguments of
``tooz.coordination.get_coordinator``:

``timeout``
    ttl in seconds of the coordinator's session (default 30): a
    coordinator that stops heartbeating leaves its groups and elections
    that long after its last beat.
``session``
    (keyword only) a keystoneauth1 Session; the endpoint is then taken
    from the URL, or from the catalog when the URL has no host.
``cloud``
    a clouds.yaml entry (openstacksdk's loader) to authenticate with.
``project_id``, ``user_id``, ``roles``
    the caller for a service with ``auth_strategy = noauth``
    (development), when neither of the above is given.
``interface``, ``region_name``
    which catalog endpoint to use.
``http_timeout`` (default 30), ``retries`` (default 2)
    bounds of each HTTP call.

Each coordinator holds one service session (a lease): ``start()``
creates it, ``heartbeat()`` refreshes it with one call, ``stop()``
deletes it, which ends every membership and candidacy at once. Group
names and member ids are encoded as :mod:`membership.coordination.names`
describes; capabilities are stored as JSON.
"""
import contextlib
import datetime
import json
import threading

import tooz
from tooz import coordination
from tooz import utils

from membership.client import client as mclient
from membership.client import exceptions
from membership.coordination import locks
from membership.coordination import names
from membership.coordination import watchers

DEFAULT_TIMEOUT = 30


def _time(value):
    if not value:
        return None
    return datetime.datetime.fromisoformat(value.replace('Z', '+00:00'))


def _caps_body(capabilities):
    if capabilities is None:
        return mclient.UNSET
    try:
        json.dumps(capabilities)
    except (TypeError, ValueError) as e:
        raise utils.SerializationError(
            f'Capabilities must be JSON-serializable: {e}') from e
    return capabilities


class MembershipDriver(watchers.EventWatchersMixin,
                       coordination.CoordinationDriverCachedRunWatchers,
                       coordination.CoordinationDriverWithExecutor):
    """tooz driver over the membership REST API (see module doc)."""

    CHARACTERISTICS = (
        coordination.Characteristics.DISTRIBUTED_ACROSS_THREADS,
        coordination.Characteristics.DISTRIBUTED_ACROSS_PROCESSES,
        coordination.Characteristics.DISTRIBUTED_ACROSS_HOSTS,
    )

    def __init__(self, member_id, parsed_url, options):
        super().__init__(member_id, parsed_url, options)
        opts = self._options
        self.timeout = int(float(opts.get('timeout', DEFAULT_TIMEOUT)))
        self._client = self._make_client(parsed_url, opts)
        self._session_id = None
        self._renew_lock = threading.Lock()
        self._capabilities = {}
        self._watches = {}
        self._listings = {}
        self._candidacies = set()
        self._terms = {}

    @staticmethod
    def _make_client(parsed_url, opts):
        scheme = 'https' if parsed_url.scheme.endswith('https') else 'http'
        endpoint = None
        if parsed_url.netloc:
            endpoint = f'{scheme}://{parsed_url.netloc}{parsed_url.path}'
        kwargs = dict(endpoint=endpoint,
                      interface=opts.get('interface'),
                      region_name=opts.get('region_name'),
                      timeout=float(opts.get('http_timeout', 30)),
                      retries=int(opts.get('retries', 2)),
                      user_agent='tooz-membership')
        session = opts.get('session')
        if session is None and opts.get('cloud'):
            import openstack.config  # only needed for ?cloud=
            region = openstack.config.OpenStackConfig().get_one(
                cloud=opts['cloud'])
            session = region.get_session()
            kwargs['interface'] = kwargs['interface'] or (
                region.get_interface())
            kwargs['region_name'] = kwargs['region_name'] or (
                region.region_name)
        if session is not None:
            return mclient.Client(session=session, **kwargs)
        return mclient.Client(noauth=True, project_id=opts.get('project_id'),
                              user_id=opts.get('user_id'),
                              roles=opts.get('roles'), **kwargs)

    @contextlib.contextmanager
    def _translate(self, group_id=None, member_id=None):
        member_id = self._member_id if member_id is None else member_id
        try:
            yield
        except exceptions.GroupNotFound as e:
            raise coordination.GroupNotCreated(group_id) from e
        except exceptions.MemberNotFound as e:
            raise coordination.MemberNotJoined(group_id, member_id) from e
        except exceptions.Timeout as e:
            utils.raise_with_cause(coordination.OperationTimedOut, str(e),
                                   cause=e)
        except exceptions.ConnectionFailed as e:
            utils.raise_with_cause(coordination.ToozConnectionError, str(e),
                                   cause=e)
        except exceptions.MembershipError as e:
            utils.raise_with_cause(tooz.ToozError, str(e), cause=e)

    def _submit(self, fn, *args):
        return coordination.CoordinatorResult(
            self._executor.submit(fn, *args))

    # -- lifecycle ------------------------------------------------------

    def _start(self):
        with self._translate():
            self._client.http.require(mclient.V1_2, 'The tooz driver')
            self._session_id = self._client.create_session(
                ttl=self.timeout)['id']
        self._capabilities = {}
        self._watches = {}
        self._listings = {}
        self._group_members.clear()
        self._candidacies = set()
        self._terms = {}

    def _stop(self):
        session, self._session_id = self._session_id, None
        self._candidacies = set()
        self._terms = {}
        with contextlib.suppress(exceptions.MembershipError):
            self._client.delete_session(session)

    def heartbeat(self):
        """One call refreshing the session; seconds until the next one."""
        with self._translate():
            try:
                self._client.heartbeat_session(self._session_id)
            except exceptions.SessionNotFound:
                self._renew(self._session_id)
        return float(self.timeout)

    def _renew(self, expired):
        """The session ended (we were too slow): take a new one and join
        again what we held, as etcd3gw does with an expired lease.
        """
        with self._renew_lock:
            if self._session_id != expired:
                return  # another thread renewed it already
            self._session_id = self._client.create_session(
                ttl=self.timeout)['id']
            me = names.encode(self._member_id)
            for group_id in list(self._joined_groups):
                try:
                    self._client.join(
                        names.encode(group_id), me, exclusive=True,
                        session=self._session_id,
                        capabilities=_caps_body(
                            self._capabilities.get(group_id)))
                except exceptions.MembershipError:
                    self._joined_groups.discard(group_id)
            for group_id in list(self._candidacies):
                try:
                    self._client.enter_election(names.encode(group_id), me,
                                                session=self._session_id)
                except exceptions.MembershipError:
                    self._candidacies.discard(group_id)

    def _with_session(self, call):
        """Run call(session_id), renewing the session once if it ended."""
        session = self._session_id
        try:
            return call(session)
        except exceptions.SessionNotFound:
            self._renew(session)
            return call(self._session_id)

    # -- groups ---------------------------------------------------------

    def create_group(self, group_id):
        def create():
            with self._translate(group_id):
                try:
                    self._client.create_group(names.encode(group_id),
                                              exclusive=True)
                except exceptions.PreconditionFailed as e:
                    raise coordination.GroupAlreadyExist(group_id) from e
        return self._submit(create)

    def get_groups(self):
        def groups():
            with self._translate():
                return [names.decode(g['name'])
                        for g in self._client.list_groups()]
        return self._submit(groups)

    def delete_group(self, group_id):
        def delete():
            with self._translate(group_id):
                try:
                    self._client.delete_group(names.encode(group_id))
                except exceptions.GroupNotEmpty as e:
                    raise coordination.GroupNotEmpty(group_id) from e
        return self._submit(delete)

    # -- membership -----------------------------------------------------

    def join_group(self, group_id, capabilities=None):
        body = _caps_body(capabilities)

        def join():
            with self._translate(group_id):
                try:
                    self._with_session(lambda session: self._client.join(
                        names.encode(group_id), names.encode(self._member_id),
                        capabilities=body, session=session, exclusive=True))
                except exceptions.PreconditionFailed as e:
                    raise coordination.MemberAlreadyExist(
                        group_id, self._member_id) from e
            self._joined_groups.add(group_id)
            self._capabilities[group_id] = capabilities
        return self._submit(join)

    def leave_group(self, group_id):
        def leave():
            try:
                with self._translate(group_id):
                    self._client.leave(names.encode(group_id),
                                       names.encode(self._member_id))
            finally:
                self._joined_groups.discard(group_id)
                self._capabilities.pop(group_id, None)
        return self._submit(leave)

    def update_capabilities(self, group_id, capabilities):
        body = _caps_body(capabilities)

        def update():
            with self._translate(group_id):
                try:
                    # PUT replaces the capabilities whole (a merge patch
                    # would merge objects); If-Match: * only if joined.
                    self._with_session(lambda session: self._client.join(
                        names.encode(group_id), names.encode(self._member_id),
                        capabilities=body, session=session, if_match='*'))
                except exceptions.PreconditionFailed as e:
                    raise coordination.MemberNotJoined(
                        group_id, self._member_id) from e
            self._capabilities[group_id] = capabilities
        return self._submit(update)

    def get_members(self, group_id):
        def members():
            with self._translate(group_id):
                return self._get_members(group_id)
        return self._submit(members)

    def _member(self, group_id, member_id):
        with self._translate(group_id, member_id):
            return self._client.get_member(names.encode(group_id),
                                           names.encode(member_id))

    def get_member_capabilities(self, group_id, member_id):
        return self._submit(
            lambda: self._member(group_id, member_id)['capabilities'])

    def get_members_with_capabilities(self, group_id):
        def members():
            with self._translate(group_id):
                return {names.decode(m['id']): m['capabilities']
                        for m in self._client.list_members(
                            names.encode(group_id))}
        return self._submit(members)

    def get_member_info(self, group_id, member_id):
        def info():
            member = self._member(group_id, member_id)
            return {'capabilities': member['capabilities'],
                    'created_at': _time(member['joined_at']),
                    'updated_at': _time(member['updated_at']),
                    'expires_at': _time(member['expires_at']),
                    'ttl': member['ttl'], 'session': member.get('session')}
        return self._submit(info)

    # -- leader and locks -----------------------------------------------

    def get_leader(self, group_id):
        return self._submit(self._get_leader, group_id)

    def get_lock(self, name):
        """A lock held through this coordinator's session (1.3)."""
        return locks.MembershipLock(name, self)

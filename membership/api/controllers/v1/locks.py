"""/v1/locks: named locks, exclusive or shared, fenced (1.3)."""
from membership.api import errors
from membership.api import listing
from membership.api import liveness
from membership.api import method
from membership.api import microversion
from membership.api import timeutils
from membership.api import types
from membership.policies import locks as policies
from membership import watch


def lock_url(call, name):
    return f'{call.base_url}/v1/locks/{name}'


def holder_view(call, holder):
    return {
        'id': holder.id,
        'lock': holder.lock,
        'shared': holder.shared,
        'fence': holder.fence,
        'session': holder.session,
        'ttl': holder.ttl,
        'acquired_at': timeutils.iso(holder.acquired_at),
        'expires_at': timeutils.iso(holder.expires_at),
        'links': [{'rel': 'self',
                   'href': f'{lock_url(call, holder.lock)}/holders/'
                           f'{holder.id}'}],
    }


def lock_view(call, lock):
    url = lock_url(call, lock.name)
    return {
        'name': lock.name,
        'mode': lock.mode,
        'fence': lock.fence,
        'holders': [holder_view(call, holder) for holder in lock.holders],
        'waiters': lock.waiters,
        'links': [{'rel': 'self', 'href': url},
                  {'rel': 'holders', 'href': url + '/holders'}],
    }


def checked_wait(call, fields):
    wait = fields.get('wait', 0)
    limit = call.conf.api.max_long_poll_timeout
    if not 0 <= wait <= limit:
        raise errors.bad_request(
            f"Invalid value for field 'wait': {wait} is not from 0 to "
            f"{limit} ([api] max_long_poll_timeout).")
    return wait


class HolderController:

    def __init__(self, lock, holder_id):
        self.lock = lock
        self.holder_id = holder_id

    def child(self, segment):
        return self.heartbeat if segment == 'heartbeat' else None

    def check_path(self):
        types.check_name('lock name', self.lock)
        # Not an id this service hands out: it holds nothing.
        if not types.SESSION_ID.fullmatch(self.holder_id):
            raise errors.APIError(
                404, errors.HOLDER_NOT_FOUND,
                f"Holder {self.holder_id!r} does not hold lock "
                f"'{self.lock}' (released, expired or broken).")

    index = method.resource(since=microversion.LOCKS)

    @method.route(index, 'GET', policies.SHOW)
    def get(self, call):
        return holder_view(call, call.storage.get_holder(
            call.project_id, self.lock, self.holder_id))

    @method.route(index, 'DELETE', policies.RELEASE)
    def delete(self, call):
        call.storage.release(call.project_id, self.lock, self.holder_id)

    heartbeat = method.resource(since=microversion.LOCKS)

    @method.route(heartbeat, 'POST', policies.HEARTBEAT)
    def post_heartbeat(self, call):
        call.storage.heartbeat_holder(call.project_id, self.lock,
                                      self.holder_id)


class HoldersController:

    def __init__(self, lock):
        self.lock = lock

    def child(self, holder_id):
        return HolderController(self.lock, holder_id)

    def check_path(self):
        types.check_name('lock name', self.lock)

    index = method.resource(since=microversion.LOCKS)

    @method.route(index, 'GET', policies.SHOW)
    def get(self, call):
        page = listing.page(call, ('fence',), marker_pattern=types.SESSION_ID,
                            sortable=False)
        found = call.storage.list_holders(call.project_id, self.lock, page)
        return listing.document(call, 'holders', found, holder_view,
                                lambda holder: holder.id,
                                lock_url(call, self.lock) + '/holders', page)

    @method.route(index, 'POST', policies.ACQUIRE, status=201)
    def post(self, call):
        fields = call.body(types.HolderBody)
        ttl, session = liveness.ttl_or_session(call, fields)
        wait = checked_wait(call, fields)
        try:
            holder = liveness.session_bound(
                call.watcher.acquire, call.project_id, self.lock,
                fields.get('shared', False), ttl, session, wait,
                call.request.environ.get(watch.CLIENT_GONE))
        except watch.TooManyWaiters:
            raise errors.too_many_waiters("ask with 'wait': 0")
        call.created(f'{lock_url(call, self.lock)}/holders/{holder.id}')
        return holder_view(call, holder)


class LockController:

    def __init__(self, name):
        self.name = name

    def child(self, segment):
        return HoldersController(self.name) if segment == 'holders' else None

    def check_path(self):
        types.check_name('lock name', self.name)

    index = method.resource(since=microversion.LOCKS)

    @method.route(index, 'GET', policies.SHOW)
    def get(self, call):
        lock = call.storage.get_lock(call.project_id, self.name)
        call.etag(lock.etag)
        return lock_view(call, lock)

    @method.route(index, 'DELETE', policies.BREAK)
    def delete(self, call):
        call.storage.break_lock(call.project_id, self.name)


class LocksController:

    def child(self, name):
        return LockController(name)

    index = method.resource(since=microversion.LOCKS)

    @method.route(index, 'GET', policies.LIST)
    def get(self, call):
        page = listing.page(call, ('name',))
        found = call.storage.list_locks(call.project_id, page)
        return listing.document(call, 'locks', found, lock_view,
                                lambda lock: lock.name,
                                call.base_url + '/v1/locks', page)

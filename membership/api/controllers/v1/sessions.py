"""/v1/sessions: leases that keep memberships and candidacies alive (1.2)."""
from membership.api import errors
from membership.api import listing
from membership.api import liveness
from membership.api import method
from membership.api import microversion
from membership.api import timeutils
from membership.api import types
from membership.policies import sessions as policies

SORT_KEYS = ('created_at',)


def sessions_url(call):
    return f'{call.base_url}/v1/sessions'


def view(call, session):
    return {
        'id': session.id,
        'ttl': session.ttl,
        'created_at': timeutils.iso(session.created_at),
        'heartbeat_at': timeutils.iso(session.heartbeat_at),
        'expires_at': timeutils.iso(session.expires_at),
        'links': [{'rel': 'self',
                   'href': f'{sessions_url(call)}/{session.id}'}],
    }


class SessionController:

    def __init__(self, session_id):
        self.session_id = session_id

    def child(self, segment):
        return self.heartbeat if segment == 'heartbeat' else None

    def check_path(self):
        # Not an id this service hands out: it does not exist.
        if not types.SESSION_ID.fullmatch(self.session_id):
            raise errors.APIError(404, errors.SESSION_NOT_FOUND,
                                  f"Session {self.session_id!r} does not "
                                  "exist or has expired.")

    index = method.resource(since=microversion.SESSIONS)

    @method.route(index, 'GET', policies.SHOW)
    def get(self, call):
        session = call.storage.get_session(call.project_id, self.session_id)
        call.etag(session.etag)
        return view(call, session)

    @method.route(index, 'DELETE', policies.DELETE)
    def delete(self, call):
        call.storage.delete_session(call.project_id, self.session_id)

    heartbeat = method.resource(since=microversion.SESSIONS)

    @method.route(heartbeat, 'POST', policies.HEARTBEAT)
    def post_heartbeat(self, call):
        call.storage.heartbeat_session(call.project_id, self.session_id)


class SessionsController:

    def child(self, session_id):
        return SessionController(session_id)

    index = method.resource(since=microversion.SESSIONS)

    @method.route(index, 'GET', policies.LIST)
    def get(self, call):
        page = listing.page(call, SORT_KEYS, marker_pattern=types.SESSION_ID)
        found = call.storage.list_sessions(call.project_id, page)
        return listing.document(call, 'sessions', found, view,
                                lambda session: session.id,
                                sessions_url(call), page)

    @method.route(index, 'POST', policies.CREATE, status=201)
    def post(self, call):
        fields = call.body(types.SessionBody)
        ttl = liveness.checked_ttl(call, fields,
                                   call.conf.api.default_member_ttl,
                                   nullable=False)
        session = call.storage.create_session(call.project_id, ttl)
        call.created(f'{sessions_url(call)}/{session.id}', session.etag)
        return view(call, session)

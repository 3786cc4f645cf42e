"""/v1/sessions: leases that keep memberships and candidacies alive (1.2)."""
import pecan

from membership.api.controllers import base
from membership.api import errors
from membership.api import listing
from membership.api import method
from membership.api import timeutils
from membership.api import types
from membership.policies import sessions as policies

SORT_KEYS = ('created_at',)


def sessions_url():
    return f'{method.base_url()}/v1/sessions'


def view(session):
    return {
        'id': session.id,
        'ttl': session.ttl,
        'created_at': timeutils.iso(session.created_at),
        'heartbeat_at': timeutils.iso(session.heartbeat_at),
        'expires_at': timeutils.iso(session.expires_at),
        'links': [{'rel': 'self', 'href': f'{sessions_url()}/{session.id}'}],
    }


def etag(session):
    return method.derived_etag(session.id, session.created_at, session.ttl)


def checked_ttl(fields):
    ttl = fields.get('ttl', method.conf().api.default_member_ttl)
    limit = method.conf().api.max_member_ttl
    if not 1 <= ttl <= limit:
        raise errors.bad_request(
            f"Invalid value for field 'ttl': {ttl} is not from 1 to "
            f"{limit} ([api] max_member_ttl).")
    return ttl


class SessionController:

    def __init__(self, session_id):
        self.session_id = session_id

    def check_path(self):
        # Not an id this service hands out: it does not exist.
        if not types.SESSION_ID.fullmatch(self.session_id):
            raise errors.APIError(404, errors.SESSION_NOT_FOUND,
                                  f"Session {self.session_id!r} does not "
                                  "exist or has expired.")

    @pecan.expose(generic=True, template='json')
    def index(self, *args, **kwargs):
        base.not_allowed(args, (1, 2))

    @index.when(method='GET', template='json')
    @method.handler(policies.SHOW, min_version=(1, 2))
    def get(self):
        session = method.storage_api().get_session(method.project_id(),
                                                   self.session_id)
        method.etag(etag(session))
        return view(session)

    @index.when(method='DELETE', template='json')
    @method.handler(policies.DELETE, min_version=(1, 2))
    def delete(self):
        method.storage_api().delete_session(method.project_id(),
                                            self.session_id)

    @pecan.expose(generic=True, template='json')
    def heartbeat(self, *args, **kwargs):
        base.not_allowed(args, (1, 2))

    @heartbeat.when(method='POST', template='json')
    @method.handler(policies.HEARTBEAT, min_version=(1, 2))
    def post_heartbeat(self):
        method.storage_api().heartbeat_session(method.project_id(),
                                               self.session_id)


class SessionsController(base.Collection):

    def item(self, session_id):
        return SessionController(session_id)

    @pecan.expose(generic=True, template='json')
    def index(self, *args, **kwargs):
        base.not_allowed(args, (1, 2))

    @index.when(method='GET', template='json')
    @method.handler(policies.LIST, min_version=(1, 2))
    def get(self):
        page = listing.page(SORT_KEYS, marker_pattern=types.SESSION_ID)
        found = method.storage_api().list_sessions(method.project_id(), page)
        return {
            'sessions': [view(session) for session in found],
            'links': listing.links(page, found,
                                   found[-1].id if found else None,
                                   sessions_url()),
        }

    @index.when(method='POST', template='json')
    @method.handler(policies.CREATE, status=201, min_version=(1, 2))
    def post(self):
        fields = method.body(types.SessionBody)
        session = method.storage_api().create_session(
            method.project_id(), checked_ttl(fields))
        pecan.response.status = 201
        pecan.response.location = f'{sessions_url()}/{session.id}'
        method.etag(etag(session))
        return view(session)

"""Leader election (1.2): /v1/groups/{name}/candidates and /leader."""
import pecan

from membership.api.controllers import base
from membership.api.controllers.v1 import members
from membership.api import errors
from membership.api import listing
from membership.api import method
from membership.api import timeutils
from membership.api import types
from membership.policies import election as policies
from membership.storage import base as storage


def candidates_url(group):
    return f'{method.base_url()}/v1/groups/{group}/candidates'


def view(candidate):
    return {
        'id': candidate.id,
        'group': candidate.group,
        'leader': candidate.leader,
        'session': candidate.session,
        'ttl': candidate.ttl,
        'entered_at': timeutils.iso(candidate.entered_at),
        'heartbeat_at': timeutils.iso(candidate.heartbeat_at),
        'expires_at': timeutils.iso(candidate.expires_at),
        'links': [{'rel': 'self',
                   'href': f'{candidates_url(candidate.group)}/'
                           f'{candidate.id}'}],
    }


def etag(candidate):
    return method.derived_etag(candidate.group, candidate.id,
                               candidate.entered_at, candidate.ttl,
                               candidate.session)


def liveness(fields):
    """(ttl, session) of a body that names a ttl or a session, not both."""
    if 'session' in fields and 'ttl' in fields:
        raise errors.bad_request(
            "Give either 'ttl' or 'session', not both.")
    session = fields.get('session')
    if session is not None and not types.SESSION_ID.fullmatch(session):
        raise errors.bad_request(f"Session {session!r} does not exist or "
                                 "has expired.", errors.SESSION_NOT_FOUND)
    ttl = None if session else members.checked_ttl(
        fields, method.conf().api.default_member_ttl)
    return ttl, session


def session_bound(call, *args, **kwargs):
    """Run ``call``; an unknown session named in the body is a 400."""
    try:
        return call(*args, **kwargs)
    except storage.SessionNotFound as e:
        raise errors.bad_request(str(e), errors.SESSION_NOT_FOUND)


class CandidateController:

    def __init__(self, group, candidate_id):
        self.group = group
        self.candidate_id = candidate_id

    def check_path(self):
        types.check_name('group name', self.group)
        types.check_name('candidate id', self.candidate_id)

    @pecan.expose(generic=True, template='json')
    def index(self, *args, **kwargs):
        base.not_allowed(args, (1, 2))

    @index.when(method='GET', template='json')
    @method.handler(policies.LIST, min_version=(1, 2))
    def get(self):
        candidate = method.storage_api().get_candidate(
            method.project_id(), self.group, self.candidate_id)
        method.etag(etag(candidate))
        return view(candidate)

    @index.when(method='PUT', template='json')
    @method.handler(policies.ENTER, min_version=(1, 2))
    def put(self):
        ttl, session = liveness(method.body(types.CandidateBody))
        candidate, entered = session_bound(
            method.storage_api().put_candidate, method.project_id(),
            self.group, self.candidate_id, ttl, session)
        if entered:
            pecan.response.status = 201
            pecan.response.location = (f'{candidates_url(self.group)}/'
                                       f'{candidate.id}')
        method.etag(etag(candidate))
        return view(candidate)

    @index.when(method='DELETE', template='json')
    @method.handler(policies.WITHDRAW, min_version=(1, 2))
    def delete(self):
        method.storage_api().withdraw(method.project_id(), self.group,
                                      self.candidate_id)

    @pecan.expose(generic=True, template='json')
    def heartbeat(self, *args, **kwargs):
        base.not_allowed(args, (1, 2))

    @heartbeat.when(method='POST', template='json')
    @method.handler(policies.HEARTBEAT, min_version=(1, 2))
    def post_heartbeat(self):
        method.storage_api().heartbeat_candidate(
            method.project_id(), self.group, self.candidate_id)

    @pecan.expose(generic=True, template='json', route='stand-down')
    def stand_down(self, *args, **kwargs):
        base.not_allowed(args, (1, 2))

    @stand_down.when(method='POST', template='json')
    @method.handler(policies.STAND_DOWN, min_version=(1, 2))
    def post_stand_down(self):
        method.storage_api().stand_down(method.project_id(), self.group,
                                        self.candidate_id)


class CandidatesController(base.GroupScoped, base.Collection):

    def item(self, candidate_id):
        return CandidateController(self.group, candidate_id)

    @pecan.expose(generic=True, template='json')
    def index(self, *args, **kwargs):
        base.not_allowed(args, (1, 2))

    @index.when(method='GET', template='json')
    @method.handler(policies.LIST, min_version=(1, 2))
    def get(self):
        listing.check_params(('limit', 'marker'))
        marker = pecan.request.GET.get('marker')
        if marker is not None and not types.NAME.fullmatch(marker):
            raise errors.bad_request(f'Invalid marker {marker!r}.',
                                     errors.INVALID_MARKER)
        page = storage.Page(
            limit=listing.integer('limit', 1, method.conf().api.max_limit,
                                  method.conf().api.max_limit),
            marker=marker, sort_key='position')
        found = method.storage_api().list_candidates(
            method.project_id(), self.group, page)
        return {
            'candidates': [view(candidate) for candidate in found],
            'links': listing.links(page, found,
                                   found[-1].id if found else None,
                                   candidates_url(self.group)),
        }


class LeaderController(base.GroupScoped):

    @pecan.expose(generic=True, template='json')
    def index(self, *args, **kwargs):
        base.not_allowed(args, (1, 2))

    @index.when(method='GET', template='json')
    @method.handler(policies.LEADER, min_version=(1, 2))
    def get(self):
        leader = method.storage_api().get_leader(method.project_id(),
                                                 self.group)
        method.etag(method.derived_etag(leader.id, leader.term))
        return {
            'id': leader.id,
            'term': leader.term,
            'elected_at': timeutils.iso(leader.elected_at),
            'links': [
                {'rel': 'self', 'href': f'{method.base_url()}/v1/groups/'
                                        f'{self.group}/leader'},
                {'rel': 'candidate', 'href': f'{candidates_url(self.group)}/'
                                             f'{leader.id}'}],
        }

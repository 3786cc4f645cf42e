"""Leader election (1.2): /v1/groups/{name}/candidates and /leader."""
from membership.api.controllers import base
from membership.api import listing
from membership.api import liveness
from membership.api import method
from membership.api import microversion
from membership.api import timeutils
from membership.api import types
from membership.policies import election as policies


def candidates_url(call, group):
    return f'{call.base_url}/v1/groups/{group}/candidates'


def view(call, candidate):
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
                   'href': f'{candidates_url(call, candidate.group)}/'
                           f'{candidate.id}'}],
    }


class CandidateController:

    def __init__(self, group, candidate_id):
        self.group = group
        self.candidate_id = candidate_id

    def child(self, segment):
        if segment == 'heartbeat':
            return self.heartbeat
        return self.stand_down if segment == 'stand-down' else None

    def check_path(self):
        types.check_name('group name', self.group)
        types.check_name('candidate id', self.candidate_id)

    index = method.resource(since=microversion.ELECTION)

    @method.route(index, 'GET', policies.LIST)
    def get(self, call):
        candidate = call.storage.get_candidate(
            call.project_id, self.group, self.candidate_id)
        call.etag(candidate.etag)
        return view(call, candidate)

    @method.route(index, 'PUT', policies.ENTER)
    def put(self, call):
        ttl, session = liveness.ttl_or_session(
            call, call.body(types.CandidateBody))
        candidate, entered = liveness.session_bound(
            call.storage.put_candidate, call.project_id, self.group,
            self.candidate_id, ttl, session)
        if entered:
            call.created(f'{candidates_url(call, self.group)}/'
                         f'{candidate.id}')
        call.etag(candidate.etag)
        return view(call, candidate)

    @method.route(index, 'DELETE', policies.WITHDRAW)
    def delete(self, call):
        call.storage.withdraw(call.project_id, self.group,
                              self.candidate_id)

    heartbeat = method.resource(since=microversion.ELECTION)

    @method.route(heartbeat, 'POST', policies.HEARTBEAT)
    def post_heartbeat(self, call):
        call.storage.heartbeat_candidate(call.project_id, self.group,
                                         self.candidate_id)

    stand_down = method.resource(since=microversion.ELECTION)

    @method.route(stand_down, 'POST', policies.STAND_DOWN)
    def post_stand_down(self, call):
        call.storage.stand_down(call.project_id, self.group,
                                self.candidate_id)


class CandidatesController(base.GroupScoped):

    def child(self, candidate_id):
        return CandidateController(self.group, candidate_id)

    index = method.resource(since=microversion.ELECTION)

    @method.route(index, 'GET', policies.LIST)
    def get(self, call):
        page = listing.page(call, ('position',), sortable=False)
        found = call.storage.list_candidates(call.project_id, self.group,
                                             page)
        return listing.document(call, 'candidates', found, view,
                                lambda candidate: candidate.id,
                                candidates_url(call, self.group), page)


class LeaderController(base.GroupScoped):

    index = method.resource(since=microversion.ELECTION)

    @method.route(index, 'GET', policies.LEADER)
    def get(self, call):
        leader = call.storage.get_leader(call.project_id, self.group)
        call.etag(leader.etag)
        return {
            'id': leader.id,
            'term': leader.term,
            'elected_at': timeutils.iso(leader.elected_at),
            'links': [
                {'rel': 'self', 'href': f'{call.base_url}/v1/groups/'
                                        f'{self.group}/leader'},
                {'rel': 'candidate',
                 'href': f'{candidates_url(call, self.group)}/{leader.id}'}],
        }

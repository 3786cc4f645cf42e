"""/v1/groups/{name}/members and /v1/groups/{name}/members/{id}."""
from membership.api.controllers import base
from membership.api import listing
from membership.api import liveness
from membership.api import method
from membership.api import microversion
from membership.api import timeutils
from membership.api import types
from membership.policies import members as policies

SORT_KEYS = ('id', 'joined_at')


def members_url(call, group):
    return f'{call.base_url}/v1/groups/{group}/members'


def view(call, member):
    document = {
        'id': member.id,
        'group': member.group,
        'capabilities': member.capabilities,
        'ttl': member.ttl,
        'joined_at': timeutils.iso(member.joined_at),
        'updated_at': timeutils.iso(member.updated_at),
        'heartbeat_at': timeutils.iso(member.heartbeat_at),
        'expires_at': timeutils.iso(member.expires_at),
        'links': [{'rel': 'self',
                   'href': f'{members_url(call, member.group)}/{member.id}'}],
    }
    if call.at_least(microversion.SESSIONS):
        document['session'] = member.session
    return document


class MemberController:

    def __init__(self, group, member_id):
        self.group = group
        self.member_id = member_id

    def child(self, segment):
        return self.heartbeat if segment == 'heartbeat' else None

    def check_path(self):
        types.check_name('group name', self.group)
        types.check_name('member id', self.member_id)

    index = method.resource()

    @method.route(index, 'GET', policies.SHOW)
    def get(self, call):
        member = call.storage.get_member(call.project_id, self.group,
                                         self.member_id)
        call.etag(member.etag)
        return view(call, member)

    @method.route(index, 'PUT', policies.JOIN)
    def put(self, call):
        fields = call.body(types.SessionBound
                           if call.at_least(microversion.SESSIONS)
                           else types.MemberBody)
        ttl, session = liveness.ttl_or_session(call, fields)
        member, joined = liveness.session_bound(
            call.storage.put_member, call.project_id, self.group,
            self.member_id, fields.get('capabilities', {}), ttl,
            call.conditions, session_id=session)
        if joined:
            call.created(f'{members_url(call, self.group)}/{member.id}',
                         member.etag)
        else:
            call.etag(member.etag)
        return view(call, member)

    @method.route(index, 'PATCH', policies.UPDATE)
    def patch(self, call):
        fields = call.patch_body(types.MemberBody)

        def apply(member):
            return (types.patched(types.MemberBody, 'capabilities',
                                  member.capabilities, fields),
                    liveness.checked_ttl(call, fields, member.ttl))

        member = call.storage.update_member(
            call.project_id, self.group, self.member_id, apply,
            call.conditions)
        call.etag(member.etag)
        return view(call, member)

    @method.route(index, 'DELETE', policies.LEAVE)
    def delete(self, call):
        call.storage.leave(call.project_id, self.group, self.member_id,
                           call.conditions)

    heartbeat = method.resource()

    @method.route(heartbeat, 'POST', policies.HEARTBEAT)
    def post_heartbeat(self, call):
        call.storage.heartbeat(call.project_id, self.group, self.member_id)


class MembersController(base.GroupScoped):

    def child(self, member_id):
        return MemberController(self.group, member_id)

    index = method.resource()

    @method.route(index, 'GET', policies.LIST)
    def get(self, call):
        page = listing.page(call, SORT_KEYS)
        found = call.storage.list_members(call.project_id, self.group, page)
        return listing.document(call, 'members', found, view,
                                lambda member: member.id,
                                members_url(call, self.group), page)

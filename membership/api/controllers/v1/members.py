"""/v1/groups/{name}/members and /v1/groups/{name}/members/{id}."""
import pecan

from membership.api.controllers import base
from membership.api.controllers.v1 import election
from membership.api import errors
from membership.api import listing
from membership.api import method
from membership.api import timeutils
from membership.api import types
from membership.policies import members as policies

SORT_KEYS = ('id', 'joined_at')


def members_url(group):
    return f'{method.base_url()}/v1/groups/{group}/members'


def view(member):
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
                   'href': f'{members_url(member.group)}/{member.id}'}],
    }
    if method.version() >= (1, 2):
        document['session'] = member.session
    return document


def checked_ttl(fields, default):
    """The ttl of a body: absent → ``default``; null → never expires."""
    if 'ttl' not in fields:
        return default
    ttl = fields['ttl']
    limit = method.conf().api.max_member_ttl
    if ttl is not None and not 1 <= ttl <= limit:
        raise errors.bad_request(
            f"Invalid value for field 'ttl': {ttl} is not from 1 to "
            f"{limit} ([api] max_member_ttl), nor null.")
    return ttl


class MemberController:

    def __init__(self, group, member_id):
        self.group = group
        self.member_id = member_id

    def check_path(self):
        types.check_name('group name', self.group)
        types.check_name('member id', self.member_id)

    @pecan.expose(generic=True, template='json')
    def index(self, *args, **kwargs):
        base.not_allowed(args)

    @index.when(method='GET', template='json')
    @method.handler(policies.SHOW)
    def get(self):
        member = method.storage_api().get_member(
            method.project_id(), self.group, self.member_id)
        method.etag(member.etag)
        return view(member)

    @index.when(method='PUT', template='json')
    @method.handler(policies.JOIN)
    def put(self):
        at_1_2 = method.version() >= (1, 2)
        fields = method.body(types.SessionBound if at_1_2
                             else types.MemberBody)
        ttl, session = election.liveness(fields)
        member, joined = election.session_bound(
            method.storage_api().put_member, method.project_id(),
            self.group, self.member_id, fields.get('capabilities', {}), ttl,
            method.conditions(), session_id=session)
        if joined:
            method.created(f'{members_url(self.group)}/{member.id}',
                           member.etag)
        else:
            method.etag(member.etag)
        return view(member)

    @index.when(method='PATCH', template='json')
    @method.handler(policies.UPDATE)
    def patch(self):
        fields = method.patch_body(types.MemberBody)

        def apply(member):
            capabilities = member.capabilities
            if 'capabilities' in fields:
                patch = fields['capabilities']
                capabilities = ({} if patch is None else
                                types.merge_patch(capabilities, patch))
                types.check(types.MemberBody,
                            {'capabilities': capabilities})
            return capabilities, checked_ttl(fields, member.ttl)

        member = method.storage_api().update_member(
            method.project_id(), self.group, self.member_id, apply,
            method.conditions())
        method.etag(member.etag)
        return view(member)

    @index.when(method='DELETE', template='json')
    @method.handler(policies.LEAVE)
    def delete(self):
        method.storage_api().leave(method.project_id(), self.group,
                                   self.member_id, method.conditions())

    @pecan.expose(generic=True, template='json')
    def heartbeat(self, *args, **kwargs):
        base.not_allowed(args)

    @heartbeat.when(method='POST', template='json')
    @method.handler(policies.HEARTBEAT)
    def post_heartbeat(self):
        method.storage_api().heartbeat(method.project_id(), self.group,
                                       self.member_id)


class MembersController(base.GroupScoped, base.Collection):

    def item(self, member_id):
        return MemberController(self.group, member_id)

    @pecan.expose(generic=True, template='json')
    def index(self, *args, **kwargs):
        base.not_allowed(args)

    @index.when(method='GET', template='json')
    @method.handler(policies.LIST)
    def get(self):
        page = listing.page(SORT_KEYS)
        found = method.storage_api().list_members(
            method.project_id(), self.group, page)
        return {
            'members': [view(member) for member in found],
            'links': listing.links(page, found,
                                   found[-1].id if found else None,
                                   members_url(self.group)),
        }

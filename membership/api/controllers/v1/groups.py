"""/v1/groups and /v1/groups/{name}."""
import pecan

from membership.api.controllers import base
from membership.api.controllers.v1 import election
from membership.api.controllers.v1 import events
from membership.api.controllers.v1 import members
from membership.api import listing
from membership.api import method
from membership.api import timeutils
from membership.api import types
from membership.policies import groups as policies

SORT_KEYS = ('name', 'created_at')


def group_url(name):
    return f'{method.base_url()}/v1/groups/{name}'


def view(group):
    url = group_url(group.name)
    document = {
        'name': group.name,
        'description': group.description,
        'metadata': group.metadata,
        'project_id': group.project_id,
        'member_count': group.member_count,
        'created_at': timeutils.iso(group.created_at),
        'updated_at': timeutils.iso(group.updated_at),
        'links': [{'rel': 'self', 'href': url},
                  {'rel': 'members', 'href': url + '/members'}],
    }
    if method.version() >= (1, 1):
        document['revision'] = group.revision
    return document


class GroupController:

    def __init__(self, name):
        self.name = name
        self.members = members.MembersController(name)
        self.events = events.EventsController(name)
        self.candidates = election.CandidatesController(name)
        self.leader = election.LeaderController(name)

    def check_path(self):
        types.check_name('group name', self.name)

    @pecan.expose(generic=True, template='json')
    def index(self, *args, **kwargs):
        base.not_allowed(args)

    @index.when(method='GET', template='json')
    @method.handler(policies.SHOW)
    def get(self):
        group = method.storage_api().get_group(method.project_id(), self.name)
        method.etag(group.etag)
        return view(group)

    @index.when(method='PUT', template='json')
    @method.handler(policies.CREATE)
    def put(self):
        fields = method.body(types.GroupBody)
        group, created = method.storage_api().put_group(
            method.project_id(), self.name,
            fields.get('description', ''), fields.get('metadata', {}),
            method.conditions())
        if created:
            method.created(group_url(group.name), group.etag)
        else:
            method.etag(group.etag)
        return view(group)

    @index.when(method='PATCH', template='json')
    @method.handler(policies.UPDATE)
    def patch(self):
        fields = method.patch_body(types.GroupBody)

        def apply(group):
            description = group.description
            if 'description' in fields:
                description = fields['description'] or ''
            metadata = group.metadata
            if 'metadata' in fields:
                patch = fields['metadata']
                metadata = ({} if patch is None else
                            types.merge_patch(metadata, patch))
                types.check(types.GroupBody, {'metadata': metadata})
            return description, metadata

        group = method.storage_api().update_group(
            method.project_id(), self.name, apply, method.conditions())
        method.etag(group.etag)
        return view(group)

    @index.when(method='DELETE', template='json')
    @method.handler(policies.DELETE)
    def delete(self):
        method.storage_api().delete_group(method.project_id(), self.name,
                                          method.conditions())


class GroupsController(base.Collection):

    def item(self, name):
        return GroupController(name)

    @pecan.expose(generic=True, template='json')
    def index(self, *args, **kwargs):
        base.not_allowed(args)

    @index.when(method='GET', template='json')
    @method.handler(policies.LIST)
    def get(self):
        page = listing.page(SORT_KEYS)
        found = method.storage_api().list_groups(method.project_id(), page)
        return {
            'groups': [view(group) for group in found],
            'links': listing.links(page, found,
                                   found[-1].name if found else None,
                                   method.base_url() + '/v1/groups'),
        }

"""/v1/groups and /v1/groups/{name}."""
from membership.api.controllers.v1 import election
from membership.api.controllers.v1 import events
from membership.api.controllers.v1 import members
from membership.api import listing
from membership.api import method
from membership.api import microversion
from membership.api import timeutils
from membership.api import types
from membership.policies import groups as policies

SORT_KEYS = ('name', 'created_at')


def group_url(call, name):
    return f'{call.base_url}/v1/groups/{name}'


def view(call, group):
    url = group_url(call, group.name)
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
    if call.at_least(microversion.EVENTS):
        document['revision'] = group.revision
    return document


class GroupController:

    CHILDREN = {'members': members.MembersController,
                'events': events.EventsController,
                'candidates': election.CandidatesController,
                'leader': election.LeaderController}

    def __init__(self, name):
        self.name = name

    def child(self, segment):
        kind = self.CHILDREN.get(segment)
        return kind(self.name) if kind else None

    def check_path(self):
        types.check_name('group name', self.name)

    index = method.resource()

    @method.route(index, 'GET', policies.SHOW)
    def get(self, call):
        group = call.storage.get_group(call.project_id, self.name)
        call.etag(group.etag)
        return view(call, group)

    @method.route(index, 'PUT', policies.CREATE)
    def put(self, call):
        fields = call.body(types.GroupBody)
        group, created = call.storage.put_group(
            call.project_id, self.name, fields.get('description', ''),
            fields.get('metadata', {}), call.conditions)
        if created:
            call.created(group_url(call, group.name), group.etag)
        else:
            call.etag(group.etag)
        return view(call, group)

    @method.route(index, 'PATCH', policies.UPDATE)
    def patch(self, call):
        fields = call.patch_body(types.GroupBody)

        def apply(group):
            description = group.description
            if 'description' in fields:
                description = fields['description'] or ''
            return description, types.patched(
                types.GroupBody, 'metadata', group.metadata, fields)

        group = call.storage.update_group(call.project_id, self.name, apply,
                                          call.conditions)
        call.etag(group.etag)
        return view(call, group)

    @method.route(index, 'DELETE', policies.DELETE)
    def delete(self, call):
        call.storage.delete_group(call.project_id, self.name,
                                  call.conditions)


class GroupsController:

    def child(self, name):
        return GroupController(name)

    index = method.resource()

    @method.route(index, 'GET', policies.LIST)
    def get(self, call):
        page = listing.page(call, SORT_KEYS)
        found = call.storage.list_groups(call.project_id, page)
        return listing.document(call, 'groups', found, view,
                                lambda group: group.name,
                                call.base_url + '/v1/groups', page)

"""Version discovery: ``GET /`` and ``GET /v1/``, no token needed."""
from membership.api.controllers.v1 import groups
from membership.api.controllers.v1 import locks
from membership.api.controllers.v1 import sessions
from membership.api import method
from membership.api import microversion

UPDATED = '2026-11-26T00:00:00Z'


def version_document(call):
    return {
        'id': 'v1', 'status': 'CURRENT',
        'min_version': microversion.text(microversion.MIN_VERSION),
        'max_version': microversion.text(microversion.MAX_VERSION),
        'updated': UPDATED,
        'links': [{'rel': 'self', 'href': call.base_url + '/v1/'}],
    }


class V1Controller:

    def __init__(self):
        self.children = {'groups': groups.GroupsController(),
                         'sessions': sessions.SessionsController(),
                         'locks': locks.LocksController()}

    def child(self, segment):
        return self.children.get(segment)

    index = method.resource()

    @method.route(index, 'GET', public=True)
    def get(self, call):
        return {'version': version_document(call)}


class RootController:

    def __init__(self):
        self.v1 = V1Controller()

    def child(self, segment):
        return self.v1 if segment == 'v1' else None

    index = method.resource()

    @method.route(index, 'GET', public=True)
    def get(self, call):
        return {'versions': [version_document(call)]}

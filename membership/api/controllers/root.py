"""Version discovery: ``GET /`` and ``GET /v1/``, no token needed."""
import pecan

from membership.api.controllers import base
from membership.api.controllers import v1
from membership.api import method
from membership.api import microversion

UPDATED = '2026-11-26T00:00:00Z'


def version_document():
    return {
        'id': 'v1', 'status': 'CURRENT',
        'min_version': microversion.text(microversion.MIN_VERSION),
        'max_version': microversion.text(microversion.MAX_VERSION),
        'updated': UPDATED,
        'links': [{'rel': 'self', 'href': method.base_url() + '/v1/'}],
    }


class V1Controller:
    groups = v1.groups.GroupsController()
    sessions = v1.sessions.SessionsController()

    @pecan.expose(generic=True, template='json')
    def index(self, *args, **kwargs):
        base.not_allowed(args)

    @index.when(method='GET', template='json')
    @method.handler(public=True)
    def get(self):
        return {'version': version_document()}


class RootController:
    v1 = V1Controller()

    @pecan.expose(generic=True, template='json')
    def index(self, *args, **kwargs):
        base.not_allowed(args)

    @index.when(method='GET', template='json')
    @method.handler(public=True)
    def get(self):
        return {'versions': [version_document()]}

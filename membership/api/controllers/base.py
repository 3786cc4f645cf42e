"""Routing helpers shared by the controllers."""
import pecan
from pecan import routing

from membership.api import method
from membership.api import types


class Collection:
    """A collection whose next path segment names an item.

    Routing by ``_route`` means a group or member called ``index`` (or
    any other attribute name) is an item like any other.
    """

    def item(self, name):
        raise NotImplementedError

    @pecan.expose()
    def _route(self, args, request):
        if not args or args == ['']:
            return self.index, []
        return routing.lookup_controller(self.item(args[0]), args[1:],
                                         request)


class GroupScoped:
    """A controller below /v1/groups/{name}: it checks the name first."""

    def __init__(self, group):
        self.group = group

    def check_path(self):
        types.check_name('group name', self.group)


def not_allowed(remainder=(), min_version=None):
    """The default of a generic controller: 405 with an Allow header,
    or 404 when the path goes on below the resource, or when the
    resource is newer than the request's microversion (it is absent).
    """
    if remainder and tuple(remainder) != ('',):
        pecan.abort(404)
    if min_version and method.version() < min_version:
        pecan.abort(404)
    pecan.abort(405)

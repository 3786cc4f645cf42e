"""How a controller exposes its routes.

A resource is declared once, with the microversion it appeared in::

    index = method.resource(since=microversion.SESSIONS)

    @method.route(index, 'GET', policies.SHOW)
    def get(self, call):
        ...

Every method of it that no route names answers 405 (with ``Allow``);
below ``since`` the resource is absent: 404 for every method. A route's
function receives the request's :class:`~membership.api.call.Call` and
returns a JSON-able document (sent with ``status``, unless it set
another) or None (204); it raises APIError or a storage error for
failures, and every error leaves as an API-WG document.
"""
import json

import pecan
import webob

from membership.api import authorize
from membership.api import bodies
from membership.api import errors
from membership.storage import exceptions as storage


def resource(since=None):
    """A resource's generic controller, absent below ``since``."""
    allowed = []

    def not_allowed(self, call):
        raise errors.APIError(
            405, errors.METHOD_NOT_ALLOWED,
            'Method not allowed on this resource; see the Allow header.',
            headers={'Allow': ', '.join(sorted(allowed))})

    generic = pecan.expose(generic=True, template='json')(
        _handled(not_allowed, since, check=False))
    generic.membership_since = since
    generic.membership_allowed = allowed
    return generic


def route(resource_, http_method, rule=None, status=200, public=False):
    """Expose ``fn`` as ``http_method`` of ``resource_`` under policy
    ``rule`` (``public``: no token needed).
    """
    def decorate(fn):
        resource_.membership_allowed.append(http_method)
        handled = _handled(fn, resource_.membership_since, rule=rule,
                           status=status, public=public)
        return resource_.when(method=http_method, template='json')(handled)
    return decorate


def _handled(fn, since, rule=None, status=200, public=True, check=True):
    def handled(self, call):
        try:
            if since and call.version < since:
                raise errors.APIError(404, errors.NOT_FOUND,
                                      'The resource could not be found.')
            if check:
                if not public:
                    call.context = authorize.context(call, rule)
                authorize.check_accept(call.request)
                bodies.check_media_type(call.request)
                check_path = getattr(self, 'check_path', None)
                if check_path:
                    check_path()
            document = fn(self, call)
        except errors.APIError as e:
            return error_response(call.request, e)
        except storage.StorageError as e:
            return error_response(call.request, errors.from_storage(e))
        response = call.response
        if document is None:
            response.status = 204
            response.content_type = None
            return response
        if response.status_int == 200 and status != 200:
            response.status = status
        response.content_type = bodies.JSON
        response.text = json.dumps(document)
        return response
    handled.__name__ = fn.__name__
    handled.__doc__ = fn.__doc__
    return handled


def error_response(request, error):
    request.environ[errors.FORMATTED] = True
    response = webob.Response(
        status=error.status, content_type=bodies.JSON, charset='UTF-8',
        body=errors.body(error.status, error.code, error.detail,
                         request.environ.get('openstack.request_id')
                         ).encode())
    for name, value in error.headers.items():
        response.headers[name] = value
    return response

"""How a request reaches its handler: pecan, told what it need not do.

Two subclasses, no patching:

- :class:`Request` never parses a body: handlers parse theirs once
  (``Call.body``), so pecan neither decodes JSON into arguments nor
  feeds an empty POST through ``cgi.FieldStorage``.
- :class:`App` walks the controller objects itself (each controller
  names its children in ``child``), so pecan's generic traversal --
  ``dir()`` of every object on the way, a signature inspection at each
  ``_route`` hop -- is skipped; and it invokes our handlers directly
  with the request's :class:`~membership.api.call.Call`: they build
  their whole response (``method.route``), so pecan's per-request
  signature inspection and template rendering have nothing to do.

A target with a dot segment (``.`` or ``..``, literal or
percent-encoded) is refused before routing: a server that resolves them
(Apache does, RFC 3986 5.2.4) would otherwise hand the app another
resource's path, so the raw target the server received is checked, not
the path it passes on.

Everything else (generic controllers, HTTP errors) is pecan's own;
Accept is the handlers' (``authorize.check_accept``).
"""
import urllib.parse

import pecan
from webob import exc
from webob import multidict

from membership.api import bodies
from membership.api import call
from membership.api import errors

# Where servers put the request target as the client sent it: mod_wsgi
# and uWSGI, gunicorn.
_RAW_TARGET = ('REQUEST_URI', 'RAW_URI')


def has_dot_segment(environ):
    """True when the request target, as sent, has a dot segment."""
    raw = next((environ[key] for key in _RAW_TARGET if environ.get(key)),
               environ.get('PATH_INFO', ''))
    path = urllib.parse.urlsplit(raw).path
    return any(urllib.parse.unquote(segment) in ('.', '..')
               for segment in path.split('/'))


class Request(pecan.Request):

    @property
    def POST(self):
        return multidict.NoVars('Bodies are parsed by the handlers.')

    @property
    def json(self):
        raise ValueError('Bodies are parsed by the handlers.')


class App(pecan.Pecan):
    """The pecan app of one process, holding its Services."""

    def __init__(self, root, services):
        super().__init__(root, request_cls=Request,
                         # Names such as "db.json" are names, not types.
                         guess_content_type_from_ext=False,
                         force_canonical=False)
        self.services = services

    def __call__(self, environ, start_response):
        # Answered before pecan: it rewrites the body of any HTTP error
        # raised inside it for a client that accepts JSON.
        if has_dot_segment(environ):
            return errors.respond(
                environ, start_response, 400, errors.INVALID_REQUEST,
                'The path has a "." or ".." segment: send the resource\'s '
                'own path.')
        return super().__call__(environ, start_response)

    def route(self, req, node, path):
        # Every handler answers JSON and checks Accept itself (an API-WG
        # 406): pecan need not negotiate, which logs an ERROR line for a
        # client's Accept header.
        req.pecan['content_type'] = bodies.JSON
        segments = path.split('/')[1:]
        if segments and segments[-1] == '':
            segments.pop()  # a trailing slash names the same resource
        for segment in segments:
            child = getattr(node, 'child', None)
            node = child(segment) if child else None
            if node is None:
                raise exc.HTTPNotFound()
        # A resource object answers with its index; an action (such as
        # heartbeat) is itself a generic controller.
        return getattr(node, 'index', node), []

    def invoke_controller(self, controller, args, kwargs, state):
        # args[0] is the controller object owning the generic method.
        state.response = controller(args[0], call.Call(
            self.services, state.request, state.response))

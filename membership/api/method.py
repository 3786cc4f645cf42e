"""What every handler shares: authentication, policy, bodies, rendering.

:func:`handler` wraps a controller method the way ``wsexpose`` would,
but every error leaves as an API-WG document.
"""
import functools
import hashlib
import json

from oslo_context import context
import pecan
import webob

from membership.api import errors
from membership.api import microversion
from membership.api import types
from membership.storage import base as storage

JSON = 'application/json'
MERGE_PATCH = 'application/merge-patch+json'
# Where BodyShield keeps the request's Content-Type, away from pecan.
CONTENT_TYPE = 'membership.content_type'


def handler(rule=None, status=200, public=False, min_version=None):
    """Expose ``fn`` under policy ``rule``.

    ``fn`` returns a JSON-able document (sent with ``status``, unless it
    set ``pecan.response.status``) or None (204). It raises APIError or a
    storage error for failures; anything else is a 500, logged by the
    API middleware.
    """
    def decorate(fn):
        @functools.wraps(fn)
        def wrapped(self, *remainder, **params):
            request = pecan.request
            response = pecan.response
            try:
                if remainder and remainder != ('',):
                    raise errors.APIError(404, errors.NOT_FOUND,
                                          'The resource could not be found.')
                if min_version and version() < min_version:
                    raise errors.APIError(404, errors.NOT_FOUND,
                                          'The resource could not be found.')
                if not public:
                    request.context = _authorize(request, rule)
                _check_accept(request)
                _check_media_type(request)
                check_path = getattr(self, 'check_path', None)
                if check_path:
                    check_path()
                document = fn(self)
            except errors.APIError as e:
                return error_response(e)
            except storage.StorageError as e:
                return error_response(errors.from_storage(e))
            if document is None:
                response.status = 204
                response.content_type = None
                return response
            if response.status_int == 200 and status != 200:
                response.status = status
            response.content_type = JSON
            response.text = json.dumps(document)
            return response
        return wrapped
    return decorate


def error_response(error):
    request = pecan.request
    request.environ[errors.FORMATTED] = True
    response = webob.Response(
        status=error.status, content_type=JSON, charset='UTF-8',
        body=errors.body(error.status, error.code, error.detail,
                         request.environ.get('openstack.request_id')
                         ).encode())
    for name, value in error.headers.items():
        response.headers[name] = value
    return response


def _authorize(request, rule):
    if request.environ.get('HTTP_X_IDENTITY_STATUS') != 'Confirmed':
        raise errors.APIError(
            401, errors.UNAUTHORIZED,
            'Authentication required: send a valid Keystone token in '
            'X-Auth-Token.')
    ctx = context.RequestContext.from_environ(request.environ)
    if ctx.project_id and len(ctx.project_id) > 255:
        raise errors.bad_request('The project id is longer than 255 '
                                 'characters.')
    if not ctx.project_id:
        raise errors.APIError(403, errors.FORBIDDEN,
                              'A project-scoped token is required.')
    if rule:
        if not request.services.enforcer.authorize(rule, ctx):
            raise errors.APIError(403, errors.FORBIDDEN,
                                  f'Policy does not allow {rule}.')
    return ctx


def _check_accept(request):
    accept = request.headers.get('Accept')
    if accept and not request.accept.acceptable_offers([JSON]):
        raise errors.APIError(406, errors.NOT_ACCEPTABLE,
                              f'Only {JSON} is available.')


def _has_body(request):
    return bool(request.content_length) or \
        'chunked' in request.headers.get('Transfer-Encoding', '').lower()


def media_type(request):
    """The request's media type, lower case, and its charset if any."""
    value = request.environ.get(CONTENT_TYPE, '')
    kind, _, params = value.partition(';')
    charset = None
    for param in params.split(';'):
        name, _, arg = param.partition('=')
        if name.strip().lower() == 'charset':
            charset = arg.strip().strip('"').lower()
    return kind.strip().lower(), charset


def _check_media_type(request):
    """A body, on any request, must be JSON (RFC 8259: UTF-8)."""
    if not _has_body(request):
        return
    kind, charset = media_type(request)
    allowed = (JSON, MERGE_PATCH) if request.method == 'PATCH' else (JSON,)
    if kind not in allowed or charset not in (None, 'utf-8', 'utf8'):
        raise errors.APIError(
            415, errors.UNSUPPORTED_MEDIA_TYPE,
            'A request body must be sent as %s (UTF-8), not %r.' % (
                ' or '.join(allowed),
                request.environ.get(CONTENT_TYPE) or 'nothing'))


def version():
    return pecan.request.environ[microversion.ENVIRON_KEY]


def conf():
    return pecan.request.services.conf


def storage_api():
    return pecan.request.services.storage


def project_id():
    return pecan.request.context.project_id


def body(wstype, nullable=False):
    """The checked fields of the request body (``{}`` when it is empty)."""
    request = pecan.request
    raw = request.body
    if not raw:
        return {}
    # The media type was checked by handler().
    try:
        data = json.loads(raw, parse_constant=_no_constants,
                          parse_float=_finite)
    except RecursionError:
        raise errors.bad_request('The body is not valid JSON: nested too '
                                 'deeply.', errors.INVALID_JSON)
    except (ValueError, UnicodeDecodeError) as e:
        raise errors.bad_request(f'The body is not valid JSON: {e}.',
                                 errors.INVALID_JSON)
    return types.check(wstype, data, nullable)


def patch_body(wstype):
    """A JSON merge patch (RFC 7396): null removes a field."""
    return body(wstype, nullable=True)


def _no_constants(name):
    raise ValueError(f'{name} is not JSON')


def _finite(text):
    number = float(text)
    if number in (float('inf'), float('-inf')):
        raise ValueError(f'{text} is out of range')
    return number


def conditions():
    """If-Match / If-None-Match of the request, for the storage."""
    headers = pecan.request.headers
    return storage.Conditions(
        if_match=_tags(headers.get('If-Match'), weak_ok=False),
        if_none_match=_tags(headers.get('If-None-Match'), weak_ok=True))


def _tags(value, weak_ok):
    if value is None:
        return None
    tags = []
    for tag in value.split(','):
        tag = tag.strip()
        if tag.startswith('W/'):
            if not weak_ok:
                continue  # a weak tag never matches strongly
            tag = tag[2:]
        if tag:
            tags.append(tag)
    return tuple(tags)


def base_url():
    """Where links point: the configured public endpoint or this host."""
    public = conf().api.public_endpoint
    if public:
        return public.rstrip('/')
    return pecan.request.application_url


def created(location, etag):
    response = pecan.response
    response.status = 201
    response.location = location
    response.headers['ETag'] = etag


def etag(value):
    pecan.response.headers['ETag'] = value


def derived_etag(*parts):
    """An entity tag for a resource without a stored generation: a hash
    of the fields that make its writable state.
    """
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8)
    return '"%s"' % digest.hexdigest()

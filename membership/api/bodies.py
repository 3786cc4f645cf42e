"""Request bodies: their media type, and their JSON, parsed once.

pecan is never shown a body (``routing.Request``); a handler asks for
its fields through ``Call.body``, checked against a WSME type.
"""
import json

from membership.api import errors
from membership.api import types

JSON = 'application/json'
MERGE_PATCH = 'application/merge-patch+json'


def has_body(request):
    return bool(request.content_length) or \
        'chunked' in request.headers.get('Transfer-Encoding', '').lower()


def media_type(request):
    """The request's media type, lower case, and its charset if any."""
    kind, _, params = request.environ.get('CONTENT_TYPE', '').partition(';')
    charset = None
    for param in params.split(';'):
        name, _, arg = param.partition('=')
        if name.strip().lower() == 'charset':
            charset = arg.strip().strip('"').lower()
    return kind.strip().lower(), charset


def check_media_type(request):
    """A body, on any request, must be JSON (RFC 8259: UTF-8)."""
    if not has_body(request):
        return
    kind, charset = media_type(request)
    allowed = (JSON, MERGE_PATCH) if request.method == 'PATCH' else (JSON,)
    if kind not in allowed or charset not in (None, 'utf-8', 'utf8'):
        raise errors.APIError(
            415, errors.UNSUPPORTED_MEDIA_TYPE,
            'A request body must be sent as %s (UTF-8), not %r.' % (
                ' or '.join(allowed),
                request.environ.get('CONTENT_TYPE') or 'nothing'))


def fields(request, wstype, nullable=False):
    """The checked fields of the body (``{}`` when it is empty)."""
    try:
        raw = request.body
    except OSError:
        # webob's DisconnectionError, or the server's read timeout: the
        # client went away or quiet mid-body. Its mistake, not ours.
        raise errors.bad_request('The request body ended before its '
                                 'Content-Length: the client disconnected '
                                 'or did not send it in time.')
    if not raw:
        return {}
    try:
        # RFC 8259 8.1: UTF-8 only (json.loads would also guess UTF-16
        # and UTF-32 from the bytes).
        data = json.loads(raw.decode('utf-8'), parse_constant=_no_constants,
                          parse_float=_finite)
    except RecursionError:
        raise errors.bad_request('The body is not valid JSON: nested too '
                                 'deeply.', errors.INVALID_JSON)
    except (ValueError, UnicodeDecodeError) as e:
        raise errors.bad_request(f'The body is not valid JSON: {e}.',
                                 errors.INVALID_JSON)
    return types.check(wstype, data, nullable)


def _no_constants(name):
    raise ValueError(f'{name} is not JSON')


def _finite(text):
    number = float(text)
    if number in (float('inf'), float('-inf')):
        raise ValueError(f'{text} is out of range')
    return number

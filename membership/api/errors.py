"""Error codes and the API-WG error body.

Codes are part of the API: never change or reuse one; add new ones and
document them in api-ref/source/errors.inc.
"""
import http.client
import json

from membership.storage import exceptions as storage

# Routing, protocol and validation.
NOT_FOUND = 'membership.not_found'
METHOD_NOT_ALLOWED = 'membership.method_not_allowed'
UNAUTHORIZED = 'membership.unauthorized'
FORBIDDEN = 'membership.forbidden'
NOT_ACCEPTABLE = 'membership.not_acceptable'
UNSUPPORTED_MEDIA_TYPE = 'membership.unsupported_media_type'
REQUEST_TOO_LARGE = 'membership.request_too_large'
INVALID_JSON = 'membership.invalid_json'
INVALID_REQUEST = 'membership.invalid_request'
INVALID_QUERY = 'membership.invalid_query'
INVALID_NAME = 'membership.invalid_name'
INVALID_MARKER = 'membership.invalid_marker'
MICROVERSION_INVALID = 'membership.microversion_invalid'
MICROVERSION_UNSUPPORTED = 'membership.microversion_unsupported'
PRECONDITION_FAILED = 'membership.precondition_failed'
# Resources.
GROUP_NOT_FOUND = 'membership.group_not_found'
GROUP_NOT_EMPTY = 'membership.group_not_empty'
MEMBER_NOT_FOUND = 'membership.member_not_found'
REVISION_COMPACTED = 'membership.revision_compacted'
SESSION_NOT_FOUND = 'membership.session_not_found'
CANDIDATE_NOT_FOUND = 'membership.candidate_not_found'
NOT_LEADER = 'membership.not_leader'
NO_LEADER = 'membership.no_leader'
TOO_MANY_WAITERS = 'membership.too_many_waiters'
LOCK_HELD = 'membership.lock_held'
LOCK_NOT_FOUND = 'membership.lock_not_found'
HOLDER_NOT_FOUND = 'membership.holder_not_found'
QUOTA_EXCEEDED = 'membership.quota_exceeded'
# Service.
STORAGE_UNAVAILABLE = 'membership.storage_unavailable'
IDENTITY_UNAVAILABLE = 'membership.identity_unavailable'
LIMITS_UNAVAILABLE = 'membership.limits_unavailable'
INTERNAL_ERROR = 'membership.internal_error'
# Any other status a server or middleware produced.
GENERIC = 'membership.error'

BY_STATUS = {
    400: INVALID_REQUEST, 401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND,
    405: METHOD_NOT_ALLOWED, 406: NOT_ACCEPTABLE, 412: PRECONDITION_FAILED,
    413: REQUEST_TOO_LARGE, 415: UNSUPPORTED_MEDIA_TYPE, 500: INTERNAL_ERROR,
    503: STORAGE_UNAVAILABLE,
}

# Marks, in the WSGI environ, a response whose body is already API-WG.
FORMATTED = 'membership.error_formatted'


class APIError(Exception):
    """An error response: raise it anywhere below a handler."""

    def __init__(self, status, code, detail, headers=None):
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers or {}


def bad_request(detail, code=INVALID_REQUEST):
    return APIError(400, code, detail)


def too_many_waiters(alternative):
    """The 503 of a process holding ``[api] max_waiters`` waits."""
    return APIError(
        503, TOO_MANY_WAITERS,
        'This API process holds as many long-polls as [api] max_waiters '
        'allows, or this project its [api] project_waiter_share of them; '
        f'retry, or {alternative}.', headers={'Retry-After': '1'})


def body(status, code, detail, request_id):
    """The JSON text of an API-WG error document."""
    return json.dumps({'errors': [{
        'request_id': request_id,
        'code': code,
        'status': status,
        'title': http.client.responses.get(status, 'Error'),
        'detail': detail,
        'links': [],
    }]})


def respond(environ, start_response, status, code, detail, headers=()):
    """Answer a WSGI request with an API-WG error (for filters)."""
    environ[FORMATTED] = True
    data = body(status, code, detail,
                environ.get('openstack.request_id')).encode()
    start_response('%d %s' % (status, http.client.responses.get(
        status, 'Error')), [('Content-Type', 'application/json'),
                            ('Content-Length', str(len(data)))] +
        list(headers))
    return [data]


# Storage errors and what a client sees of them (the message is the
# storage error's own).
_FROM_STORAGE = (
    (storage.GroupNotFound, 404, GROUP_NOT_FOUND),
    (storage.MemberNotFound, 404, MEMBER_NOT_FOUND),
    (storage.GroupNotEmpty, 409, GROUP_NOT_EMPTY),
    (storage.MarkerNotFound, 400, INVALID_MARKER),
    (storage.RevisionCompacted, 410, REVISION_COMPACTED),
    (storage.SessionNotFound, 404, SESSION_NOT_FOUND),
    (storage.CandidateNotFound, 404, CANDIDATE_NOT_FOUND),
    (storage.NotLeader, 409, NOT_LEADER),
    (storage.NoLeader, 404, NO_LEADER),
    (storage.LockHeld, 409, LOCK_HELD),
    (storage.LockNotFound, 404, LOCK_NOT_FOUND),
    (storage.HolderNotFound, 404, HOLDER_NOT_FOUND),
    (storage.QuotaExceeded, 403, QUOTA_EXCEEDED),
)


def from_storage(error):
    """Map a storage exception to the APIError a client sees."""
    if isinstance(error, storage.PreconditionFailed):
        return APIError(412, PRECONDITION_FAILED,
                        f'Precondition failed: the resource {error.reason}.')
    if isinstance(error, storage.StorageUnavailable):
        return APIError(503, STORAGE_UNAVAILABLE,
                        'The database is unavailable; retry later.',
                        headers={'Retry-After': '1'})
    if isinstance(error, storage.LimitsUnavailable):
        return APIError(503, LIMITS_UNAVAILABLE,
                        "The project's limits cannot be read from the "
                        "identity service; retry later.",
                        headers={'Retry-After': '5'})
    for kind, status, code in _FROM_STORAGE:
        if isinstance(error, kind):
            return APIError(status, code, str(error))
    raise error  # unmapped: a bug, answered 500 and logged

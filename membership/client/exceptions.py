"""Exceptions of the membership client.

Every error the service answers carries an API-WG body whose ``code`` is
stable; the client raises the class registered for that code, or else the
class for the HTTP status. All of them derive from
:class:`MembershipError`, which carries ``status``, ``code``, ``detail``
and ``request_id``.
"""


class MembershipError(Exception):
    """Base of every error raised by :mod:`membership.client`."""

    def __init__(self, detail, status=None, code=None, request_id=None,
                 title=None, response=None):
        super().__init__(detail)
        self.detail = detail
        self.status = status
        self.code = code
        self.request_id = request_id
        self.title = title
        self.response = response

    def __str__(self):
        if self.status is None:
            return str(self.detail)
        extra = ', '.join(x for x in (self.code, self.request_id) if x)
        extra = f': {extra}' if extra else ''
        return f'{self.detail} (HTTP {self.status}{extra})'


class ConnectionFailed(MembershipError):
    """The service could not be reached (refused, reset, DNS, TLS)."""


class Timeout(ConnectionFailed):
    """The service did not answer within the call's timeout."""


class UnsupportedVersion(MembershipError):
    """No microversion both sides know, or a call the version lacks."""


class ClientError(MembershipError):
    """A 4xx answer."""


class ServerError(MembershipError):
    """A 5xx answer."""


class BadRequest(ClientError):
    pass


class Unauthorized(ClientError):
    pass


class Forbidden(ClientError):
    pass


class NotFound(ClientError):
    pass


class Conflict(ClientError):
    pass


class Gone(ClientError):
    pass


class PreconditionFailed(ClientError):
    """412: If-Match or If-None-Match did not hold."""


class GroupNotFound(NotFound):
    pass


class MemberNotFound(NotFound):
    pass


class SessionNotFound(NotFound):
    """Also raised for 400 when a join names an unknown session."""


class CandidateNotFound(NotFound):
    pass


class NoLeader(NotFound):
    pass


class LockNotFound(NotFound):
    pass


class HolderNotFound(NotFound):
    pass


class GroupNotEmpty(Conflict):
    pass


class NotLeader(Conflict):
    pass


class LockHeld(Conflict):
    pass


class RevisionCompacted(Gone):
    """The events asked for are no longer kept: list the members again."""


class ServiceUnavailable(ServerError):
    pass


class TooManyWaiters(ServiceUnavailable):
    pass


BY_CODE = {
    'membership.group_not_found': GroupNotFound,
    'membership.member_not_found': MemberNotFound,
    'membership.session_not_found': SessionNotFound,
    'membership.candidate_not_found': CandidateNotFound,
    'membership.no_leader': NoLeader,
    'membership.lock_not_found': LockNotFound,
    'membership.holder_not_found': HolderNotFound,
    'membership.group_not_empty': GroupNotEmpty,
    'membership.not_leader': NotLeader,
    'membership.lock_held': LockHeld,
    'membership.revision_compacted': RevisionCompacted,
    'membership.precondition_failed': PreconditionFailed,
    'membership.microversion_unsupported': UnsupportedVersion,
    'membership.too_many_waiters': TooManyWaiters,
    'membership.storage_unavailable': ServiceUnavailable,
}

BY_STATUS = {
    400: BadRequest, 401: Unauthorized, 403: Forbidden, 404: NotFound,
    406: UnsupportedVersion, 409: Conflict, 410: Gone,
    412: PreconditionFailed, 503: ServiceUnavailable,
}


def from_response(response):
    """The exception for an error response (requests-like object)."""
    status = response.status_code
    request_id = response.headers.get('x-openstack-request-id')
    code = title = None
    detail = response.text or response.reason
    try:
        error = response.json()['errors'][0]
    except (ValueError, KeyError, IndexError, TypeError):
        pass
    else:
        code = error.get('code')
        title = error.get('title')
        detail = error.get('detail', detail)
        request_id = error.get('request_id') or request_id
    cls = BY_CODE.get(code) or BY_STATUS.get(status) or (
        ServerError if status >= 500 else ClientError)
    return cls(detail, status=status, code=code, request_id=request_id,
               title=title, response=response)

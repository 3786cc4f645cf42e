"""keystonemiddleware's auth_token, telling a Keystone outage from a bad
token.

With ``delay_auth_decision`` (version discovery needs no token),
auth_token marks a token it could not check because Keystone was
unreachable or failing exactly as it marks a bad one: ``X-Identity-Status:
Invalid``, after raising ``InvalidToken`` from within its handler of the
outage. Answered 401, clients would throw good tokens away. This
subclass notices that ``InvalidToken``'s cause and marks the request
:data:`IDENTITY_UNAVAILABLE` in the environ instead; ``authorize`` answers
it 503 ``membership.identity_unavailable`` with ``Retry-After``, and the
routes that need no token still answer.

It also reads requests as :class:`_Request`, which removes the identity
headers a client may have forged straight from the environ.
"""
from keystoneauth1 import exceptions as ksa_exceptions
from keystonemiddleware import auth_token
from keystonemiddleware.auth_token import _request
import webob.dec

IDENTITY_UNAVAILABLE = 'membership.identity_unavailable'

# What auth_token itself treats as Keystone being unavailable.
_OUTAGE = (ksa_exceptions.ConnectFailure, ksa_exceptions.DiscoveryFailure,
           ksa_exceptions.RequestTimeout, auth_token.ServiceError)


class _Unavailable(Exception):
    """Keystone could not say whether a token is valid."""


class _Request(_request._AuthTokenRequest):
    """auth_token's request, removing its headers in one pass.

    auth_token removes the 31 headers it may set (so a client cannot
    forge one) through webob's ``EnvironHeaders``, whose ``pop`` is
    ``MutableMapping.pop``: a KeyError raised and caught for each header
    the request does not carry, about 80 µs a request. The same headers
    are removed here, by their environ keys, found once. (The upstream
    fix would be the same.)
    """

    _AUTH_KEYS = tuple(
        'HTTP_' + name.upper().replace('-', '_')
        for name in _request._AuthTokenRequest._all_auth_headers(
            _request._AuthTokenRequest))

    def remove_auth_headers(self):
        environ = self.environ
        for key in self._AUTH_KEYS:
            environ.pop(key, None)


class AuthProtocol(auth_token.AuthProtocol):

    # auth_token's own __call__, reading the request as a _Request.
    __call__ = webob.dec.wsgify(auth_token.BaseAuthProtocol.__call__.func,
                                RequestClass=_Request)

    def fetch_token(self, token, **kwargs):
        try:
            return super().fetch_token(token, **kwargs)
        except auth_token.InvalidToken as e:
            if isinstance(e.__context__, _OUTAGE):
                raise _Unavailable() from e
            raise

    def process_request(self, request):
        try:
            return super().process_request(request)
        except _Unavailable:
            # The caller's own identity headers are already removed; the
            # app sees an unconfirmed identity, and why.
            request.user_token_valid = False
            request.environ[IDENTITY_UNAVAILABLE] = True
            return None

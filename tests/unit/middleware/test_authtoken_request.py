"""auth_token's identity headers are removed exactly as auth_token does."""
from keystonemiddleware.auth_token import _request
import testtools
import webob

from membership.api.middleware import authtoken


def _forged():
    environ = webob.Request.blank('/v1/groups').environ
    names = list(_request._AuthTokenRequest._all_auth_headers(
        _request._AuthTokenRequest))
    for name in names + ['X-Auth-Token', 'X-Service-Token', 'Accept']:
        environ['HTTP_' + name.upper().replace('-', '_')] = 'forged'
    return environ


def _headers(environ):
    return {k: v for k, v in environ.items() if k.startswith('HTTP_')}


class RemoveAuthHeadersTest(testtools.TestCase):

    def test_the_same_headers_as_auth_token_removes(self):
        theirs, ours = _forged(), _forged()
        _request._AuthTokenRequest(theirs).remove_auth_headers()
        authtoken._Request(ours).remove_auth_headers()
        self.assertEqual(_headers(theirs), _headers(ours))
        for kept in ('HTTP_X_AUTH_TOKEN', 'HTTP_X_SERVICE_TOKEN',
                     'HTTP_ACCEPT'):
            self.assertEqual('forged', ours[kept])
        for gone in ('HTTP_X_ROLES', 'HTTP_X_IDENTITY_STATUS',
                     'HTTP_X_PROJECT_ID', 'HTTP_X_SERVICE_ROLES',
                     'HTTP_X_TENANT_ID'):
            self.assertNotIn(gone, ours)

    def test_the_protocol_reads_requests_as_ours(self):
        seen = []

        class Probe(authtoken.AuthProtocol):
            def __init__(self):
                pass

            def process_request(self, request):
                seen.append(type(request))
                return webob.Response(status=418)

        response = webob.Request.blank('/').get_response(Probe())
        self.assertEqual(418, response.status_int)
        self.assertEqual([authtoken._Request], seen)

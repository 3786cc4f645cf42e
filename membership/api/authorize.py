"""Who may call: the authenticated context, policy, and Accept."""
from oslo_context import context as context_

from membership.api import bodies
from membership.api import errors
from membership.api.middleware import authtoken
from membership import logcontext


def context(call, rule):
    """The request's context once policy ``rule`` allows it."""
    environ = call.request.environ
    if environ.get(authtoken.IDENTITY_UNAVAILABLE):
        raise errors.APIError(
            503, errors.IDENTITY_UNAVAILABLE,
            'Keystone could not be reached to validate the token; retry '
            'later with the same token.', headers={'Retry-After': '1'})
    if environ.get('HTTP_X_IDENTITY_STATUS') != 'Confirmed':
        raise errors.APIError(
            401, errors.UNAUTHORIZED,
            'Authentication required: send a valid Keystone token in '
            'X-Auth-Token.')
    _check_identity(environ)
    ctx = context_.RequestContext.from_environ(environ, overwrite=False)
    # The request's log lines now carry its project and user too.
    logcontext.set_current(ctx)
    if not ctx.project_id:
        raise errors.APIError(403, errors.FORBIDDEN,
                              'A project-scoped token is required.')
    if rule and not call.services.enforcer.authorize(rule, ctx):
        raise errors.APIError(403, errors.FORBIDDEN,
                              f'Policy does not allow {rule}.')
    return ctx


# The ids of the caller that the context takes from the environ (in
# noauth mode, straight from the client's headers) and every log line of
# the request then carries.
_IDENTITY_HEADERS = {
    'HTTP_X_PROJECT_ID': 'project id', 'HTTP_X_USER_ID': 'user id',
    'HTTP_X_DOMAIN_ID': 'domain id', 'HTTP_X_USER_DOMAIN_ID':
    'user domain id', 'HTTP_X_PROJECT_DOMAIN_ID': 'project domain id'}
# Keystone's ids are hex or names; anything outside visible ASCII is
# either a forged header or bytes no id has.
_ID_CHARS = frozenset(chr(c) for c in range(0x21, 0x7f))


def _check_identity(environ):
    for key, what in _IDENTITY_HEADERS.items():
        value = environ.get(key)
        if value is None:
            continue
        if len(value) > 255:
            raise errors.bad_request(f'The {what} is longer than 255 '
                                     'characters.')
        if not set(value) <= _ID_CHARS:
            raise errors.bad_request(
                f'The {what} may hold only visible ASCII characters.')


def check_accept(request):
    accept = request.headers.get('Accept')
    if accept and not request.accept.acceptable_offers([bodies.JSON]):
        raise errors.APIError(406, errors.NOT_ACCEPTABLE,
                              f'Only {bodies.JSON} is available.')

"""Who may call: the authenticated context, policy, and Accept."""
from oslo_context import context as context_

from membership.api import bodies
from membership.api import errors


def context(call, rule):
    """The request's context once policy ``rule`` allows it."""
    environ = call.request.environ
    if environ.get('HTTP_X_IDENTITY_STATUS') != 'Confirmed':
        raise errors.APIError(
            401, errors.UNAUTHORIZED,
            'Authentication required: send a valid Keystone token in '
            'X-Auth-Token.')
    ctx = context_.RequestContext.from_environ(environ)
    if ctx.project_id and len(ctx.project_id) > 255:
        raise errors.bad_request('The project id is longer than 255 '
                                 'characters.')
    if not ctx.project_id:
        raise errors.APIError(403, errors.FORBIDDEN,
                              'A project-scoped token is required.')
    if rule and not call.services.enforcer.authorize(rule, ctx):
        raise errors.APIError(403, errors.FORBIDDEN,
                              f'Policy does not allow {rule}.')
    return ctx


def check_accept(request):
    accept = request.headers.get('Accept')
    if accept and not request.accept.acceptable_offers([bodies.JSON]):
        raise errors.APIError(406, errors.NOT_ACCEPTABLE,
                              f'Only {bodies.JSON} is available.')

"""Every error leaves in the API-WG format.

The app formats its own errors (and marks them in the environ). This
filter gives the others an API-WG body: pecan's routing 404/405,
sizelimit's 413, auth_token's 401; and turns an unexpected exception
into a logged 500 without a traceback in the body.
"""
import logging

from membership.api import errors

LOG = logging.getLogger(__name__)

_DETAILS = {
    401: 'Authentication required: send a valid Keystone token in '
         'X-Auth-Token.',
    404: 'The resource could not be found.',
    405: 'Method not allowed on this resource; see the Allow header.',
    406: 'The requested media type is not available; this API speaks '
         'application/json.',
    413: 'The request body is larger than the configured limit '
         '([oslo_middleware] max_request_body_size).',
}
# Headers of the replaced body, not of the error.
_BODY_HEADERS = ('content-type', 'content-length')


class FaultWrap:

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        replaced = []

        def _start_response(status, headers, exc_info=None):
            code = int(status.split(' ', 1)[0])
            if code < 400 or environ.get(errors.FORMATTED):
                return start_response(status, headers, exc_info)
            data = errors.body(code, errors.BY_STATUS.get(code,
                                                          errors.GENERIC),
                               _DETAILS.get(code, 'The request failed.'),
                               environ.get('openstack.request_id')).encode()
            replaced.append(data)
            kept = [(k, v) for k, v in headers
                    if k.lower() not in _BODY_HEADERS]
            return start_response(status, kept + [
                ('Content-Type', 'application/json'),
                ('Content-Length', str(len(data)))], exc_info)

        try:
            app_iter = self.application(environ, _start_response)
        except Exception:
            LOG.exception('Unexpected error')
            return errors.respond(
                environ, start_response, 500, errors.INTERNAL_ERROR,
                'An unexpected error happened; it is logged with the '
                'request id.')
        if replaced:
            if hasattr(app_iter, 'close'):
                app_iter.close()
            return replaced
        return app_iter


def filter_factory(global_conf, **local_conf):
    return FaultWrap

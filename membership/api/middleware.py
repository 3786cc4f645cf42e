"""The API's outer middleware: request log, microversion, API-WG errors.

It sits just inside oslo.middleware's request_id, so every response it
sees has a request id, and outside sizelimit and auth_token, so their
413 and 401 leave in the API-WG format like the app's own errors.
"""
import http.client
import logging
import time

from oslo_context import context

from membership.api import errors
from membership.api import microversion

LOG = logging.getLogger('membership.api.requests')


def filter_factory(global_conf, **local_conf):
    return ApiMiddleware


class ApiMiddleware:

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        started = time.monotonic()
        # Tag this thread's log lines with this request from here on.
        context.RequestContext(request_id=_request_id(environ))
        path = environ.get('PATH_INFO', '')
        versioned = path == '/v1' or path.startswith('/v1/')
        outcome = {'status': '500'}
        # An unusable version header still gets the minimum's headers.
        extra = _version_headers(microversion.MIN_VERSION) if versioned \
            else []

        def _start_response(status, headers, exc_info=None):
            outcome['status'] = status.split(' ', 1)[0]
            return start_response(status, headers + extra, exc_info)

        if versioned:
            try:
                version = microversion.negotiate(environ)
            except microversion.InvalidVersion as e:
                return self._log(environ, started, outcome, self._error(
                    environ, _start_response, 400,
                    errors.MICROVERSION_INVALID, str(e)))
            except microversion.UnsupportedVersion as e:
                return self._log(environ, started, outcome, self._error(
                    environ, _start_response, 406,
                    errors.MICROVERSION_UNSUPPORTED, str(e)))
            environ[microversion.ENVIRON_KEY] = version
            extra = _version_headers(version)

        # HEAD is GET without the body (RFC 9110), on every resource.
        head = environ['REQUEST_METHOD'] == 'HEAD'
        if head:
            environ['REQUEST_METHOD'] = 'GET'
        try:
            app_iter = self.application(environ, self._reformat(
                environ, _start_response, outcome))
        except Exception:
            LOG.exception('Unexpected error')
            return self._log(environ, started, outcome, self._error(
                environ, _start_response, 500, errors.INTERNAL_ERROR,
                'An unexpected error happened; it is logged with the '
                'request id.'))
        if outcome.get('replace'):
            if hasattr(app_iter, 'close'):
                app_iter.close()
            app_iter = [outcome['replace']]
        if head:
            environ['REQUEST_METHOD'] = 'HEAD'
            if hasattr(app_iter, 'close'):
                app_iter.close()
            app_iter = []
        return self._log(environ, started, outcome, app_iter)

    def _reformat(self, environ, start_response, outcome):
        """Give any error not already API-WG (pecan's routing errors,
        sizelimit's 413, auth_token's 401) an API-WG body.
        """
        def _start_response(status, headers, exc_info=None):
            code = int(status.split(' ', 1)[0])
            if code < 400 or environ.get(errors.FORMATTED):
                return start_response(status, headers, exc_info)
            kept = [(k, v) for k, v in headers
                    if k.lower() not in ('content-type', 'content-length')]
            body = errors.body(code, errors.BY_STATUS.get(code,
                                                          errors.GENERIC),
                               _detail(code), _request_id(environ))
            data = body.encode()
            outcome['replace'] = data
            return start_response(status, kept + [
                ('Content-Type', 'application/json'),
                ('Content-Length', str(len(data)))], exc_info)
        return _start_response

    @staticmethod
    def _error(environ, start_response, status, code, detail):
        data = errors.body(status, code, detail,
                           _request_id(environ)).encode()
        start_response('%d %s' % (status, _title(status)), [
            ('Content-Type', 'application/json'),
            ('Content-Length', str(len(data)))])
        return [data]

    @staticmethod
    def _log(environ, started, outcome, app_iter):
        LOG.info('%(addr)s "%(method)s %(path)s" status: %(status)s '
                 'microversion: %(version)s time: %(time).4f',
                 {'addr': environ.get('REMOTE_ADDR'),
                  'method': environ.get('REQUEST_METHOD'),
                  'path': _path(environ), 'status': outcome['status'],
                  'version': _version_text(environ),
                  'time': time.monotonic() - started})
        return app_iter


def _version_headers(version):
    return [(microversion.HEADER,
             f'{microversion.SERVICE_TYPE} {microversion.text(version)}'),
            ('Vary', microversion.HEADER)]


def _version_text(environ):
    version = environ.get(microversion.ENVIRON_KEY)
    return microversion.text(version) if version else '-'


def _request_id(environ):
    return environ.get('openstack.request_id')


def _path(environ):
    query = environ.get('QUERY_STRING')
    path = environ.get('SCRIPT_NAME', '') + environ.get('PATH_INFO', '')
    return path + ('?' + query if query else '')


def _title(status):
    return http.client.responses.get(status, 'Error')


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


def _detail(status):
    return _DETAILS.get(status, 'The request failed.')

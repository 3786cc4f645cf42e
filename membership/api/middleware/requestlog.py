"""One log line per request, with its request id.

Outermost of the API's filters (just inside oslo.middleware's
request_id), so the line carries the final status of whatever the inner
filters, the auth filter or the app answered, and the microversion the
microversion filter negotiated.
"""
import logging
import time

from oslo_context import context

from membership.api import microversion
from membership import logcontext
from membership import logsafe

LOG = logging.getLogger('membership.api.requests')


class RequestLog:

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        started = time.monotonic()
        # Tag this greenlet's (or thread's) log lines with this request
        # until it is answered (not through oslo.context's own store: one
        # thread-local shared by every greenlet of a worker).
        token = logcontext.set_current(context.RequestContext(
            request_id=environ.get('openstack.request_id'),
            overwrite=False))
        status = ['-']

        def _start_response(code, headers, exc_info=None):
            status[0] = code.split(' ', 1)[0]
            return start_response(code, headers, exc_info)

        try:
            return self.application(environ, _start_response)
        finally:
            self._log(environ, status[0], time.monotonic() - started)
            logcontext.reset(token)

    @staticmethod
    def _log(environ, status, elapsed):
        version = environ.get(microversion.ENVIRON_KEY)
        LOG.info('%(addr)s "%(method)s %(path)s" status: %(status)s '
                 'microversion: %(version)s time: %(time).4f',
                 {'addr': logsafe.text(environ.get('REMOTE_ADDR')),
                  'method': logsafe.text(environ.get('REQUEST_METHOD')),
                  'path': logsafe.text(_path(environ)), 'status': status,
                  'version': microversion.text(version) if version else '-',
                  'time': elapsed})


def _path(environ):
    query = environ.get('QUERY_STRING')
    path = environ.get('SCRIPT_NAME', '') + environ.get('PATH_INFO', '')
    return path + ('?' + query if query else '')


def filter_factory(global_conf, **local_conf):
    return RequestLog

"""oslo.middleware's request id, proxy and size filters, as plain WSGI.

Each of oslo's filters is a ``webob.dec.wsgify`` callable: per request it
builds a webob Request, lets the rest of the pipeline answer into a webob
Response and copies that back out, and ``ConfigurableMiddleware``
inspects ``process_response``'s signature (``inspect.getfullargspec``)
every time. Three such filters cost a heartbeat more than its SQL. These
subclasses keep oslo's behaviour and options (the same request id
generation, the same proxy headers, the same size limit and 413) and
only call the next application directly. The upstream fix would be the
same: resolve the signature once, in ``__init__``.
"""
import webob
import webob.exc

from oslo_context import context
from oslo_middleware import http_proxy_to_wsgi
from oslo_middleware import request_id
from oslo_middleware import sizelimit


class RequestId(request_id.RequestId):

    def __call__(self, environ, start_response):
        self.set_global_req_id(webob.Request(environ))
        req_id = context.generate_request_id()
        environ[request_id.ENV_REQUEST_ID] = req_id
        names = [request_id.HTTP_RESP_HEADER_REQUEST_ID] + list(
            self.compat_headers)

        def with_request_id(status, headers, exc_info=None):
            present = {name.lower() for name, _ in headers}
            headers.extend((name, req_id) for name in names
                           if name.lower() not in present)
            return start_response(status, headers, exc_info)

        return self.application(environ, with_request_id)


class HTTPProxyToWSGI(http_proxy_to_wsgi.HTTPProxyToWSGI):

    def __call__(self, environ, start_response):
        # process_request only rewrites the environ; it answers nothing.
        self.process_request(webob.Request(environ))
        return self.application(environ, start_response)


class RequestBodySizeLimiter(sizelimit.RequestBodySizeLimiter):

    def __call__(self, environ, start_response):
        max_size = self._conf_get('max_request_body_size')
        request = webob.Request(environ)
        length = request.content_length
        if length is not None and length > max_size:
            sizelimit.LOG.info('Request is too large. Larger than '
                               'max_request_body_size (%s).', max_size)
            return webob.exc.HTTPRequestEntityTooLarge(
                explanation='Request is too large. Larger than '
                'max_request_body_size (%s).' % max_size)(
                    environ, start_response)
        if length is None:
            request.body_file = sizelimit.LimitingReader(request.body_file,
                                                         max_size)
        return self.application(environ, start_response)

"""membership.api.middleware.oslo: oslo's filters, as plain WSGI, with
oslo's behaviour and options.
"""
import io

from oslo_config import cfg
import webob

from membership.api.middleware import oslo
from tests.unit.middleware import base


class OsloFiltersTest(base.FilterTest):

    def build(self, cls, application, **values):
        conf = cfg.ConfigOpts()
        conf([], default_config_files=[])
        # Each filter registers its options on construction.
        middleware = cls(application, conf)
        for name, value in values.items():
            conf.set_override(name, value, group='oslo_middleware')
        return middleware

    def test_request_id_is_generated_set_and_answered(self):
        seen = []
        filtered = self.build(oslo.RequestId, base.app(record=seen))
        response = webob.Request.blank('/v1').get_response(filtered)
        request_id = seen[0]['openstack.request_id']
        self.assertRegex(request_id, '^req-[0-9a-f-]{36}$')
        self.assertEqual(request_id,
                         response.headers['x-openstack-request-id'])
        second = webob.Request.blank('/v1').get_response(filtered)
        self.assertNotEqual(request_id,
                            second.headers['x-openstack-request-id'])

    def test_request_id_answered_by_the_app_is_not_doubled(self):
        filtered = self.build(oslo.RequestId, base.app(
            headers=[('X-OpenStack-Request-Id', 'req-mine')]))
        response = webob.Request.blank('/v1').get_response(filtered)
        self.assertEqual(['req-mine'], response.headers.getall(
            'x-openstack-request-id'))

    def test_a_valid_global_request_id_is_kept(self):
        seen = []
        filtered = self.build(oslo.RequestId, base.app(record=seen))
        inbound = 'req-12345678-1234-1234-1234-123456789abc'
        webob.Request.blank('/v1', headers={
            'X-OpenStack-Request-Id': inbound}).get_response(filtered)
        self.assertEqual(inbound, seen[0]['openstack.global_request_id'])

    def test_proxy_headers_ignored_unless_parsing_is_enabled(self):
        headers = {'X-Forwarded-Proto': 'https',
                   'X-Forwarded-Host': 'api.example.com'}
        for enabled, scheme, host in ((False, 'http', 'localhost:80'),
                                      (True, 'https', 'api.example.com')):
            seen = []
            filtered = self.build(oslo.HTTPProxyToWSGI,
                                  base.app(record=seen),
                                  enable_proxy_headers_parsing=enabled)
            webob.Request.blank('/v1', headers=headers).get_response(
                filtered)
            self.assertEqual((scheme, host), (seen[0]['wsgi.url_scheme'],
                                              seen[0]['HTTP_HOST']))

    def test_a_body_over_the_limit_is_413_and_never_reaches_the_app(self):
        seen = []
        filtered = self.build(oslo.RequestBodySizeLimiter,
                              base.app(record=seen),
                              max_request_body_size=10)
        response = webob.Request.blank('/v1', method='PUT',
                                       body=b'x' * 11).get_response(filtered)
        self.assertEqual(413, response.status_int)
        self.assertEqual([], seen)
        response = webob.Request.blank('/v1', method='PUT',
                                       body=b'x' * 10).get_response(filtered)
        self.assertEqual(200, response.status_int)

    def test_a_chunked_body_is_read_through_the_limit(self):
        bodies = []

        def application(environ, start_response):
            try:
                bodies.append(environ['wsgi.input'].read())
            except webob.exc.HTTPRequestEntityTooLarge:
                bodies.append('too large')
            start_response('204 No Content', [])
            return []

        filtered = self.build(oslo.RequestBodySizeLimiter, application,
                              max_request_body_size=10)
        request = webob.Request.blank('/v1', method='PUT')
        request.environ['wsgi.input'] = io.BytesIO(b'x' * 20)
        request.environ.pop('CONTENT_LENGTH', None)
        request.environ['HTTP_TRANSFER_ENCODING'] = 'chunked'
        request.environ['wsgi.input_terminated'] = True
        request.get_response(filtered)
        self.assertEqual(['too large'], bodies)

"""membership.api.middleware.fault: API-WG bodies for every error."""
import logging

import fixtures

from membership.api import errors
from membership.api.middleware import fault
from tests.unit.middleware import base


class FaultWrapTest(base.FilterTest):

    def test_foreign_errors_get_an_api_wg_body(self):
        response = self.call(fault.FaultWrap(base.app(
            '413 Request Entity Too Large', b'<html>too big</html>',
            headers=[('X-Kept', 'yes')])))
        self.assertEqual(413, response.status_int)
        self.assertEqual('application/json', response.content_type)
        error = response.json['errors'][0]
        self.assertEqual('membership.request_too_large', error['code'])
        self.assertEqual('req-test', error['request_id'])
        self.assertEqual('yes', response.headers['X-Kept'])
        self.assertEqual(str(len(response.body)),
                         response.headers['Content-Length'])

    def test_an_unknown_status_gets_the_generic_code(self):
        response = self.call(fault.FaultWrap(base.app('418 Teapot')))
        self.assertEqual('membership.error',
                         response.json['errors'][0]['code'])

    def test_the_apps_own_errors_pass_untouched(self):
        def formatted(environ, start_response):
            environ[errors.FORMATTED] = True
            return base.app('409 Conflict', b'{"errors": ["mine"]}')(
                environ, start_response)
        response = self.call(fault.FaultWrap(formatted))
        self.assertEqual({'errors': ['mine']}, response.json)

    def test_success_passes_untouched(self):
        response = self.call(fault.FaultWrap(base.app(body=b'{"a": 1}')))
        self.assertEqual({'a': 1}, response.json)

    def test_a_crash_is_a_logged_500_without_traceback_in_the_body(self):
        log = self.useFixture(fixtures.FakeLogger(level=logging.ERROR))

        def broken(environ, start_response):
            raise RuntimeError('secret detail')
        response = self.call(fault.FaultWrap(broken))
        self.assertEqual(500, response.status_int)
        self.assertEqual('membership.internal_error',
                         response.json['errors'][0]['code'])
        self.assertNotIn(b'secret detail', response.body)
        self.assertIn('secret detail', log.output)

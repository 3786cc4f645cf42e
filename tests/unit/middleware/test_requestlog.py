"""membership.api.middleware.requestlog: one line per request."""
import logging

import fixtures

from membership.api import microversion
from membership.api.middleware import requestlog
from tests.unit.middleware import base


class RequestLogTest(base.FilterTest):

    def setUp(self):
        super().setUp()
        self.log = self.useFixture(fixtures.FakeLogger(
            name='membership.api.requests', level=logging.INFO))

    def test_one_line_with_status_and_version(self):
        def versioned(environ, start_response):
            environ[microversion.ENVIRON_KEY] = (1, 2)
            return base.app('204 No Content', b'')(environ, start_response)
        self.call(requestlog.RequestLog(versioned), '/v1/x?limit=2')
        lines = self.log.output.splitlines()
        self.assertEqual(1, len(lines))
        self.assertIn('"GET /v1/x?limit=2" status: 204 microversion: 1.2',
                      lines[0])

    def test_without_a_version_logs_a_dash(self):
        self.call(requestlog.RequestLog(base.app()), '/')
        self.assertIn('status: 200 microversion: -', self.log.output)

    def test_control_characters_cannot_forge_a_line(self):
        self.call(requestlog.RequestLog(base.app('404 Not Found')),
                  '/v1/a%0aFORGED%20line%1b')
        lines = self.log.output.splitlines()
        self.assertEqual(1, len(lines))
        self.assertIn('/v1/a\\nFORGED line\\x1b', lines[0])

    def test_a_crash_is_logged_then_raised(self):
        def broken(environ, start_response):
            raise RuntimeError('boom')
        self.assertRaises(RuntimeError, self.call,
                          requestlog.RequestLog(broken))
        self.assertIn('status: -', self.log.output)

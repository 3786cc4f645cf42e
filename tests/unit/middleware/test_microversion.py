"""membership.api.middleware.microversion: negotiation and headers."""
import json

from membership.api import microversion
from membership.api.middleware import microversion as middleware
from tests.unit.middleware import base

HEADER = 'OpenStack-API-Version'


class MicroversionTest(base.FilterTest):

    def setUp(self):
        super().setUp()
        self.seen = []
        self.app = middleware.Microversion(base.app(record=self.seen))

    def test_negotiated_version_reaches_the_app_and_the_response(self):
        response = self.call(self.app, headers={HEADER: 'membership 1.1'})
        self.assertEqual((1, 1), self.seen[0][microversion.ENVIRON_KEY])
        self.assertEqual('membership 1.1', response.headers[HEADER])
        self.assertEqual(HEADER, response.headers['Vary'])

    def test_no_header_is_the_minimum(self):
        response = self.call(self.app)
        self.assertEqual(microversion.MIN_VERSION,
                         self.seen[0][microversion.ENVIRON_KEY])
        self.assertEqual('membership 1.0', response.headers[HEADER])

    def test_malformed_is_400_api_wg_without_calling_the_app(self):
        response = self.call(self.app, headers={HEADER: 'membership one'})
        self.assertEqual(400, response.status_int)
        error = json.loads(response.body)['errors'][0]
        self.assertEqual('membership.microversion_invalid', error['code'])
        self.assertEqual('req-test', error['request_id'])
        self.assertEqual('membership 1.0', response.headers[HEADER])
        self.assertEqual([], self.seen)

    def test_unsupported_is_406(self):
        response = self.call(self.app, headers={HEADER: 'membership 9.0'})
        self.assertEqual(406, response.status_int)
        self.assertEqual('membership.microversion_unsupported',
                         response.json['errors'][0]['code'])

    def test_outside_v1_nothing_is_negotiated(self):
        response = self.call(self.app, '/', headers={HEADER: 'garbage'})
        self.assertEqual(200, response.status_int)
        self.assertNotIn(HEADER, response.headers)
        self.assertNotIn(microversion.ENVIRON_KEY, self.seen[0])

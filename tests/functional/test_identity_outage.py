"""auth_token with no Keystone listening: a token gets 503, not 401.

The identity endpoint is a loopback port nothing listens on, so every
validation fails to connect, as in an outage (tests/integration/
test_keystone.py stops and restarts a real Keystone mid-run).
"""
import json
import logging
import os

import fixtures
from oslo_config import cfg
import testtools
import webob

from membership.api import app
from membership import conf as membership_conf
from membership.storage.sqlalchemy import migration
from tests import apiservers

LATEST = {'OpenStack-API-Version': 'membership latest'}


class IdentityOutageTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        tmp = self.useFixture(fixtures.TempDir()).path
        self.keystone = f'http://127.0.0.1:{apiservers.free_port()}/v3'
        path = os.path.join(tmp, 'membership.conf')
        with open(path, 'w') as f:
            f.write(f'[DEFAULT]\nstate_path = {tmp}\n'
                    f'[keystone_authtoken]\n'
                    f'www_authenticate_uri = {self.keystone}\n'
                    f'auth_url = {self.keystone}\nauth_type = password\n'
                    'username = membership\npassword = svcpass\n'
                    'user_domain_id = default\nproject_name = service\n'
                    'project_domain_id = default\n')
        conf = cfg.ConfigOpts()
        membership_conf.register_opts(conf)
        conf([], project='membership', default_config_files=[path])
        migration.upgrade(conf)
        services = app.Services(conf)
        self.addCleanup(services.storage.dispose)
        self.log = self.useFixture(fixtures.FakeLogger(level=logging.INFO))
        self.app = app.load_app(conf, services)

    def call(self, method, path, **headers):
        request = webob.Request.blank(path, method=method,
                                      headers=dict(LATEST, **headers))
        return request.get_response(self.app)

    def test_a_token_gets_503_identity_unavailable_with_retry_after(self):
        for method, path in (('GET', '/v1/groups'), ('PUT', '/v1/groups/g'),
                             ('POST', '/v1/sessions')):
            response = self.call(method, path, **{'X-Auth-Token': 'gAAAAt'})
            self.assertEqual(503, response.status_int, response.body)
            error = json.loads(response.body)['errors'][0]
            self.assertEqual('membership.identity_unavailable',
                             error['code'])
            self.assertTrue(error['request_id'].startswith('req-'))
            self.assertEqual('1', response.headers['Retry-After'])
            self.assertNotIn('WWW-Authenticate', response.headers)

    def test_a_service_token_it_cannot_check_is_503_too(self):
        response = self.call('GET', '/v1/groups', **{
            'X-Auth-Token': 'gAAAAuser', 'X-Service-Token': 'gAAAAsvc'})
        self.assertEqual(503, response.status_int, response.body)

    def test_no_token_is_still_401_and_discovery_still_answers(self):
        response = self.call('GET', '/v1/groups')
        self.assertEqual(401, response.status_int)
        self.assertEqual(f'Keystone uri="{self.keystone}"',
                         response.headers['WWW-Authenticate'])
        for path in ('/', '/v1/'):
            self.assertEqual(200, self.call('GET', path, **{
                'X-Auth-Token': 'gAAAAt'}).status_int, path)

    def test_a_forged_identity_header_does_not_pass_the_outage(self):
        response = self.call('GET', '/v1/groups', **{
            'X-Auth-Token': 'gAAAAt', 'X-Identity-Status': 'Confirmed',
            'X-Project-Id': 'p', 'X-Roles': 'admin'})
        self.assertEqual(503, response.status_int, response.body)

    def test_the_token_is_not_logged(self):
        self.call('GET', '/v1/groups', **{'X-Auth-Token': 'gAAAAsecret'})
        self.assertIn('Unable to validate token', self.log.output)
        self.assertNotIn('gAAAAsecret', self.log.output)

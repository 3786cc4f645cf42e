"""Keystone stopped mid-run, and what the logs never hold (see
tests/integration/keystone.py).

Stops and restarts the Keystone of tools/with-keystone.sh; the other
tests of the run find it as it was.
"""
import time
import unittest
import uuid

import requests

from tests.integration import keystone


class KeystoneOutageTest(keystone.KeystoneTestCase):

    def test_keystone_stopped_mid_run_is_503_then_tokens_work_again(self):
        seen = self.tokens['project-a-member']
        self.assertEqual(200, self.call('project-a-member', 'GET',
                                        '/v1/groups').status_code)
        unseen = self.new_token('project-a-member', 'project-a')
        self.keystone_server('stop')
        try:
            for method, path in (('GET', '/v1/groups'),
                                 ('PUT', '/v1/groups/outage')):
                response = requests.request(
                    method, self.url + path, timeout=30,
                    headers=dict(keystone.LATEST, **{'X-Auth-Token': unseen}))
                self.assertError(response, 503,
                                 'membership.identity_unavailable')
                self.assertEqual('1', response.headers['Retry-After'])
                self.assertNotIn('WWW-Authenticate', response.headers)
            # A token validated before the outage, from auth_token's cache.
            self.assertEqual(200, requests.get(
                self.url + '/v1/groups', timeout=30,
                headers={'X-Auth-Token': seen}).status_code)
            self.assertEqual(200, requests.get(
                self.url + '/v1/', timeout=30,
                headers={'X-Auth-Token': unseen}).status_code)
            self.assertUnauthorized(self.call(None, 'GET', '/v1/groups'))
        finally:
            self.keystone_server('start')
        # The same token, now that keystone answers again.
        response = requests.get(self.url + '/v1/groups', timeout=30,
                                headers={'X-Auth-Token': unseen})
        self.assertEqual(200, response.status_code, response.text)

    def test_no_token_password_or_body_in_any_log(self):
        """Secrets sent every way the API can see them (a service token,
        a garbage and a revoked token, a body) appear in no log line;
        tearDownClass checks again for all the tokens of the run.
        """
        token = self.new_token('project-b-admin', 'project-b')
        service = self.new_token('project-a-admin', 'project-a')
        marker = 'body-' + uuid.uuid4().hex
        g = '/v1/groups/logs-' + uuid.uuid4().hex[:6]
        headers = {'X-Auth-Token': token, 'X-Service-Token': service}
        for method, path, body in (
                ('PUT', g, {'description': marker}),
                ('PUT', g + '/members/m', {'capabilities': {
                    'password': marker}}),
                ('PATCH', g, {'metadata': {'secret': marker}}),
                ('PUT', g, {'description': marker, 'unknown': marker}),
                ('PUT', g, '{"description": "' + marker)):
            kwargs = ({'data': body, 'headers': {
                'Content-Type': 'application/json'}}
                if isinstance(body, str) else {'json': body})
            kwargs['headers'] = dict(keystone.LATEST, **headers,
                                     **kwargs.get('headers', {}))
            requests.request(method, self.url + path, timeout=30, **kwargs)
        garbage = 'gAAAAA' + uuid.uuid4().hex
        self.assertUnauthorized(requests.get(
            self.url + '/v1/groups', headers={'X-Auth-Token': garbage}))
        revoked = self.new_token('project-b-reader', 'project-b')
        requests.delete(self.keystone + '/auth/tokens', headers={
            'X-Auth-Token': revoked, 'X-Subject-Token': revoked})
        self.assertUnauthorized(requests.get(
            self.url + '/v1/groups', headers={'X-Auth-Token': revoked}))
        time.sleep(0.5)  # let the servers flush their logs
        logged = ''.join(open(path, errors='replace').read()
                         for path in self.logs())
        self.assertIn('status: 400', logged)  # the logs are the right ones
        self.assertEqual([], self.secrets_in_logs([marker, garbage]))


if __name__ == '__main__':
    unittest.main()

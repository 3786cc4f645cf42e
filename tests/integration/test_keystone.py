"""The API behind keystonemiddleware with a real Keystone.

Run by ``tox -e integration-keystone``: tools/with-keystone.sh installs
and starts Keystone once (projects project-a and project-b, each with
users <p>-admin, <p>-member and <p>-reader) and registers the membership
endpoint in its catalog; this module serves the API there with
``auth_strategy = keystone`` and calls it with real tokens.
"""
import os
import re
import tempfile
import time
import unittest
import uuid

from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
import requests

from tests import apiservers

KEYSTONE_DIR = os.environ.get('MEMBERSHIP_TEST_KEYSTONE_DIR')
API_PORT = os.environ.get('MEMBERSHIP_TEST_API_PORT')
# Set by tools/with-apache.sh: the API in keystone mode under mod_wsgi.
APACHE_API_URL = os.environ.get('MEMBERSHIP_TEST_KEYSTONE_API_URL')
LATEST = {'OpenStack-API-Version': 'membership latest'}


def keystone_env():
    values = {}
    with open(os.path.join(KEYSTONE_DIR, 'keystone.env')) as f:
        for line in f:
            key, _, value = line.strip().partition('=')
            values[key] = value.strip('\'"')
    return values


def auth(url, user, project):
    return v3.Password(auth_url=url, username=user, password=user + '-pass',
                       user_domain_id='default', project_name=project,
                       project_domain_id='default')


def oslo_limit_section(keystone):
    """How oslo.limit reads the unified limits: as the service user."""
    return f"""
[oslo_limit]
auth_url = {keystone}
auth_type = password
username = membership
password = svcpass
user_domain_id = default
system_scope = all
endpoint_region_name = RegionOne
"""


@unittest.skipUnless(KEYSTONE_DIR, 'needs a real Keystone: run by '
                     'tox -e integration-keystone (tools/with-keystone.sh)')
class KeystoneTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        env = keystone_env()
        cls.keystone = env['KEYSTONE_URL']
        cls.policy_dir = tempfile.TemporaryDirectory()
        cls.policy_file = os.path.join(cls.policy_dir.name, 'policy.yaml')
        cls.servers = None
        if APACHE_API_URL:
            cls.url = APACHE_API_URL
            cls.policy_file = os.environ['MEMBERSHIP_TEST_POLICY_FILE']
        else:
            cls.url = cls.start_api()
        cls.sessions = {}
        for project in ('project-a', 'project-b'):
            for role in ('admin', 'member', 'reader'):
                user = f'{project}-{role}'
                cls.sessions[user] = ks_session.Session(
                    auth=auth(cls.keystone, user, project))
        cls.tokens = {user: session.get_token()
                      for user, session in cls.sessions.items()}

    @classmethod
    def start_api(cls):
        """membership-api (uWSGI, one process) on the catalog's port."""
        sections = f"""
[oslo_policy]
policy_file = {cls.policy_file}

[keystone_authtoken]
www_authenticate_uri = {cls.keystone}
auth_url = {cls.keystone}
auth_type = password
username = membership
password = svcpass
user_domain_id = default
project_name = service
project_domain_id = default
service_token_roles_required = true
token_cache_time = 300
{oslo_limit_section(cls.keystone)}"""
        cls.servers = apiservers.ApiServers(
            1, port=int(API_PORT), auth_strategy='keystone', workers=1,
            sections=sections).start()
        return cls.servers.urls[0]

    @classmethod
    def tearDownClass(cls):
        if cls.servers:
            cls.servers.stop()
        cls.policy_dir.cleanup()

    def call(self, user, method, path, **kwargs):
        headers = dict(LATEST, **kwargs.pop('headers', {}))
        if user:
            headers['X-Auth-Token'] = self.tokens[user]
        return requests.request(method, self.url + path, headers=headers,
                                timeout=30, **kwargs)

    def assertError(self, response, status, code):
        self.assertEqual(status, response.status_code, response.text)
        error = response.json()['errors'][0]
        self.assertEqual(code, error['code'])
        self.assertEqual(status, error['status'])
        self.assertTrue(error['request_id'].startswith('req-'))

    def assertUnauthorized(self, response):
        self.assertError(response, 401, 'membership.unauthorized')
        self.assertEqual(f'Keystone uri="{self.keystone}"',
                         response.headers['WWW-Authenticate'])

    def test_no_token_is_401_naming_keystone(self):
        self.assertUnauthorized(self.call(None, 'GET', '/v1/groups'))
        self.assertUnauthorized(self.call(None, 'PUT', '/v1/groups/g'))

    def test_a_garbage_token_is_401(self):
        self.assertUnauthorized(requests.get(
            self.url + '/v1/groups', headers={'X-Auth-Token': 'garbage'}))

    def test_a_revoked_token_is_401(self):
        user = auth(self.keystone, 'project-a-member', 'project-a')
        token = ks_session.Session(auth=user).get_token()
        # The token is never shown to the API before its revocation, so
        # no cache holds it.
        revoked = requests.delete(
            self.keystone + '/auth/tokens',
            headers={'X-Auth-Token': token, 'X-Subject-Token': token})
        self.assertEqual(204, revoked.status_code)
        self.assertUnauthorized(requests.get(
            self.url + '/v1/groups', headers={'X-Auth-Token': token}))

    def test_discovery_and_healthcheck_need_no_token(self):
        for path in ('/', '/v1/', '/healthcheck'):
            self.assertEqual(200, requests.get(self.url + path).status_code,
                             path)
        self.assertEqual('1.2', requests.get(self.url + '/').json()[
            'versions'][0]['max_version'])

    def test_projects_are_isolated_even_with_the_same_names(self):
        name = 'workers-' + uuid.uuid4().hex[:6]
        g = f'/v1/groups/{name}'
        self.assertEqual(201, self.call('project-a-member', 'PUT', g,
                                        json={'description': 'A'}
                                        ).status_code)
        self.assertEqual(201, self.call('project-a-member', 'PUT',
                                        g + '/members/w1').status_code)
        b = 'project-b-admin'
        self.assertError(self.call(b, 'GET', g), 404,
                         'membership.group_not_found')
        self.assertNotIn(name, [x['name'] for x in self.call(
            b, 'GET', '/v1/groups').json()['groups']])
        for method, path in (('PUT', g + '/members/w2'),
                             ('POST', g + '/members/w1/heartbeat'),
                             ('GET', g + '/members'),
                             ('PATCH', g), ('DELETE', g),
                             ('DELETE', g + '/members/w1')):
            kwargs = {'json': {}} if method == 'PATCH' else {}
            self.assertError(self.call(b, method, path, **kwargs), 404,
                             'membership.group_not_found')
        created = self.call(b, 'PUT', g, json={'description': 'B'})
        self.assertEqual(201, created.status_code)
        self.assertEqual('B', created.json()['description'])
        a_group = self.call('project-a-reader', 'GET', g).json()
        self.assertEqual(('A', 1), (a_group['description'],
                                    a_group['member_count']))
        self.assertEqual(keystone_env()['PROJECT_A_ID'],
                         a_group['project_id'])

    def test_reader_reads_and_is_refused_every_write(self):
        g = '/v1/groups/readers-' + uuid.uuid4().hex[:6]
        self.assertEqual(201, self.call('project-a-member', 'PUT', g
                                        ).status_code)
        self.assertEqual(201, self.call('project-a-member', 'PUT',
                                        g + '/members/m').status_code)
        r = 'project-a-reader'
        for path in (g, g + '/members', g + '/members/m', g + '/events'):
            self.assertEqual(200, self.call(r, 'GET', path).status_code,
                             path)
        writes = (('PUT', g), ('PATCH', g), ('DELETE', g),
                  ('PUT', g + '/members/x'), ('PATCH', g + '/members/m'),
                  ('DELETE', g + '/members/m'),
                  ('POST', g + '/members/m/heartbeat'),
                  ('PUT', g + '/candidates/c'), ('POST', '/v1/sessions'))
        for method, path in writes:
            kwargs = {'json': {}} if method == 'PATCH' else {}
            self.assertError(self.call(r, method, path, **kwargs), 403,
                             'membership.forbidden')

    def test_member_and_admin_write(self):
        for user in ('project-a-member', 'project-a-admin'):
            g = f'/v1/groups/{user}-' + uuid.uuid4().hex[:6]
            self.assertEqual(201, self.call(user, 'PUT', g).status_code)
            self.assertEqual(201, self.call(user, 'PUT',
                                            g + '/members/m').status_code)
            self.assertEqual(204, self.call(
                user, 'POST', g + '/members/m/heartbeat').status_code)
            self.assertEqual(204, self.call(
                user, 'DELETE', g + '/members/m').status_code)
            self.assertEqual(204, self.call(user, 'DELETE', g).status_code)

    def test_an_admin_is_confined_to_its_project(self):
        g = '/v1/groups/private-' + uuid.uuid4().hex[:6]
        self.assertEqual(201, self.call('project-b-member', 'PUT', g
                                        ).status_code)
        self.assertError(self.call('project-a-admin', 'GET', g), 404,
                         'membership.group_not_found')
        self.assertError(self.call('project-a-admin', 'DELETE', g), 404,
                         'membership.group_not_found')

    def test_a_policy_file_override_applies_without_a_restart(self):
        g = '/v1/groups/policy-' + uuid.uuid4().hex[:6]
        self.assertEqual(201, self.call('project-a-member', 'PUT', g
                                        ).status_code)
        try:
            with open(self.policy_file, 'w') as f:
                f.write('"membership:groups:update": "role:admin"\n')
            deadline = time.monotonic() + 10
            while self.call('project-a-member', 'PATCH', g,
                            json={'description': 'x'}).status_code != 403:
                self.assertLess(time.monotonic(), deadline,
                                'the override never applied')
                time.sleep(0.2)
            self.assertEqual(200, self.call('project-a-admin', 'PATCH', g,
                                            json={'description': 'y'}
                                            ).status_code)
            self.assertEqual(200, self.call('project-a-member', 'GET', g
                                            ).status_code)
        finally:
            os.unlink(self.policy_file)
        deadline = time.monotonic() + 10
        while True:
            response = self.call('project-a-member', 'PATCH', g,
                                 json={'description': 'z'})
            if response.status_code == 200:
                break
            self.assertLess(time.monotonic(), deadline,
                            f'the default never came back: {response.text}')
            time.sleep(0.2)

    def validations(self):
        with open(os.path.join(KEYSTONE_DIR, 'access.log')) as f:
            return len(re.findall(r'"GET /v3/auth/tokens ', f.read()))

    def test_one_token_is_validated_once_for_a_hundred_calls(self):
        session = ks_session.Session(
            auth=auth(self.keystone, 'project-b-member', 'project-b'))
        token = session.get_token()
        before = self.validations()
        for n in range(100):
            response = requests.get(self.url + '/v1/groups',
                                    headers={'X-Auth-Token': token})
            self.assertEqual(200, response.status_code)
        time.sleep(0.5)  # gunicorn flushes its access log
        # One API process: one validation, then the token cache answers.
        self.assertEqual(1, self.validations() - before)

    def test_a_keystoneauth_session_finds_the_api_in_the_catalog(self):
        session = self.sessions['project-a-member']
        where = {'service_type': 'membership', 'interface': 'public'}
        self.assertEqual(self.url, session.get_endpoint(**where).rstrip('/'))
        name = 'catalog-' + uuid.uuid4().hex[:6]
        created = session.put(f'/v1/groups/{name}', endpoint_filter=where,
                              headers=LATEST, json={'description': 'ks'})
        self.assertEqual(201, created.status_code)
        joined = session.put(f'/v1/groups/{name}/members/w',
                             endpoint_filter=where,
                             json={'capabilities': {'cpus': 4}, 'ttl': 60})
        self.assertEqual(201, joined.status_code)
        with self.assertRaises(ks_exceptions.NotFound):
            session.get(f'/v1/groups/{name}-missing', endpoint_filter=where)


if __name__ == '__main__':
    unittest.main()

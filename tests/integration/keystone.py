"""The API behind keystonemiddleware with a real Keystone: the base of
the test_keystone* modules.

Run by ``tox -e integration-keystone``: tools/with-keystone.sh installs
and starts Keystone once (projects project-a and project-b, each with
users <p>-admin, <p>-member and <p>-reader) and registers the membership
endpoint in its catalog; each test class serves the API there with
``auth_strategy = keystone`` (or uses the mod_wsgi site of
tools/with-apache.sh) and calls it with real tokens. After each class,
no token it used and no password may appear in the service's logs.
"""
import glob
import os
import subprocess
import tempfile
import unittest

from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
import requests

from tests import apiservers

KEYSTONE_DIR = os.environ.get('MEMBERSHIP_TEST_KEYSTONE_DIR')
API_PORT = os.environ.get('MEMBERSHIP_TEST_API_PORT')
# Set by tools/with-apache.sh: the API in keystone mode under mod_wsgi.
APACHE_API_URL = os.environ.get('MEMBERSHIP_TEST_KEYSTONE_API_URL')
LATEST = {'OpenStack-API-Version': 'membership latest'}
TOOLS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), 'tools')
# Every password of tools/keystone.sh's identities.
PASSWORDS = ['svcpass', 'adminpass'] + [
    f'{project}-{role}-pass' for project in ('project-a', 'project-b')
    for role in ('admin', 'member', 'reader')]


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


@unittest.skipUnless(KEYSTONE_DIR, 'needs a real Keystone: run by '
                     'tox -e integration-keystone (tools/with-keystone.sh)')
def authtoken_sections(keystone_url, policy_file):
    """The configuration of a membership-api validating tokens of the
    Keystone of tools/with-keystone.sh.
    """
    return f"""
[oslo_policy]
policy_file = {policy_file}

[keystone_authtoken]
www_authenticate_uri = {keystone_url}
auth_url = {keystone_url}
auth_type = password
username = membership
password = svcpass
user_domain_id = default
project_name = service
project_domain_id = default
service_token_roles_required = true
token_cache_time = 300
{oslo_limit_section(keystone_url)}"""


def oslo_limit_section(keystone_url):
    """How oslo.limit reads the unified limits: as the service user."""
    return f"""
[oslo_limit]
auth_url = {keystone_url}
auth_type = password
username = membership
password = svcpass
user_domain_id = default
system_scope = all
endpoint_region_name = RegionOne
"""


def serve_api(keystone_url, policy_file, **kwargs):
    """membership-api with auth_strategy = keystone on the catalog's
    port (one worker process).
    """
    return apiservers.ApiServers(
        1, port=int(API_PORT), auth_strategy='keystone', workers=1,
        sections=authtoken_sections(keystone_url, policy_file),
        **kwargs).start()


class KeystoneTestCase(unittest.TestCase):
    """The API in keystone mode, and the tokens of every test user."""

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
        cls.used_tokens = set(cls.tokens.values())

    @classmethod
    def start_api(cls):
        """membership-api (one worker process) on the catalog's port."""
        # Debug logging: the logs then hold the most they ever could.
        cls.servers = apiservers.ApiServers(
            1, port=int(API_PORT), auth_strategy='keystone', workers=1,
            sections='[DEFAULT]\ndebug = true\n' + authtoken_sections(
                cls.keystone, cls.policy_file)).start()
        return cls.servers.urls[0]

    @classmethod
    def tearDownClass(cls):
        try:
            # The whole run, every test's tokens included.
            leaks = cls.secrets_in_logs()
        finally:
            if cls.servers:
                cls.servers.stop()
            cls.policy_dir.cleanup()
        if leaks:
            raise AssertionError(f'secrets in the service logs: {leaks}')

    @classmethod
    def logs(cls):
        """Every file the service logged to in this run."""
        if cls.servers:
            return [server.log for server in cls.servers.servers]
        return glob.glob(os.path.join(
            os.environ['MEMBERSHIP_TEST_APACHE_DIR'], '*.log'))

    @classmethod
    def secrets_in_logs(cls, extra=()):
        secrets = list(cls.used_tokens) + PASSWORDS + list(extra)
        found = []
        for path in cls.logs():
            with open(path, errors='replace') as f:
                text = f.read()
            found += [(os.path.basename(path), secret[:12] + '...')
                      for secret in secrets if secret in text]
        return found

    def new_token(self, user, project):
        """A token the API has never seen (so no cache holds it)."""
        token = ks_session.Session(
            auth=auth(self.keystone, user, project)).get_token()
        self.used_tokens.add(token)
        return token

    def keystone_server(self, action):
        command = [os.path.join(TOOLS, 'keystone.sh'), action, KEYSTONE_DIR]
        env = dict(os.environ)
        if action == 'start':
            command.append(self.keystone.rsplit(':', 1)[1].split('/')[0])
            # As tools/with-keystone.sh started it.
            env.update(MEMBERSHIP_ENDPOINT=keystone_env()[
                'MEMBERSHIP_ENDPOINT'], KEYSTONE_CACHE='memory')
        subprocess.run(command, check=True, capture_output=True, env=env,
                       timeout=180)

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

"""Quotas from Keystone's unified limits, through oslo.limit.

Run by ``tox -e integration-keystone`` against the real Keystone of
tools/with-keystone.sh, which registers the membership service's
default limits (registered limits). This module lowers one registered
limit and sets one project limit (an override), as an operator would
with ``openstack registered limit set`` / ``openstack limit create``,
and checks the API enforces both; it restores them afterwards.
"""
import os
import unittest
import uuid

from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
import requests

from tests import apiservers
from tests.integration import keystone

KEYSTONE_DIR = keystone.KEYSTONE_DIR
LATEST = keystone.LATEST


@unittest.skipUnless(KEYSTONE_DIR, 'needs a real Keystone: run by '
                     'tox -e integration-keystone (tools/with-keystone.sh)')
class UnifiedLimitsTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        env = keystone.keystone_env()
        cls.keystone = env['KEYSTONE_URL']
        cls.service_id = env['MEMBERSHIP_SERVICE_ID']
        cls.project_b = env['PROJECT_B_ID']
        cls.admin = ks_session.Session(auth=v3.Password(
            auth_url=cls.keystone, username='admin', password='adminpass',
            user_domain_id='default', system_scope='all'))
        cls.cleanups = []
        # The default of every project: 2 live members per group.
        cls.set_registered('members_per_group', 2)
        # project-b's override: 3 members per group.
        cls.cleanups.append(cls.add_project_limit('members_per_group', 3))
        sections = (f'[keystone_authtoken]\n'
                    f'www_authenticate_uri = {cls.keystone}\n'
                    f'auth_url = {cls.keystone}\nauth_type = password\n'
                    f'username = membership\npassword = svcpass\n'
                    f'user_domain_id = default\nproject_name = service\n'
                    f'project_domain_id = default\n'
                    f'[quota]\ncache_time = 0\n'
                    + keystone.oslo_limit_section(cls.keystone))
        cls.servers = apiservers.ApiServers(
            1, auth_strategy='keystone', sections=sections).start()
        cls.url = cls.servers.urls[0]
        cls.tokens = {
            user: ks_session.Session(auth=keystone.auth(
                cls.keystone, user, project)).get_token()
            for user, project in (('project-a-member', 'project-a'),
                                  ('project-b-member', 'project-b'))}

    @classmethod
    def tearDownClass(cls):
        cls.servers.stop()
        for undo in reversed(cls.cleanups):
            undo()

    @classmethod
    def set_registered(cls, name, value):
        found = cls.admin.get(
            f'{cls.keystone}/registered_limits',
            params={'service_id': cls.service_id, 'resource_name': name}
        ).json()['registered_limits'][0]
        cls.admin.patch(f'{cls.keystone}/registered_limits/{found["id"]}',
                        json={'registered_limit': {'default_limit': value}})
        cls.cleanups.append(lambda: cls.admin.patch(
            f'{cls.keystone}/registered_limits/{found["id"]}',
            json={'registered_limit': {
                'default_limit': found['default_limit']}}))

    @classmethod
    def add_project_limit(cls, name, value):
        created = cls.admin.post(f'{cls.keystone}/limits', json={'limits': [{
            'service_id': cls.service_id, 'region_id': 'RegionOne',
            'project_id': cls.project_b, 'resource_name': name,
            'resource_limit': value}]}).json()['limits'][0]
        return lambda: cls.admin.delete(
            f'{cls.keystone}/limits/{created["id"]}')

    def call(self, user, method, path, **kwargs):
        headers = dict(LATEST, **{'X-Auth-Token': self.tokens[user]})
        return requests.request(method, self.url + path, headers=headers,
                                timeout=30, **kwargs)

    def assertQuotaExceeded(self, response, detail):
        self.assertEqual(403, response.status_code, response.text)
        error = response.json()['errors'][0]
        self.assertEqual('membership.quota_exceeded', error['code'])
        self.assertEqual(detail, error['detail'])

    def join_until_refused(self, user):
        group = '/v1/groups/quota-' + uuid.uuid4().hex[:8]
        self.assertEqual(201, self.call(user, 'PUT', group).status_code)
        self.addCleanup(self.call, user, 'DELETE', group)
        joined = 0
        while True:
            member = f'{group}/members/m{joined}'
            response = self.call(user, 'PUT', member)
            if response.status_code != 201:
                return joined, response
            self.addCleanup(self.call, user, 'DELETE', member)
            joined += 1
            self.assertLess(joined, 10, 'no limit was enforced')

    def assertJoinLimit(self, user, limit):
        joined, refused = self.join_until_refused(user)
        self.assertEqual(limit, joined)
        self.assertQuotaExceeded(
            refused, f'Quota exceeded for members_per_group: the limit is '
                     f'{limit}, the usage {limit}, and this request would '
                     f'add 1.')

    def test_the_registered_limit_is_every_project_default(self):
        self.assertJoinLimit('project-a-member', 2)

    def test_a_project_limit_overrides_the_registered_one(self):
        self.assertJoinLimit('project-b-member', 3)

    def test_a_project_limit_on_groups(self):
        user = 'project-b-member'
        held = len(self.call(user, 'GET', '/v1/groups').json()['groups'])
        # Room for one more group than project-b holds now.
        self.addCleanup(self.add_project_limit('groups', held + 1))
        first, second = (f'/v1/groups/{uuid.uuid4().hex[:8]}'
                         for _ in range(2))
        self.assertEqual(201, self.call(user, 'PUT', first).status_code)
        self.addCleanup(self.call, user, 'DELETE', first)
        self.assertQuotaExceeded(
            self.call(user, 'PUT', second),
            f'Quota exceeded for groups: the limit is {held + 1}, the usage '
            f'{held + 1}, and this request would add 1.')
        # Project-a has only the registered default.
        self.assertEqual(201, self.call('project-a-member', 'PUT',
                                        second).status_code)
        self.addCleanup(self.call, 'project-a-member', 'DELETE', second)

    def test_heartbeats_never_read_the_limits(self):
        user = 'project-a-member'
        group = '/v1/groups/beating-' + uuid.uuid4().hex[:8]
        member = f'{group}/members/m'
        self.assertEqual(201, self.call(user, 'PUT', group).status_code)
        self.addCleanup(self.call, user, 'DELETE', group)
        self.assertEqual(201, self.call(user, 'PUT', member).status_code)
        self.addCleanup(self.call, user, 'DELETE', member)
        access_log = os.path.join(KEYSTONE_DIR, 'access.log')
        with open(access_log) as log:
            log.seek(0, os.SEEK_END)
            for _ in range(20):
                self.assertEqual(204, self.call(
                    user, 'POST', member + '/heartbeat').status_code)
            self.assertNotIn('/v3/limits', log.read())
            # While a write reads them at once (cache_time = 0).
            self.assertEqual(200, self.call(user, 'PUT', member,
                                            json={'ttl': 60}).status_code)
            self.assertIn('/v3/limits', log.read())

"""membership.client, ``openstack membership`` and the tooz driver with
a real Keystone: endpoint from the catalog, real tokens.

Run by ``tox -e integration-keystone`` (tools/with-keystone.sh).
"""
import json
import os
import tempfile
import unittest
import uuid

from keystoneauth1 import session as ks_session
from oslo_utils import importutils
import yaml

from membership.client import Client
from membership.client import exceptions
from tests.client import test_cli
from tests.integration import keystone

coordination = importutils.try_import('tooz.coordination')
PASSWORD_AUTH = ('auth_url', 'username', 'password', 'project_name',
                 'user_domain_id', 'project_domain_id')


@unittest.skipUnless(keystone.KEYSTONE_DIR,
                     'needs a real Keystone: run by tox -e '
                     'integration-keystone (tools/with-keystone.sh)')
class KeystoneClientsTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.keystone = keystone.keystone_env()['KEYSTONE_URL']
        cls.tmp = tempfile.TemporaryDirectory()
        cls.servers = None
        if not keystone.APACHE_API_URL:
            cls.servers = keystone.serve_api(
                cls.keystone, os.path.join(cls.tmp.name, 'policy.yaml'))
        cls.clouds = os.path.join(cls.tmp.name, 'clouds.yaml')
        with open(cls.clouds, 'w') as f:
            yaml.safe_dump({'clouds': {
                user: {'auth': cls.password(user), 'region_name': 'RegionOne',
                       'interface': 'public', 'identity_api_version': 3}
                for user in ('project-a-member', 'project-a-reader',
                             'project-b-member')}}, f)

    @classmethod
    def tearDownClass(cls):
        if cls.servers:
            cls.servers.stop()
        cls.tmp.cleanup()
        super().tearDownClass()

    @classmethod
    def password(cls, user):
        project = user.rsplit('-', 1)[0]
        return dict(zip(PASSWORD_AUTH, (
            cls.keystone, user, user + '-pass', project, 'default',
            'default')))

    def client(self, user):
        session = ks_session.Session(auth=keystone.auth(
            self.keystone, user, user.rsplit('-', 1)[0]))
        return Client(session=session, interface='public',
                      region_name='RegionOne')

    def cli(self, *args, status=0, **env):
        result = test_cli.run_openstack(args, env)
        self.assertEqual(status, result.returncode, result.stderr)
        return result

    def test_python_client_finds_the_catalog_endpoint(self):
        a = self.client('project-a-member')
        self.assertEqual('1.3', a.api_version)
        name = 'ks-' + uuid.uuid4().hex[:8]
        a.create_group(name)
        self.assertIn(name, [g['name'] for g in a.list_groups()])
        self.assertRaises(exceptions.GroupNotFound,
                          self.client('project-b-member').get_group, name)
        with self.assertRaises(exceptions.Forbidden) as caught:
            self.client('project-a-reader').join(name, 'm')
        self.assertEqual('membership.forbidden', caught.exception.code)

    def test_a_region_without_the_service_is_a_clear_error(self):
        session = ks_session.Session(auth=keystone.auth(
            self.keystone, 'project-a-member', 'project-a'))
        client = Client(session=session, region_name='Nowhere')
        self.assertRaises(exceptions.ConnectionFailed,
                          client.get_group, 'g')

    def test_openstack_cli_with_os_cloud_and_os_variables(self):
        name = 'cli-' + uuid.uuid4().hex[:8]
        clouds = {'OS_CLIENT_CONFIG_FILE': self.clouds}
        created = json.loads(self.cli(
            '--os-cloud', 'project-a-member', 'membership', 'group',
            'create', name, '-f', 'json', **clouds).stdout)
        self.assertEqual(keystone.keystone_env()['PROJECT_A_ID'],
                         created['project_id'])
        refused = self.cli('--os-cloud', 'project-a-reader', 'membership',
                           'member', 'join', name, 'm', status=1, **clouds)
        self.assertIn('membership.forbidden', refused.stderr)
        variables = {f'OS_{k.upper()}': v for k, v in
                     self.password('project-a-member').items()}
        shown = self.cli('membership', 'group', 'show', name, '-f', 'value',
                         '-c', 'name', OS_IDENTITY_API_VERSION='3',
                         OS_REGION_NAME='RegionOne', **variables)
        self.assertEqual(name, shown.stdout.strip())

    @unittest.skipUnless(coordination, 'tooz is installed by tox -e '
                         'integration-keystone')
    def test_tooz_with_a_session_and_with_a_cloud(self):
        group = uuid.uuid4().hex.encode()
        session = ks_session.Session(auth=keystone.auth(
            self.keystone, 'project-a-member', 'project-a'))
        by_session = coordination.get_coordinator(
            'membership://?timeout=30', b'one', session=session)
        os.environ['OS_CLIENT_CONFIG_FILE'] = self.clouds
        self.addCleanup(os.environ.pop, 'OS_CLIENT_CONFIG_FILE')
        by_cloud = coordination.get_coordinator(
            'membership://?timeout=30&cloud=project-a-member', b'two')
        for coord in (by_session, by_cloud):
            coord.start()
            self.addCleanup(coord.stop)
        by_session.create_group(group).get()
        by_session.join_group(group).get()
        by_cloud.join_group(group).get()
        self.assertEqual({b'one', b'two'},
                         by_cloud.get_members(group).get())

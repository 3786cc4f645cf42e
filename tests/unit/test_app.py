"""Building the application from its configuration."""
import fixtures
import testtools

from membership.api import app
from membership.api import startup
from membership.storage.sqlalchemy import migration
from tests.functional import fixtures as api_fixtures


class LoadAppTest(testtools.TestCase):

    def test_keystone_without_authtoken_settings_refuses_to_start(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        conf = api_fixtures.make_conf(tmp)
        migration.upgrade(conf)
        conf.set_override('auth_strategy', 'keystone')
        error = self.assertRaises(startup.StartupError, app.load_app, conf)
        self.assertIn('[keystone_authtoken] www_authenticate_uri, '
                      'auth_type', str(error))

    def test_the_paste_file_is_found_in_etc(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        conf = api_fixtures.make_conf(tmp)
        self.assertTrue(app.paste_config_path(conf).endswith(
            'etc/membership/api-paste.ini'))

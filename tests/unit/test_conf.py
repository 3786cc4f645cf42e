"""Each ConfigOpts keeps its own overrides (tests build one per fixture
and rely on it: nothing is undone between them).
"""
import os

import fixtures
from oslo_config import cfg
import testtools

from membership import conf as membership_conf
from tests.functional import fixtures as api_fixtures


class ConfigIsolationTest(testtools.TestCase):

    def test_overrides_of_one_config_do_not_reach_another(self):
        first = api_fixtures.make_conf(
            '/nonexistent/a', api={'max_limit': 3},
            storage={'event_retention': 1},
            database={'connection': 'sqlite:///first.sqlite'})
        second = api_fixtures.make_conf('/nonexistent/b')
        self.assertEqual((3, 1, 'sqlite:///first.sqlite'),
                         (first.api.max_limit, first.storage.event_retention,
                          first.database.connection))
        self.assertEqual((1000, 3600, None),
                         (second.api.max_limit,
                          second.storage.event_retention,
                          second.database.connection))

    def test_storage_options_are_still_read_from_api(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        path = os.path.join(tmp, 'old.conf')
        with open(path, 'w') as f:
            f.write('[api]\nstorage_timeout = 3\nevent_retention = 7\n')
        conf = cfg.ConfigOpts()
        membership_conf.register_opts(conf)
        conf([], project='membership', default_config_files=[path])
        self.assertEqual((3.0, 7), (conf.storage.timeout,
                                    conf.storage.event_retention))

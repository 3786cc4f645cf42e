"""The policy defaults in code, and the decision cache over them."""
import os

import fixtures
from oslo_config import cfg
from oslo_context import context
from oslo_policy import opts as policy_opts
import testtools

from membership import conf as membership_conf
from membership import policies
from membership import policy

UPDATE = 'membership:groups:update'


def ctx(*roles, project='p1'):
    return context.RequestContext(project_id=project, user_id='u',
                                  roles=list(roles))


class DefaultsTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        conf = cfg.ConfigOpts()
        membership_conf.register_opts(conf)
        conf([], project='membership', default_config_files=[])
        self.authorizer = policy.Authorizer(conf)

    def test_every_rule_is_documented_with_an_operation(self):
        for rule in policies.list_rules():
            if rule.name in ('membership:reader', 'membership:writer'):
                continue
            self.assertTrue(rule.description, rule.name)
            self.assertTrue(rule.operations, rule.name)

    def test_reads_need_reader_member_or_admin(self):
        for roles in (('reader',), ('member',), ('admin',)):
            self.assertTrue(self.authorizer.authorize(
                'membership:groups:show', ctx(*roles)), roles)
        self.assertFalse(self.authorizer.authorize(
            'membership:groups:show', ctx('foo')))

    def test_writes_need_member_or_admin(self):
        writes = [r.name for r in policies.list_rules()
                  if r.check_str == 'rule:membership:writer']
        self.assertIn('membership:members:heartbeat', writes)
        for name in writes:
            self.assertFalse(self.authorizer.authorize(name, ctx('reader')),
                             name)
            self.assertTrue(self.authorizer.authorize(name, ctx('member')),
                            name)
            self.assertTrue(self.authorizer.authorize(name, ctx('admin')),
                            name)

    def test_breaking_a_lock_has_a_rule_of_its_own(self):
        rules = {r.name: r for r in policies.list_rules()}
        check = rules['membership:locks:break'].check_str
        # Not the writers' rule: overriding one leaves the other alone.
        self.assertNotIn('rule:', check)
        self.assertFalse(self.authorizer.authorize(
            'membership:locks:break', ctx('reader')))
        for roles in (('member',), ('admin',)):
            self.assertTrue(self.authorizer.authorize(
                'membership:locks:break', ctx(*roles)), roles)

    def test_lock_reads_need_reader_and_lock_writes_member(self):
        for name in ('list', 'show'):
            self.assertTrue(self.authorizer.authorize(
                'membership:locks:' + name, ctx('reader')), name)
        for name in ('acquire', 'heartbeat', 'release'):
            self.assertFalse(self.authorizer.authorize(
                'membership:locks:' + name, ctx('reader')), name)
            self.assertTrue(self.authorizer.authorize(
                'membership:locks:' + name, ctx('member')), name)


class PolicyFileTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.MonkeyPatch(
            'membership.policy.RECHECK_SECONDS', 3600))
        tmp = self.useFixture(fixtures.TempDir()).path
        self.path = os.path.join(tmp, 'policy.yaml')
        conf = cfg.ConfigOpts()
        membership_conf.register_opts(conf)
        policy_opts._register(conf)
        conf([], project='membership', default_config_files=[])
        conf.set_override('policy_file', self.path, group='oslo_policy')
        self.authorizer = policy.Authorizer(conf)

    def write(self, text):
        with open(self.path, 'w') as f:
            f.write(text)

    def test_an_override_read_on_a_miss_is_undone_when_the_file_goes(self):
        self.write(f'"{UPDATE}": "role:admin"\n')
        # The first decision reads the file: the override applies.
        self.assertFalse(self.authorizer.authorize(UPDATE, ctx('member')))
        os.unlink(self.path)
        self.authorizer._checked = -1e9  # a recheck is due
        self.assertTrue(self.authorizer.authorize(UPDATE, ctx('member')))

    def test_decisions_are_cached_until_the_file_changes(self):
        self.assertTrue(self.authorizer.authorize(UPDATE, ctx('member')))
        self.write(f'"{UPDATE}": "role:admin"\n')
        # Within the recheck period the cached decision stands...
        self.assertTrue(self.authorizer.authorize(UPDATE, ctx('member')))
        # ...and the next recheck applies the file.
        self.authorizer._checked = -1e9
        self.assertFalse(self.authorizer.authorize(UPDATE, ctx('member')))
        self.assertTrue(self.authorizer.authorize(UPDATE, ctx('admin')))

"""membership.storage.base.Conditions: RFC 9110 preconditions."""
import testtools

from membership.storage import base

ETAG = '"1-2"'
OTHER = '"1-3"'


class ConditionsCheckTest(testtools.TestCase):

    def assertFails(self, conditions, etag, reason):
        error = self.assertRaises(base.PreconditionFailed, conditions.check,
                                  etag)
        self.assertEqual(reason, error.reason)
        self.assertIsInstance(error, base.StorageError)

    def test_no_conditions_allow_everything(self):
        base.NO_CONDITIONS.check(None)
        base.NO_CONDITIONS.check(ETAG)
        base.Conditions().check(ETAG)

    def test_if_match_of_the_current_etag(self):
        base.Conditions(if_match=(ETAG,)).check(ETAG)

    def test_if_match_of_one_of_several_etags(self):
        base.Conditions(if_match=(OTHER, ETAG)).check(ETAG)

    def test_if_match_of_another_etag(self):
        self.assertFails(base.Conditions(if_match=(OTHER,)), ETAG,
                         'has changed')

    def test_if_match_of_an_empty_list_never_matches(self):
        # e.g. "If-Match: W/"1-2"": weak tags are dropped by the API.
        self.assertFails(base.Conditions(if_match=()), ETAG, 'has changed')

    def test_if_match_star_on_an_existing_resource(self):
        base.Conditions(if_match=('*',)).check(ETAG)

    def test_if_match_on_a_missing_resource(self):
        self.assertFails(base.Conditions(if_match=(ETAG,)), None,
                         'does not exist')

    def test_if_match_star_on_a_missing_resource(self):
        self.assertFails(base.Conditions(if_match=('*',)), None,
                         'does not exist')

    def test_if_none_match_star_on_a_missing_resource(self):
        base.Conditions(if_none_match=('*',)).check(None)

    def test_if_none_match_star_on_an_existing_resource(self):
        self.assertFails(base.Conditions(if_none_match=('*',)), ETAG,
                         'already exists')

    def test_if_none_match_of_the_current_etag(self):
        self.assertFails(base.Conditions(if_none_match=(OTHER, ETAG)), ETAG,
                         'already exists')

    def test_if_none_match_of_another_etag(self):
        base.Conditions(if_none_match=(OTHER,)).check(ETAG)

    def test_if_none_match_of_an_etag_on_a_missing_resource(self):
        base.Conditions(if_none_match=(ETAG,)).check(None)

    def test_both_headers_must_hold(self):
        both = base.Conditions(if_match=(ETAG,), if_none_match=(OTHER,))
        both.check(ETAG)
        self.assertFails(both, '"1-4"', 'has changed')
        self.assertRaises(base.PreconditionFailed, both.check, OTHER)
        self.assertFails(
            base.Conditions(if_match=(ETAG,), if_none_match=(ETAG,)), ETAG,
            'already exists')

    def test_create_only(self):
        self.assertTrue(base.Conditions(if_none_match=('*',)).create_only)
        self.assertTrue(
            base.Conditions(if_none_match=(ETAG, '*')).create_only)
        self.assertFalse(base.Conditions(if_none_match=(ETAG,)).create_only)
        self.assertFalse(base.Conditions(if_match=('*',)).create_only)
        self.assertFalse(base.NO_CONDITIONS.create_only)

"""membership.storage.records.Conditions: RFC 9110 preconditions."""
import testtools

from membership.storage import exceptions
from membership.storage import records

ETAG = '"1-2"'
OTHER = '"1-3"'


class ConditionsCheckTest(testtools.TestCase):

    def assertFails(self, conditions, etag, reason):
        error = self.assertRaises(exceptions.PreconditionFailed,
                                  conditions.check,
                                  etag)
        self.assertEqual(reason, error.reason)
        self.assertIsInstance(error, exceptions.StorageError)

    def test_no_conditions_allow_everything(self):
        records.NO_CONDITIONS.check(None)
        records.NO_CONDITIONS.check(ETAG)
        records.Conditions().check(ETAG)

    def test_if_match_of_the_current_etag(self):
        records.Conditions(if_match=(ETAG,)).check(ETAG)

    def test_if_match_of_one_of_several_etags(self):
        records.Conditions(if_match=(OTHER, ETAG)).check(ETAG)

    def test_if_match_of_another_etag(self):
        self.assertFails(records.Conditions(if_match=(OTHER,)), ETAG,
                         'has changed')

    def test_if_match_of_an_empty_list_never_matches(self):
        # e.g. "If-Match: W/"1-2"": weak tags are dropped by the API.
        self.assertFails(records.Conditions(if_match=()), ETAG, 'has changed')

    def test_if_match_star_on_an_existing_resource(self):
        records.Conditions(if_match=('*',)).check(ETAG)

    def test_if_match_on_a_missing_resource(self):
        self.assertFails(records.Conditions(if_match=(ETAG,)), None,
                         'does not exist')

    def test_if_match_star_on_a_missing_resource(self):
        self.assertFails(records.Conditions(if_match=('*',)), None,
                         'does not exist')

    def test_if_none_match_star_on_a_missing_resource(self):
        records.Conditions(if_none_match=('*',)).check(None)

    def test_if_none_match_star_on_an_existing_resource(self):
        self.assertFails(records.Conditions(if_none_match=('*',)), ETAG,
                         'already exists')

    def test_if_none_match_of_the_current_etag(self):
        self.assertFails(records.Conditions(if_none_match=(OTHER, ETAG)), ETAG,
                         'already exists')

    def test_if_none_match_of_another_etag(self):
        records.Conditions(if_none_match=(OTHER,)).check(ETAG)

    def test_if_none_match_of_an_etag_on_a_missing_resource(self):
        records.Conditions(if_none_match=(ETAG,)).check(None)

    def test_both_headers_must_hold(self):
        both = records.Conditions(if_match=(ETAG,), if_none_match=(OTHER,))
        both.check(ETAG)
        self.assertFails(both, '"1-4"', 'has changed')
        self.assertRaises(exceptions.PreconditionFailed, both.check, OTHER)
        self.assertFails(
            records.Conditions(if_match=(ETAG,), if_none_match=(ETAG,)), ETAG,
            'already exists')

    def test_create_only(self):
        self.assertTrue(records.Conditions(if_none_match=('*',)).create_only)
        self.assertTrue(
            records.Conditions(if_none_match=(ETAG, '*')).create_only)
        self.assertFalse(records.Conditions(if_none_match=(ETAG,)).create_only)
        self.assertFalse(records.Conditions(if_match=('*',)).create_only)
        self.assertFalse(records.NO_CONDITIONS.create_only)

"""membership.api.types: body checks, names and JSON merge patch."""
import copy

import testtools

from membership.api import errors
from membership.api import types
from membership import canonical_json


class CheckGroupBodyTest(testtools.TestCase):

    def assertRefused(self, data, field=None, nullable=False):
        error = self.assertRaises(errors.APIError, types.check,
                                  types.GroupBody, data, nullable)
        self.assertEqual(400, error.status)
        self.assertEqual(errors.INVALID_REQUEST, error.code)
        if field:
            self.assertIn(repr(field), error.detail)
        return error

    def test_all_fields(self):
        self.assertEqual(
            {'description': 'd', 'metadata': {'a': [1, {'b': None}]}},
            types.check(types.GroupBody,
                        {'description': 'd',
                         'metadata': {'a': [1, {'b': None}]}}))

    def test_only_the_fields_present(self):
        self.assertEqual({'metadata': {}},
                         types.check(types.GroupBody, {'metadata': {}}))

    def test_empty_object(self):
        self.assertEqual({}, types.check(types.GroupBody, {}))

    def test_not_an_object(self):
        for data in ([], ['description'], 'x', 5, None, True):
            error = self.assertRefused(data)
            self.assertIn('JSON object', error.detail)

    def test_unknown_field_is_named(self):
        self.assertRefused({'description': 'd', 'colour': 'red'}, 'colour')

    def test_every_unknown_field_is_named(self):
        error = self.assertRefused({'zeta': 1, 'alpha': 2})
        self.assertIn("'alpha'", error.detail)
        self.assertIn("'zeta'", error.detail)

    def test_description_of_the_wrong_type(self):
        for value in (5, 1.5, True, [], {}, ['a']):
            self.assertRefused({'description': value}, 'description')

    def test_description_length(self):
        self.assertEqual({'description': 'x' * 255},
                         types.check(types.GroupBody,
                                     {'description': 'x' * 255}))
        self.assertRefused({'description': 'x' * 256}, 'description')

    def test_description_may_be_unicode(self):
        self.assertEqual({'description': 'café ☕'},
                         types.check(types.GroupBody,
                                     {'description': 'café ☕'}))

    def test_metadata_must_be_an_object(self):
        for value in ([1], 'zone=a', 3, True, 1.5):
            self.assertRefused({'metadata': value}, 'metadata')

    def test_metadata_size_limit(self):
        # {"k":"xxx…"} is 8 bytes plus the string once serialized.
        fits = {'k': 'x' * (types.MAX_DOCUMENT - 8)}
        self.assertEqual(types.MAX_DOCUMENT,
                         len(canonical_json.dumps(fits).encode()))
        self.assertEqual({'metadata': fits},
                         types.check(types.GroupBody, {'metadata': fits}))
        too_big = {'k': 'x' * (types.MAX_DOCUMENT - 7)}
        self.assertRefused({'metadata': too_big}, 'metadata')

    def test_metadata_size_counts_bytes_not_characters(self):
        # é is two bytes in UTF-8 and stored unescaped or as \u00e9 (six):
        # either way more than 16 KiB.
        value = {'k': 'é' * (types.MAX_DOCUMENT // 2)}
        self.assertRefused({'metadata': value}, 'metadata')

    def test_null_is_refused_unless_nullable(self):
        self.assertRefused({'description': None}, 'description')
        self.assertRefused({'metadata': None}, 'metadata')

    def test_null_is_kept_when_nullable(self):
        self.assertEqual({'description': None, 'metadata': None},
                         types.check(types.GroupBody,
                                     {'description': None, 'metadata': None},
                                     nullable=True))

    def test_nullable_still_checks_types(self):
        self.assertRefused({'metadata': [1]}, 'metadata', nullable=True)
        self.assertRefused({'name': 'x'}, 'name', nullable=True)


class CheckMemberBodyTest(testtools.TestCase):

    def check(self, data, nullable=False):
        return types.check(types.MemberBody, data, nullable)

    def assertRefused(self, data, field):
        error = self.assertRaises(errors.APIError, self.check, data)
        self.assertEqual(400, error.status)
        self.assertEqual(errors.INVALID_REQUEST, error.code)
        self.assertIn(repr(field), error.detail)

    def test_capabilities_are_any_json_value(self):
        for value in ({}, {'cpus': 8, 'tags': ['a'], 'n': {'x': None}},
                      [1, 'two', [3]], 'gpu', 42, 2.5, True, False, None):
            self.assertEqual({'capabilities': value},
                             self.check({'capabilities': value}))

    def test_capabilities_size_limit(self):
        fits = 'x' * (types.MAX_DOCUMENT - 2)   # plus two quotes
        self.assertEqual({'capabilities': fits},
                         self.check({'capabilities': fits}))
        self.assertRefused({'capabilities': fits + 'x'}, 'capabilities')

    def test_capabilities_size_limit_of_a_list(self):
        self.assertRefused({'capabilities': ['x' * 1000] * 17},
                           'capabilities')

    def test_ttl_integer(self):
        for value in (1, 30, 3600, 10 ** 6):
            self.assertEqual({'ttl': value}, self.check({'ttl': value}))

    def test_ttl_null(self):
        self.assertEqual({'ttl': None}, self.check({'ttl': None}))

    def test_ttl_of_the_wrong_type(self):
        for value in ('30', 1.5, 30.0, True, False, [30], {'s': 30}):
            self.assertRefused({'ttl': value}, 'ttl')

    def test_unknown_field(self):
        self.assertRefused({'ttl': 5, 'id': 'w'}, 'id')

    def test_both_fields(self):
        self.assertEqual({'capabilities': {'a': 1}, 'ttl': 5},
                         self.check({'capabilities': {'a': 1}, 'ttl': 5}))


class CheckNameTest(testtools.TestCase):

    def assertRefused(self, value):
        error = self.assertRaises(errors.APIError, types.check_name,
                                  'group name', value)
        self.assertEqual(400, error.status)
        self.assertEqual(errors.INVALID_NAME, error.code)
        self.assertIn('group name', error.detail)

    def test_valid_names(self):
        for value in ('w', '0', 'workers', 'worker-1', 'a.b:c@d-e_f',
                      'db.json', 'feed.xml', 'page.html', 'index',
                      'heartbeat', 'A' * 255, '9' + '.' * 254):
            self.assertEqual(value, types.check_name('group name', value))

    def test_too_long(self):
        self.assertRefused('a' * 256)

    def test_empty(self):
        self.assertRefused('')

    def test_first_character_must_be_alphanumeric(self):
        for value in ('-w', '.w', '_w', ':w', '@w', '.json', '..'):
            self.assertRefused(value)

    def test_characters_outside_the_set(self):
        for value in ('two words', 'a/b', 'a%2Fb', 'a+b', 'a#b', 'a?b',
                      'café', 'a\nb', 'a\x00b', 'a,b', 'a;b', 'a*'):
            self.assertRefused(value)

    def test_a_trailing_newline_is_not_a_name(self):
        self.assertRefused('workers\n')

    def test_the_detail_names_the_value(self):
        error = self.assertRaises(errors.APIError, types.check_name,
                                  'member id', '-bad')
        self.assertIn("'-bad'", error.detail)
        self.assertIn('member id', error.detail)


class MergePatchTest(testtools.TestCase):
    """RFC 7396, Appendix A, and what the API relies on."""

    RFC7396_EXAMPLES = [
        ({'a': 'b'}, {'a': 'c'}, {'a': 'c'}),
        ({'a': 'b'}, {'b': 'c'}, {'a': 'b', 'b': 'c'}),
        ({'a': 'b'}, {'a': None}, {}),
        ({'a': 'b', 'b': 'c'}, {'a': None}, {'b': 'c'}),
        ({'a': ['b']}, {'a': 'c'}, {'a': 'c'}),
        ({'a': 'c'}, {'a': ['b']}, {'a': ['b']}),
        ({'a': {'b': 'c'}}, {'a': {'b': 'd', 'c': None}}, {'a': {'b': 'd'}}),
        ({'a': [{'b': 'c'}]}, {'a': [1]}, {'a': [1]}),
        (['a', 'b'], ['c', 'd'], ['c', 'd']),
        ({'a': 'b'}, ['c'], ['c']),
        ({'a': 'foo'}, None, None),
        ({'a': 'foo'}, 'bar', 'bar'),
        ({'e': None}, {'a': 1}, {'e': None, 'a': 1}),
        ([1, 2], {'a': 'b', 'c': None}, {'a': 'b'}),
        ({}, {'a': {'bb': {'ccc': None}}}, {'a': {'bb': {}}}),
    ]

    def test_rfc7396_appendix_a(self):
        for target, patch, expected in self.RFC7396_EXAMPLES:
            self.assertEqual(expected, types.merge_patch(target, patch),
                             f'merge_patch({target!r}, {patch!r})')

    def test_the_target_is_not_changed(self):
        for target, patch, _ in self.RFC7396_EXAMPLES:
            before = copy.deepcopy(target)
            types.merge_patch(target, patch)
            self.assertEqual(before, target)

    def test_nested_target_is_not_changed(self):
        target = {'a': {'b': {'c': 1}}}
        result = types.merge_patch(target, {'a': {'b': {'d': 2}}})
        self.assertEqual({'a': {'b': {'c': 1, 'd': 2}}}, result)
        self.assertEqual({'a': {'b': {'c': 1}}}, target)

    def test_empty_patch_changes_nothing(self):
        self.assertEqual({'a': 1}, types.merge_patch({'a': 1}, {}))

    def test_removing_a_missing_key_is_fine(self):
        self.assertEqual({'a': 1}, types.merge_patch({'a': 1}, {'z': None}))

    def test_patch_onto_a_scalar_or_null_target(self):
        self.assertEqual({'a': 1}, types.merge_patch(None, {'a': 1}))
        self.assertEqual({'a': 1}, types.merge_patch(5, {'a': 1, 'b': None}))
        self.assertEqual({}, types.merge_patch('x', {}))

    def test_falsy_values_are_set_not_removed(self):
        self.assertEqual({'a': 0, 'b': False, 'c': '', 'd': [], 'e': {}},
                         types.merge_patch({}, {'a': 0, 'b': False, 'c': '',
                                                'd': [], 'e': {}}))


class CanonicalJsonTest(testtools.TestCase):

    def test_compact_and_sorted(self):
        self.assertEqual('{"a":[1,2],"b":{"c":null}}',
                         canonical_json.dumps({'b': {'c': None}, 'a': [1, 2]}))

    def test_non_finite_numbers_are_refused(self):
        self.assertRaises(ValueError, canonical_json.dumps, float('nan'))

"""Dot segments are found in the target as the client sent it."""
import testtools

from membership.api import routing


class DotSegmentTest(testtools.TestCase):

    def test_found_in_the_raw_target_the_server_resolved(self):
        # Apache passes the resolved path on; REQUEST_URI keeps the sent.
        self.assertTrue(routing.has_dot_segment({
            'REQUEST_URI': '/v1/groups/g/members/..',
            'PATH_INFO': '/v1/groups/g'}))

    def test_percent_encoded_and_single_dots_count(self):
        for target in ('/v1/groups/g/members/%2e%2E', '/v1/groups/./g',
                       '/v1/groups/g/members/%2E?x=1'):
            self.assertTrue(routing.has_dot_segment({'RAW_URI': target}),
                            target)

    def test_dots_inside_names_and_in_the_query_do_not(self):
        for target in ('/v1/groups/a..b/members/.x', '/v1/groups?marker=..',
                       'http://h/v1/groups/g'):
            self.assertFalse(routing.has_dot_segment({'RAW_URI': target}),
                             target)

    def test_without_a_raw_target_the_path_is_checked(self):
        self.assertTrue(routing.has_dot_segment({'PATH_INFO': '/v1/..'}))
        self.assertFalse(routing.has_dot_segment({'PATH_INFO': '/v1/'}))

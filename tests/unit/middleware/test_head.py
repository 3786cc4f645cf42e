"""membership.api.middleware.head: HEAD is GET without the body."""
from membership.api.middleware import head
from tests.unit.middleware import base


class HeadTest(base.FilterTest):

    def test_head_is_answered_as_get_without_body(self):
        seen = []
        response = self.call(head.Head(base.app(body=b'{"a": 1}',
                                                record=seen)),
                             method='HEAD')
        self.assertEqual('GET', seen[0]['REQUEST_METHOD'])
        self.assertEqual(200, response.status_int)
        self.assertEqual(b'', response.body)
        self.assertEqual('8', response.headers['Content-Length'])

    def test_other_methods_pass(self):
        seen = []
        response = self.call(head.Head(base.app(body=b'{"a": 1}',
                                                record=seen)),
                             method='PUT')
        self.assertEqual('PUT', seen[0]['REQUEST_METHOD'])
        self.assertEqual({'a': 1}, response.json)

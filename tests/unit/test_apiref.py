"""api-ref documents every route and every error code the code has."""
import re

import testtools

from membership.api.controllers import root
from membership.api import errors
from tests import apiref

# A segment no literal route uses: where a node takes it, it takes a name.
_PARAMETER = 'x-parameter'
# Outside the pecan tree: oslo.middleware's, documented in versions.inc.
_PASTE_ROUTES = {('GET', '/healthcheck')}


def _literals():
    return {segment for _, path in apiref.routes()
            for segment in path.split('/') if segment and '{' not in segment}


def _resource(node):
    return getattr(node, 'index', node)


def code_routes():
    """{(method, template)} the controllers answer, ``{}`` for a name."""
    found = set()
    literals = _literals()

    def walk(node, template, depth):
        for method in _resource(node).membership_allowed:
            found.add((method, template or '/'))
        child = getattr(node, 'child', None)
        if child is None or depth > 6:
            return
        named = child(_PARAMETER)
        if named is not None:
            walk(named, template + '/{}', depth + 1)
        for literal in literals:
            node_ = child(literal)
            if node_ is not None and (named is None or
                                      type(node_) is not type(named)):
                walk(node_, f'{template}/{literal}', depth + 1)

    walk(root.RootController(), '', 0)
    return found


def normalized(path):
    path = re.sub(r'\{[^}]*\}', '{}', path)
    return path.rstrip('/') or '/'


class ApiRefTest(testtools.TestCase):

    def test_every_route_is_documented_and_exists(self):
        documented = {(method, normalized(path))
                      for method, path in apiref.routes() - _PASTE_ROUTES}
        self.assertEqual(sorted(documented), sorted(code_routes()))

    def test_the_walk_sees_routes(self):
        # The comparison above is only as good as the walk.
        self.assertIn(('POST', '/v1/locks/{}/holders/{}/heartbeat'),
                      code_routes())

    def test_every_error_code_is_documented(self):
        in_code = {value for name, value in vars(errors).items()
                   if name.isupper() and isinstance(value, str)
                   and value.startswith('membership.')
                   and value != errors.FORMATTED}
        self.assertEqual(sorted(in_code), sorted(apiref.error_codes()))

    def test_documented_statuses_are_read(self):
        codes = apiref.error_codes()
        self.assertEqual({404, 400}, codes['membership.session_not_found'])
        self.assertIsNone(codes['membership.error'])

"""The layers stay layers: read from the import graph of the source."""
import importlib.util
import os

import testtools

_PATH = os.path.join(os.path.dirname(__file__), '..', '..', 'tools',
                     'import_graph.py')
_SPEC = importlib.util.spec_from_file_location('import_graph', _PATH)
import_graph = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(import_graph)


class LayersTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.edges = import_graph.graph()

    def test_no_import_cycle(self):
        self.assertEqual([], import_graph.cycles(self.edges))

    def test_storage_never_imports_the_api(self):
        for name, targets in self.edges.items():
            if name.startswith('membership.storage'):
                self.assertEqual(
                    [], [t for t in targets if t.startswith('membership.api')],
                    name)

    def test_controllers_speak_the_storage_contract_only(self):
        for name, targets in self.edges.items():
            if name.startswith('membership.api'):
                self.assertEqual(
                    [], [t for t in targets
                         if t.startswith('membership.storage.sqlalchemy')],
                    name)

    def test_the_graph_sees_imports(self):
        # The checks above are only as good as the graph.
        self.assertIn('membership.storage.base',
                      self.edges['membership.storage.sqlalchemy.api'])

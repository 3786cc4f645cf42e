"""Load the gabbi YAML API tests, one file per resource."""
import os

from gabbi import driver

from tests.functional import fixtures
from tests.functional import handlers

TESTS_DIR = 'gabbits'
HANDLERS = [handlers.AbsentJsonPathsHandler]


def load_tests(loader, tests, pattern):
    test_dir = os.path.join(os.path.dirname(__file__), TESTS_DIR)
    return driver.build_tests(test_dir, loader, host=None,
                              intercept=fixtures.setup_app,
                              test_loader_name=__name__,
                              fixture_module=fixtures,
                              response_handlers=HANDLERS)

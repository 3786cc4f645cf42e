"""gabbi response handlers of our own."""
from gabbi.handlers import base
from gabbi.handlers import jsonhandler


class AbsentJsonPathsHandler(base.ResponseHandler):
    """``response_json_paths_absent``: JSONPaths that must match nothing,
    e.g. a field a lower microversion must not show.
    """

    test_key_suffix = 'json_paths_absent'
    test_key_value = []

    def action(self, test, path, value=None):
        path = test.replace_template(path)
        try:
            found = jsonhandler.JSONHandler.extract_json_path_value(
                test.response_data, path)
        except ValueError:
            return
        raise AssertionError(f'{path} should be absent but is {found!r}')

"""The request target, checked before anything reads it.

- The path and the query must be UTF-8 once percent-decoded: webob would
  raise on the first read, and pecan log a traceback for a client's
  mistake. Both are answered 400 here, logged only by the request log.
- A ``%2F`` (an encoded ``/``) cannot be part of a name: the server
  decodes it into PATH_INFO, where it would split the name in two and
  route elsewhere (404). The raw target is read from what the servers
  give (``REQUEST_URI``: uWSGI, mod_wsgi, cheroot; ``RAW_URI``:
  gunicorn).
"""
import urllib.parse

from membership.api import errors

_RAW_TARGET_KEYS = ('REQUEST_URI', 'RAW_URI')


def _utf8(text, percent_encoded):
    """Whether a WSGI string (bytes as latin-1) is UTF-8 text."""
    try:
        data = text.encode('latin-1')
        if percent_encoded:
            data = urllib.parse.unquote_to_bytes(data)
        data.decode('utf-8')
    except UnicodeError:
        return False
    return True


def _raw_path(environ):
    for key in _RAW_TARGET_KEYS:
        target = environ.get(key)
        if target:
            return target.split('?', 1)[0]
    return ''


class Target:

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        path = environ.get('SCRIPT_NAME', '') + environ.get('PATH_INFO', '')
        if not _utf8(path, percent_encoded=False):
            return errors.respond(environ, start_response, 400,
                                  errors.INVALID_REQUEST,
                                  'The path is not valid UTF-8.')
        if not _utf8(environ.get('QUERY_STRING', ''), percent_encoded=True):
            return errors.respond(environ, start_response, 400,
                                  errors.INVALID_QUERY,
                                  'The query string is not valid UTF-8.')
        if '%2f' in _raw_path(environ).lower():
            return errors.respond(
                environ, start_response, 400, errors.INVALID_NAME,
                'A name cannot contain a slash, encoded (%2F) or not.')
        return self.application(environ, start_response)


def filter_factory(global_conf, **local_conf):
    return Target

"""Development-only authentication: trust the caller's headers.

With ``[DEFAULT] auth_strategy = noauth`` the caller is whoever the
X-Project-Id (default ``default``), X-User-Id and X-Roles (comma
separated, default ``admin``) headers say. Never expose it.
"""


class NoAuth:

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        environ.setdefault('HTTP_X_PROJECT_ID', 'default')
        environ.setdefault('HTTP_X_USER_ID', 'noauth')
        environ.setdefault('HTTP_X_ROLES', 'admin')
        environ['HTTP_X_IDENTITY_STATUS'] = 'Confirmed'
        return self.application(environ, start_response)


def filter_factory(global_conf, **local_conf):
    return NoAuth

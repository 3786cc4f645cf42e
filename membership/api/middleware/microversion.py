"""Microversion negotiation for /v1 (OpenStack-API-Version).

Stores the negotiated version in the environ for the app, and names it
in every /v1 response (errors included: an unusable header gets the
minimum's headers). A malformed header is a 400, an unsupported version
a 406, both answered here.
"""
from membership.api import errors
from membership.api import microversion


def _headers(version):
    return [(microversion.HEADER,
             f'{microversion.SERVICE_TYPE} {microversion.text(version)}'),
            ('Vary', microversion.HEADER)]


class Microversion:

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        path = environ.get('PATH_INFO', '')
        if path != '/v1' and not path.startswith('/v1/'):
            return self.application(environ, start_response)
        try:
            version = microversion.negotiate(environ)
        except microversion.InvalidVersion as e:
            return errors.respond(environ, start_response, 400,
                                  errors.MICROVERSION_INVALID, str(e),
                                  _headers(microversion.MIN_VERSION))
        except microversion.UnsupportedVersion as e:
            return errors.respond(environ, start_response, 406,
                                  errors.MICROVERSION_UNSUPPORTED, str(e),
                                  _headers(microversion.MIN_VERSION))
        environ[microversion.ENVIRON_KEY] = version
        extra = _headers(version)

        def _start_response(status, headers, exc_info=None):
            return start_response(status, headers + extra, exc_info)
        return self.application(environ, _start_response)


def filter_factory(global_conf, **local_conf):
    return Microversion

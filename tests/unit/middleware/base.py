"""A WSGI filter around a tiny app, called with webob."""
import testtools
import webob


def app(status='200 OK', body=b'{}', headers=(), record=None):
    """A WSGI app answering ``status``; ``record`` gets its environ."""
    def application(environ, start_response):
        if record is not None:
            record.append(dict(environ))
        start_response(status, [('Content-Type', 'application/json'),
                                ('Content-Length', str(len(body)))] +
                       list(headers))
        return [body]
    return application


class FilterTest(testtools.TestCase):

    def call(self, application, path='/v1/groups', **kwargs):
        request = webob.Request.blank(path, **kwargs)
        request.environ['openstack.request_id'] = 'req-test'
        return request.get_response(application)

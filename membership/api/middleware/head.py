"""HEAD is GET without the body (RFC 9110 9.3.2), on every resource."""


class Head:

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if environ['REQUEST_METHOD'] != 'HEAD':
            return self.application(environ, start_response)
        environ['REQUEST_METHOD'] = 'GET'
        try:
            app_iter = self.application(environ, start_response)
        finally:
            environ['REQUEST_METHOD'] = 'HEAD'
        if hasattr(app_iter, 'close'):
            app_iter.close()
        return []


def filter_factory(global_conf, **local_conf):
    return Head

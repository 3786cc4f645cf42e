"""A WSGI app that forwards each request over real HTTP to a server.

With it, the gabbi files run unchanged against a live API (Apache,
another database): gabbi talks to this app in-process, this app to the
server on loopback.
"""
import http.client
import urllib.parse

HOP_BY_HOP = {'connection', 'keep-alive', 'transfer-encoding', 'upgrade',
              'proxy-connection', 'te', 'trailer'}


class Proxy:

    def __init__(self, url):
        parts = urllib.parse.urlsplit(url)
        self.host, self.port = parts.hostname, parts.port
        self.prefix = parts.path.rstrip('/')

    def __call__(self, environ, start_response):
        path = urllib.parse.quote(environ['PATH_INFO'],
                                  safe="/:@!$&'()*+,;=-._~")
        query = environ.get('QUERY_STRING')
        target = self.prefix + path + ('?' + query if query else '')
        headers = {key[5:].replace('_', '-').title(): value
                   for key, value in environ.items()
                   if key.startswith('HTTP_') and key != 'HTTP_HOST'}
        for key in ('CONTENT_TYPE', 'CONTENT_LENGTH'):
            if environ.get(key):
                headers[key.replace('_', '-').title()] = environ[key]
        length = int(environ.get('CONTENT_LENGTH') or 0)
        body = environ['wsgi.input'].read(length) if length else None
        conn = http.client.HTTPConnection(self.host, self.port, timeout=90)
        try:
            conn.request(environ['REQUEST_METHOD'], target, body=body,
                         headers=headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        kept = [(k, v) for k, v in response.getheaders()
                if k.lower() not in HOP_BY_HOP]
        start_response(f'{response.status} {response.reason}', kept)
        return [data]

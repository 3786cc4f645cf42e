"""HTTP/1.1 framing as RFC 9112 says, checked on raw sockets.

The same checks run against ``membership-api`` (here, in the default
``tox`` run) and against Apache httpd + mod_wsgi with the sample vhost
(``tests/integration/test_apache_conformance.py``, in ``tox -e
integration-apache``).
Each check says what a client would lose if it failed: data (a body
ignored, another resource changed), a poisoned keep-alive connection, or
a worker held.
"""
import json
import os
import unittest
import uuid

from tests import apiservers
from tests import httpraw

JSON = ('Content-Type', 'application/json')


class Conformance:
    """Mixin: ``url`` is the API to check; ``proxy_parsing_off_url`` one
    whose [oslo_middleware] enable_proxy_headers_parsing is false;
    ``read_timeout`` the server's body read timeout, in seconds;
    ``incomplete_body`` the statuses it may answer a body that never
    completes with.
    """

    url = None
    proxy_parsing_off_url = None
    read_timeout = None
    incomplete_body = (400,)

    def setUp(self):
        super().setUp()
        self.project = ('X-Project-Id', uuid.uuid4().hex)
        self.group = 'g-' + uuid.uuid4().hex[:8]

    # -- helpers ---------------------------------------------------------

    def send(self, method, path, headers=(), body=b'', count=1, **kwargs):
        data = httpraw.request(method, path, [self.project, *headers],
                               body, **kwargs)
        responses, _ = httpraw.exchange(self.url, data, count, method)
        self.assertEqual(count, len(responses), f'{method} {path}: the '
                         'connection closed without an answer')
        return responses[0] if count == 1 else responses

    def status(self, method, path, headers=(), body=b''):
        return self.send(method, path, headers, body).status

    def put_group(self, name, body=b''):
        headers = [JSON, ('Content-Length', str(len(body)))] if body else []
        self.assertEqual(201, self.status('PUT', f'/v1/groups/{name}',
                                          headers, body))

    def group_exists(self, name):
        status = self.status('GET', f'/v1/groups/{name}')
        self.assertIn(status, (200, 404))
        return status == 200

    def assert_refused(self, response, *codes):
        self.assertIn(response.status, codes or range(400, 500),
                      response.body[:300])

    # -- message body framing (RFC 9112 section 6) -----------------------

    def test_a_chunked_body_is_read_not_ignored(self):
        body = json.dumps({'description': 'sent in chunks'}).encode()
        chunked = b'%x\r\n%s\r\n0\r\n\r\n' % (len(body), body)
        response = self.send('PUT', f'/v1/groups/{self.group}',
                             [JSON, ('Transfer-Encoding', 'chunked')],
                             chunked)
        if response.status == 411:
            self.assertFalse(self.group_exists(self.group))
            return
        self.assertEqual(201, response.status, response.body)
        got = json.loads(self.send('GET', f'/v1/groups/{self.group}').body)
        self.assertEqual('sent in chunks', got['description'])

    def test_a_chunked_body_is_validated(self):
        chunked = b'c\r\n{"bogus": 1}\r\n0\r\n\r\n'
        response = self.send('PUT', f'/v1/groups/{self.group}',
                             [JSON, ('Transfer-Encoding', 'chunked')],
                             chunked)
        self.assertIn(response.status, (400, 411), response.body)
        self.assertFalse(self.group_exists(self.group))

    def _bad_framing(self, *headers, statuses=(400,)):
        body = b'{"description": "x"}'
        response = self.send('PUT', f'/v1/groups/{self.group}',
                             [JSON, *headers], body)
        self.assert_refused(response, *statuses)
        self.assertFalse(self.group_exists(self.group))

    def test_content_length_not_a_number_is_400(self):
        self._bad_framing(('Content-Length', 'abc'))

    def test_negative_content_length_is_400(self):
        self._bad_framing(('Content-Length', '-1'))

    def test_conflicting_content_lengths_are_400(self):
        self._bad_framing(('Content-Length', '20'), ('Content-Length', '5'))

    def test_transfer_encoding_and_content_length_is_400(self):
        # The request-smuggling shape: a front end using one framing and
        # the server the other would see a different second request. A
        # server may instead read the body as chunked (RFC 9112 6.3):
        # then it never completes.
        self._bad_framing(('Content-Length', '20'),
                          ('Transfer-Encoding', 'chunked'),
                          statuses=(400, *self.incomplete_body))

    def test_a_short_body_is_400_after_the_read_timeout(self):
        body = b'{"description": "x"'
        with httpraw.Connection(self.url,
                                timeout=self.read_timeout + 15) as conn:
            conn.send(httpraw.request(
                'PUT', f'/v1/groups/{self.group}',
                [self.project, JSON, ('Content-Length', '100')], body))
            response = conn.response('PUT')
        self.assertIn(response.status, self.incomplete_body,
                      response.body[:300])
        self.assertFalse(self.group_exists(self.group))

    # -- the target: dot segments (RFC 3986 section 5.2.4) --------------

    def test_dot_segments_never_reach_the_parent(self):
        self.put_group(self.group)
        for path in (f'/v1/groups/{self.group}/members/..',
                     f'/v1/groups/{self.group}/members/%2e%2e',
                     f'/v1/groups/{self.group}/members/./..'):
            self.assert_refused(self.send('DELETE', path))
            self.assertTrue(self.group_exists(self.group), path)

    def test_dot_segments_never_reach_another_resource(self):
        other = self.group + '-other'
        self.put_group(other)
        self.put_group(self.group)
        path = f'/v1/groups/{self.group}/members/../../{other}'
        self.assert_refused(self.send('DELETE', path))
        self.assertTrue(self.group_exists(other))

    # -- connections (RFC 9112 section 9) --------------------------------

    def _early_answer_then_next_request(self, body):
        put = httpraw.request(
            'PUT', f'/v1/groups/{self.group}',
            [self.project, ('X-Roles', 'reader'), JSON,
             ('Content-Length', str(len(body)))], body)
        get = httpraw.request('GET', '/', [self.project])
        with httpraw.Connection(self.url) as conn:
            conn.send(put)
            first = conn.response('PUT')
            self.assert_refused(first, 403, 413)
            try:
                conn.send(get)
                second = conn.response()
            except (EOFError, ConnectionError):
                # Allowed only if the server said it would close.
                self.assertTrue(first.closes, 'the connection was dropped '
                                'after an early answer without '
                                '"Connection: close"')
                return
            self.assertEqual(200, second.status)
            self.assertIn(b'versions', second.body)

    def test_keep_alive_survives_an_answer_before_the_body_is_read(self):
        self._early_answer_then_next_request(b'{"description": "x"}')

    def test_keep_alive_survives_a_refused_large_body(self):
        self._early_answer_then_next_request(b' ' * (256 * 1024))

    def test_connection_close_is_honoured(self):
        with httpraw.Connection(self.url) as conn:
            conn.send(httpraw.request('GET', '/', [('Connection', 'close')]))
            self.assertEqual(200, conn.response().status)
            self.assertTrue(conn.closed_within(3))

    def test_pipelined_requests_are_answered_in_order(self):
        paths = ('/', '/v1/', '/healthcheck', '/v1/', '/')
        data = b''.join(httpraw.request('GET', path, [self.project])
                        for path in paths)
        responses, _ = httpraw.exchange(self.url, data, len(paths))
        self.assertEqual([200] * len(paths), [r.status for r in responses])
        self.assertEqual([b'versions', b'version', b'OK', b'version',
                          b'versions'],
                         [_first_key(r.body) for r in responses])

    def test_expect_100_continue_is_answered(self):
        body = b'{"description": "after 100"}'
        with httpraw.Connection(self.url, timeout=5) as conn:
            conn.send(httpraw.request(
                'PUT', f'/v1/groups/{self.group}',
                [self.project, JSON, ('Content-Length', str(len(body))),
                 ('Expect', '100-continue')]))
            interim = conn.response('PUT')
            self.assertEqual(100, interim.status)
            conn.send(body)
            self.assertEqual(201, conn.response('PUT').status)

    # -- malformed requests (RFC 9112 sections 3 and 5) ------------------

    def _raw(self, data):
        responses, _ = httpraw.exchange(self.url, data)
        self.assertTrue(responses, 'closed without a status')
        return responses[0]

    def test_a_request_line_without_a_version_is_400(self):
        self.assert_refused(self._raw(b'GET /\r\nHost: x\r\n\r\n'), 400)

    def test_a_request_line_with_extra_words_is_400(self):
        self.assert_refused(
            self._raw(b'GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n'), 400)

    def test_a_header_without_a_colon_is_400(self):
        self.assert_refused(
            self._raw(b'GET / HTTP/1.1\r\nHost: x\r\nno colon\r\n\r\n'), 400)

    def test_a_huge_header_is_431(self):
        self.assert_refused(self._raw(httpraw.request(
            'GET', '/', [('X-Big', 'a' * 70000)])), 400, 431)

    def test_a_thousand_headers_are_431(self):
        self.assert_refused(self._raw(httpraw.request(
            'GET', '/', [(f'X-H{n}', 'v') for n in range(1000)])), 400, 431)

    def test_bare_lf_line_endings_get_an_answer(self):
        response = self._raw(b'GET / HTTP/1.1\nHost: x\n\n')
        self.assertIn(response.status, (200, 400))

    def test_an_overlong_uri_is_414_not_truncated(self):
        marker = 'm' * 60000
        response = self.send('GET', f'/v1/groups?marker={marker}')
        self.assertEqual(414, response.status, response.body[:300])

    # -- proxy headers ---------------------------------------------------

    def test_forwarded_headers_are_ignored_when_parsing_is_off(self):
        if not self.proxy_parsing_off_url:
            self.skipTest('no server with proxy header parsing off')
        responses, _ = httpraw.exchange(
            self.proxy_parsing_off_url, httpraw.request('GET', '/', [
                ('X-Forwarded-Proto', 'javascript'),
                ('X-Forwarded-Host', 'evil.example.com')]))
        href = json.loads(responses[0].body)['versions'][0]['links'][0][
            'href']
        self.assertTrue(href.startswith('http://127.0.0.1'), href)
        self.assertNotIn('evil', href)


def _first_key(body):
    # /healthcheck answers text: "OK", then each backend's reason.
    if body.strip().split(b'\n')[0] in (b'OK', b'"OK"'):
        return b'OK'
    return next(iter(json.loads(body))).encode()


class MembershipApiConformanceTest(Conformance, unittest.TestCase):
    """One ``membership-api`` (one gevent worker) over SQLite."""

    read_timeout = 2

    @classmethod
    def setUpClass(cls):
        target = os.environ.get('MEMBERSHIP_TEST_CONFORMANCE_URL')
        if target:  # benchmarks/servers.py points it at other servers
            cls.servers = None
            cls.url = cls.proxy_parsing_off_url = target
            cls.read_timeout = float(os.environ.get(
                'MEMBERSHIP_TEST_CONFORMANCE_READ_TIMEOUT', '20'))
            return
        cls.servers = apiservers.ApiServers(
            1, workers=1, sections='[server]\nread_timeout = 2\n'
                                   'idle_timeout = 5\n').start()
        cls.url = cls.proxy_parsing_off_url = cls.servers.urls[0]

    @classmethod
    def tearDownClass(cls):
        if cls.servers:
            cls.servers.stop()


if __name__ == '__main__':
    unittest.main()

"""A client's mistakes: a 400 with a code, and one INFO line in the log.

Requests gabbi cannot send (bytes that are not UTF-8 in the target or
a header, a UTF-16 body, a body cut short, the raw ``%2F`` a server
keeps in REQUEST_URI), through the whole in-process pipeline; every log
line of the service is captured, so a traceback or an ERROR fails.
"""
import io
import json
import logging
import socket
import time
import uuid

import fixtures
import requests
import testtools
import webob

from membership.api import app
from membership.storage.sqlalchemy import migration
from tests import apiservers
from tests.functional import fixtures as api_fixtures


class ClientErrorTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        tmp = self.useFixture(fixtures.TempDir()).path
        conf = api_fixtures.make_conf(tmp)
        migration.upgrade(conf)
        services = app.Services(conf)
        self.addCleanup(services.storage.dispose)
        self.app = app.load_app(conf, services)
        self.project = uuid.uuid4().hex
        self.log = self.useFixture(fixtures.FakeLogger(
            level=logging.INFO, format='%(levelname)s %(name)s %(message)s'))

    def call(self, method, path, query='', body=None, **environ):
        """``path``, ``query`` and header values are WSGI strings: each
        character is one byte of the request.
        """
        request = webob.Request.blank('/', method=method)
        request.environ.update(PATH_INFO=path, QUERY_STRING=query,
                               HTTP_X_PROJECT_ID=self.project)
        if body is not None:
            request.environ.update({
                'CONTENT_TYPE': 'application/json',
                'CONTENT_LENGTH': str(len(body)),
                'wsgi.input': io.BytesIO(body)})
        request.environ.update(environ)
        return request.get_response(self.app)

    def assertRefused(self, response, code, status=400):
        self.assertEqual(status, response.status_int, response.body)
        self.assertEqual(code, json.loads(response.body)['errors'][0]['code'])
        lines = self.log.output.splitlines()
        self.assertEqual(1, len(lines), self.log.output)
        self.assertTrue(lines[0].startswith(
            'INFO membership.api.requests '), lines[0])
        self.assertIn(f'status: {status}', lines[0])

    def assertNoGroup(self, name):
        response = self.call('GET', f'/v1/groups/{name}')
        self.assertEqual(404, response.status_int, response.body)

    def test_a_path_that_is_not_utf8(self):
        self.assertRefused(self.call('GET', '/v1/groups/a\xff'),
                           'membership.invalid_request')

    def test_a_query_that_is_not_utf8(self):
        queries = ('limit=%ff', 'marker=\xff', 'since=%c3%28')
        for query in queries:
            response = self.call('GET', '/v1/groups', query)
            self.assertEqual(400, response.status_int, query)
            self.assertEqual('membership.invalid_query', json.loads(
                response.body)['errors'][0]['code'])
        lines = self.log.output.splitlines()
        self.assertEqual(len(queries), len(lines), self.log.output)
        self.assertTrue(all(line.startswith('INFO membership.api.requests')
                            for line in lines), self.log.output)

    def test_an_encoded_slash_in_a_name(self):
        for raw in ('/v1/groups/a%2Fb', '/v1/groups/g/members/a%2fb?x=1'):
            path = raw.split('?')[0].replace('%2F', '/').replace('%2f', '/')
            response = self.call('PUT', path, REQUEST_URI=raw)
            self.assertEqual(400, response.status_int, raw)
            self.assertEqual('membership.invalid_name', json.loads(
                response.body)['errors'][0]['code'])
        self.assertNoGroup('a')

    def test_a_project_id_with_bytes_no_id_has(self):
        for project in ('p\xff', 'p\x1b[2J', 'p q', 'caf\xc3\xa9'):
            response = self.call('PUT', '/v1/groups/g',
                                 HTTP_X_PROJECT_ID=project)
            self.assertEqual(400, response.status_int, repr(project))
            self.assertIn('project id', json.loads(
                response.body)['errors'][0]['detail'])

    def test_a_user_id_that_would_forge_log_text(self):
        self.assertRefused(self.call('GET', '/v1/groups',
                                     HTTP_X_USER_ID='u\x1b[31m'),
                           'membership.invalid_request')

    def test_a_utf16_body_with_a_bom_is_not_json(self):
        body = json.dumps({'description': 'utf-16'}).encode('utf-16')
        self.assertTrue(body.startswith(b'\xff\xfe'))
        self.assertRefused(self.call('PUT', '/v1/groups/g16', body=body),
                           'membership.invalid_json')
        self.assertNoGroup('g16')

    def test_a_utf8_body_with_a_bom_is_not_json(self):
        body = b'\xef\xbb\xbf' + json.dumps({'description': 'bom'}).encode()
        self.assertRefused(self.call('PUT', '/v1/groups/bom', body=body),
                           'membership.invalid_json')

    def test_an_accept_header_without_json(self):
        # Found by the fuzzer: pecan logged an ERROR line for each.
        self.assertRefused(self.call('GET', '/v1/groups',
                                     HTTP_ACCEPT='text/html'),
                           'membership.not_acceptable', status=406)
        for accept in ('application/json;q=0', 'image/*'):
            response = self.call('PUT', '/v1/groups/g', HTTP_ACCEPT=accept)
            self.assertEqual(406, response.status_int, accept)
        self.assertNotIn('ERROR', self.log.output)
        self.assertNoGroup('g')

    def test_a_dot_segment_for_a_client_that_accepts_json(self):
        # Found by the fuzzer: pecan rewrote the API-WG body of this 400
        # into its own {"code", "title", "description"} for such a client.
        for accept in ('application/json', 'application/*'):
            response = self.call('PUT', '/v1/groups/g/members/../m',
                                 HTTP_ACCEPT=accept,
                                 REQUEST_URI='/v1/groups/g/members/%2e%2e/m')
            self.assertEqual(400, response.status_int, accept)
            self.assertEqual('membership.invalid_request', json.loads(
                response.body)['errors'][0]['code'], accept)

    def test_head_errors_of_every_filter_have_no_body(self):
        # Found by the fuzzer: the microversion and target filters ran
        # before the head filter, so HEAD got their error bodies.
        for environ in ({'HTTP_OPENSTACK_API_VERSION': 'membership 1.2.3'},
                        {'HTTP_OPENSTACK_API_VERSION': 'membership 9.0'},
                        {'PATH_INFO': '/v1/groups/a/b',
                         'REQUEST_URI': '/v1/groups/a%2Fb'},
                        {'QUERY_STRING': 'marker=%ff'}):
            response = self.call('HEAD', environ.pop('PATH_INFO',
                                                     '/v1/groups'), **environ)
            self.assertIn(response.status_int, (400, 406), environ)
            self.assertEqual(b'', response.body, environ)
            self.assertEqual('application/json', response.content_type)

    def test_a_client_that_disconnects_mid_body(self):
        body = b'{"description": "cut'
        response = self.call('PUT', '/v1/groups/cut', body=body,
                             CONTENT_LENGTH='4096')
        self.assertRefused(response, 'membership.invalid_request')
        self.assertIn('disconnected', json.loads(
            response.body)['errors'][0]['detail'])
        self.assertNoGroup('cut')

    def test_a_read_error_of_the_server_mid_body(self):
        class Gone:
            def read(self, *args):
                raise OSError('error waiting for wsgi.input data')
        self.assertRefused(self.call('PUT', '/v1/groups/gone', body=b'{}',
                                     **{'wsgi.input': Gone()}),
                           'membership.invalid_request')


class RealServerTest(testtools.TestCase):
    """The same mistakes through a real ``membership-api``: its HTTP
    server decodes %2F into PATH_INFO and reports a client gone mid-body
    its own way.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.servers = apiservers.ApiServers(1).start()
        cls.server = cls.servers.servers[0]

    @classmethod
    def tearDownClass(cls):
        cls.servers.stop()
        super().tearDownClass()

    def send(self, raw):
        """``raw`` bytes on a new connection; the first response line."""
        with socket.create_connection(('127.0.0.1', self.server.port),
                                      timeout=10) as sock:
            sock.sendall(raw)
            sock.shutdown(socket.SHUT_WR)
            return sock.makefile('rb').readline()

    def test_an_encoded_slash_is_invalid_name(self):
        response = requests.put(self.server.url + '/v1/groups/a%2Fb',
                                timeout=10)
        self.assertEqual(400, response.status_code, response.text)
        self.assertEqual('membership.invalid_name',
                         response.json()['errors'][0]['code'])

    def test_a_client_gone_mid_body_logs_no_error(self):
        project = uuid.uuid4().hex
        self.send(b'PUT /v1/groups/cut HTTP/1.1\r\nHost: x\r\n'
                  b'X-Project-Id: ' + project.encode() + b'\r\n'
                  b'Content-Type: application/json\r\n'
                  b'Content-Length: 4096\r\n\r\n{"description": "cut')
        self.send(b'GET /v1/groups?marker=%ff HTTP/1.1\r\nHost: x\r\n\r\n')
        bad_path = requests.get(self.server.url + '/v1/groups/a%ff',
                                timeout=10)
        self.assertEqual(400, bad_path.status_code, bad_path.text)
        time.sleep(0.5)  # the server writes its log
        with open(self.server.log) as f:
            log = f.read()
        self.assertIn('"PUT /v1/groups/cut" status: 400', log)
        self.assertIn('"GET /v1/groups?marker=%ff" status: 400', log)
        for bad in ('Traceback', ' ERROR ', ' CRITICAL '):
            self.assertNotIn(bad, log)
        self.assertEqual(404, requests.get(
            self.server.url + '/v1/groups/cut', timeout=10,
            headers={'X-Project-Id': project}).status_code)

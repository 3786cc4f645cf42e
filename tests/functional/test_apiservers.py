"""The test servers are the ones the tests started: a port taken by
another process between its choice and the server's bind is never
mistaken for the server's own.
"""
import socket

import fixtures
import requests
import testtools

from tests import apiservers


class PortTakenTest(testtools.TestCase):

    def hold_a_port(self):
        sock = socket.socket()
        self.addCleanup(sock.close)
        sock.bind(('127.0.0.1', 0))
        sock.listen()
        return sock.getsockname()[1]

    def test_a_server_whose_port_is_taken_moves_to_another(self):
        taken = self.hold_a_port()
        ports = iter([taken])
        choose = apiservers.free_port
        self.useFixture(fixtures.MonkeyPatch(
            'tests.apiservers.free_port', lambda: next(ports, None) or
            choose()))
        servers = apiservers.ApiServers(1).start()
        self.addCleanup(servers.stop)
        server = servers.servers[0]
        self.assertNotEqual(taken, server.port)
        self.assertTrue(apiservers.listens(server.process.pid, server.port))
        self.assertEqual(200, requests.get(
            server.url + '/v1/groups', headers={'X-Project-Id': 'p'},
            timeout=10).status_code)

    def test_a_port_given_and_taken_is_an_error(self):
        taken = self.hold_a_port()
        tmp = self.useFixture(fixtures.TempDir()).path
        server = apiservers.ApiServer(tmp, f'sqlite:///{tmp}/m.sqlite',
                                      port=taken)
        self.assertRaises(apiservers.PortTaken, server.start)

    def test_another_process_listening_is_not_ours(self):
        servers = apiservers.ApiServers(1).start()
        self.addCleanup(servers.stop)
        server = servers.servers[0]
        self.assertFalse(apiservers.listens(server.process.pid,
                                            self.hold_a_port()))

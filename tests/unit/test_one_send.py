"""A response's head leaves with its body, and nothing is held back."""
import socket

import testtools

from membership.server import worker

HEAD = b'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n'


class OneSendTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.server, self.client = socket.socketpair()
        self.addCleanup(self.client.close)
        self.sock = worker.OneSend(self.server)
        self.addCleanup(self.sock.close)
        self.client.settimeout(5)

    def _pending(self):
        """What the client could read now, without waiting."""
        self.client.setblocking(False)
        try:
            return self.client.recv(65536)
        except BlockingIOError:
            return b''
        finally:
            self.client.settimeout(5)

    def test_the_head_goes_with_the_body_in_one_send(self):
        self.sock.sendall(HEAD)
        self.assertEqual(b'', self._pending())
        self.sock.sendall(b'{}')
        self.assertEqual(HEAD + b'{}', self.client.recv(65536))

    def test_a_bodiless_answer_leaves_when_the_response_is_done(self):
        closing = worker._Closing([], self.sock)
        self.sock.sendall(b'HTTP/1.1 204 No Content\r\n\r\n')
        closing.close()
        self.assertEqual(b'HTTP/1.1 204 No Content\r\n\r\n',
                         self.client.recv(65536))

    def test_held_bytes_leave_before_a_read(self):
        # An interim 100 Continue: the client sends its body only then.
        self.sock.sendall(b'HTTP/1.1 100 Continue\r\n\r\n')
        self.client.sendall(b'body')
        self.assertEqual(b'body', self.sock.recv(4))
        self.assertEqual(b'HTTP/1.1 100 Continue\r\n\r\n',
                         self.client.recv(65536))

    def test_held_bytes_leave_before_shutdown_and_close(self):
        self.sock.sendall(HEAD)
        self.sock.shutdown(socket.SHUT_WR)
        self.assertEqual(HEAD, self.client.recv(65536))
        self.sock.sendall(HEAD)  # after shutdown: must not be lost silently
        self.assertRaises(OSError, self.sock.close)

    def test_other_data_is_sent_at_once(self):
        self.sock.sendall(b'{"a": 1}\r\n\r\n')
        self.assertEqual(b'{"a": 1}\r\n\r\n', self.client.recv(65536))

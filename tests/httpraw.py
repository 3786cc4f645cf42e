"""HTTP/1.1 over raw sockets, for tests that send what clients should not.

A tiny response reader (status line, headers, a body framed by
Content-Length, chunked coding or the end of the connection): enough to
check a server's framing without trusting an HTTP library that would
normalise the very bytes under test.
"""
import asyncio
import dataclasses
import socket
import time
import urllib.parse


@dataclasses.dataclass
class Response:
    status: int
    reason: str
    headers: list
    body: bytes

    def header(self, name, default=None):
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return default

    @property
    def closes(self):
        return 'close' in (self.header('Connection') or '').lower()


class Connection:
    """One TCP connection to ``url``'s host and port."""

    def __init__(self, url, timeout=10):
        parsed = urllib.parse.urlsplit(url)
        self.sock = socket.create_connection(
            (parsed.hostname, parsed.port or 80), timeout=timeout)
        self.buffer = b''

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self.sock.close()

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError('the server closed the connection')
        self.buffer += data

    def _line(self):
        while b'\r\n' not in self.buffer:
            self._fill()
        line, self.buffer = self.buffer.split(b'\r\n', 1)
        return line

    def _exactly(self, count):
        while len(self.buffer) < count:
            self._fill()
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def response(self, method='GET'):
        """The next response (100 Continue included); EOFError when the
        server closed the connection first.
        """
        status_line = self._line().decode('latin-1')
        version, status, *reason = status_line.split(' ', 2)
        if not version.startswith('HTTP/1.'):
            raise ValueError(f'not an HTTP/1 status line: {status_line!r}')
        headers = []
        while True:
            line = self._line()
            if not line:
                break
            name, _, value = line.decode('latin-1').partition(':')
            headers.append((name.strip(), value.strip()))
        response = Response(int(status), reason[0] if reason else '',
                            headers, b'')
        code = response.status
        if method == 'HEAD' or code < 200 or code in (204, 304):
            return response
        if 'chunked' in (response.header('Transfer-Encoding') or '').lower():
            response.body = self._chunked()
        elif response.header('Content-Length') is not None:
            response.body = self._exactly(
                int(response.header('Content-Length')))
        else:
            response.body = self._until_closed()
        return response

    def _chunked(self):
        body = b''
        while True:
            size = int(self._line().split(b';')[0], 16)
            if not size:
                while self._line():
                    pass
                return body
            body += self._exactly(size)
            self._line()

    def _until_closed(self):
        while True:
            try:
                self._fill()
            except EOFError:
                data, self.buffer = self.buffer, b''
                return data

    def closed_within(self, seconds):
        """True when the server closes (EOF or reset) within ``seconds``
        and sends nothing more before that.
        """
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                return False
            except ConnectionError:
                return True
            if not data:
                return True
            self.buffer += data
        return False


def request(method, path, headers=(), body=b'', host='127.0.0.1',
            version='HTTP/1.1'):
    """The bytes of one request; ``headers`` as (name, value) pairs, sent
    in order and as given (no Content-Length is added).
    """
    lines = [f'{method} {path} {version}', f'Host: {host}']
    lines += [f'{name}: {value}' for name, value in headers]
    head = '\r\n'.join(lines).encode('latin-1') + b'\r\n\r\n'
    return head + body


def exchange(url, data, count=1, method='GET', timeout=10):
    """Send ``data`` on a new connection, read up to ``count`` responses;
    returns (responses, closed): closed is True when the server closed
    the connection before ``count`` responses came.
    """
    responses = []
    with Connection(url, timeout=timeout) as conn:
        conn.send(data)
        try:
            while len(responses) < count:
                responses.append(conn.response(method))
        except (EOFError, ConnectionError):
            return responses, True
    return responses, False


async def open_many(url, count, data=None):
    """``count`` asyncio connections to ``url``, each sent ``data``."""
    parsed = urllib.parse.urlsplit(url)
    opened = []
    for _ in range(count):
        reader, writer = await asyncio.open_connection(parsed.hostname,
                                                       parsed.port)
        if data:
            writer.write(data)
        opened.append((reader, writer))
    return opened


async def first_statuses(connections, seconds):
    """The status each of ``connections`` answers within ``seconds``:
    None when nothing came, 'EOF' when the server closed first.
    """
    async def one(reader):
        try:
            line = await asyncio.wait_for(reader.readline(), seconds)
        except (asyncio.TimeoutError, ConnectionError):
            return None
        return int(line.split()[1]) if line.startswith(b'HTTP/') else 'EOF'
    return await asyncio.gather(*(one(r) for r, _ in connections))

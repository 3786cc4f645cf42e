"""gunicorn's gevent worker with a graceful drain and a read timeout.

Every connection is a greenlet: an idle keep-alive connection, a slow
client or a parked long-poll costs a few kilobytes, not a thread. What
this subclass adds to gunicorn's ``GeventWorker``:

- on SIGTERM, before gunicorn waits ``graceful_timeout`` for in-flight
  requests, :func:`membership.server.draining.start` wakes parked
  long-polls so they answer now, and connections that are idle between
  requests are closed (gunicorn would wait for their keep-alive timeout);
- :class:`OneSend` sends a response's head with its body, in one
  ``send``: gunicorn writes them apart, which costs a heartbeat two
  system calls and its client two wake-ups;
- :class:`ReadTimeout` bounds each read of a request body and each write
  of a response (``[server] read_timeout``): gunicorn bounds the request
  head only (``keepalive``), a body that stops short would hold its
  greenlet forever.
"""
import contextlib
import functools
import socket

import gevent
import gevent.socket
from gunicorn.workers import ggevent

from membership import blocking
from membership.server import cooperative
from membership.server import draining
from membership import watch


class Worker(ggevent.GeventWorker):

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # greenlet -> the silent Timeout bounding its wait for a request
        self._between_requests = {}

    @contextlib.contextmanager
    def timeout_ctx(self):
        # gunicorn wraps exactly the wait for the next request's head in
        # this: the connection is idle (or sending its headers) here.
        # Once draining, a connection that finished its request closes
        # instead of waiting for another.
        timeout = gevent.Timeout(self.cfg.keepalive if self.alive else 0,
                                 False)
        current = gevent.getcurrent()
        self._between_requests[current] = timeout
        try:
            with timeout:
                yield
        finally:
            self._between_requests.pop(current, None)

    def handle(self, listener, client, addr):
        super().handle(listener, OneSend(client), addr)

    def init_process(self):
        # A call that blocks in C (a writer waiting for another process's
        # lock on the SQLite file) waits in a thread of gevent's pool,
        # not in the loop that serves every connection of this worker.
        blocking.install(
            lambda fn, args: gevent.get_hub().threadpool.apply(fn, args))
        cooperative.install_psycopg2_wait()
        super().init_process()

    def handle_exit(self, sig, frame):
        super().handle_exit(sig, frame)
        # Not in the signal handler: the callbacks take locks.
        gevent.spawn(self._drain)

    def _drain(self):
        self.log.info('Draining (pid: %s): waking parked requests, closing '
                      'idle connections', self.pid)
        draining.start()
        for greenlet, timeout in list(self._between_requests.items()):
            # The same silent Timeout gunicorn would see expire: the
            # connection closes cleanly, with no error response.
            greenlet.kill(timeout, block=False)


class ReadTimeout:
    """Bound reads and writes of the request's socket while it is served.

    Between requests the socket has no timeout (gunicorn's keep-alive
    timer bounds that wait); a parked long-poll does no I/O, so it is not
    affected either. A read that times out raises ``TimeoutError`` to the
    application, which answers 400; the connection is then closed, since
    the rest of that body may still come.
    """

    def __init__(self, application, seconds):
        self.application = application
        self.seconds = seconds

    def __call__(self, environ, start_response):
        sock = environ.get('gunicorn.socket')
        if sock is None:
            return self.application(environ, start_response)
        # A busy keep-alive connection never blocks (its next request is
        # always there to read), so its greenlet would never give the
        # loop back: yield once per request, and every connection gets
        # its turn.
        gevent.sleep(0)
        environ['wsgi.input'] = _Input(environ['wsgi.input'], environ)
        environ[watch.CLIENT_GONE] = functools.partial(_on_close, sock)

        def _start_response(status, headers, exc_info=None):
            if environ.get(_FAILED) or draining.is_draining():
                headers = [(k, v) for k, v in headers
                           if k.lower() != 'connection']
                headers.append(('Connection', 'close'))
            return start_response(status, headers, exc_info)

        sock.settimeout(self.seconds)
        try:
            result = self.application(environ, _start_response)
        except BaseException:
            sock.settimeout(None)
            raise
        return _Closing(result, sock)


_FAILED = 'membership.server.read_failed'


def _on_close(sock, callback):
    """Call ``callback()`` when the client closes ``sock``; returns the
    function that stops watching. The event loop watches the socket for
    readability (no polling, and no greenlet while nothing happens: a
    parked long-poll costs its own greenlet only). Readable means the
    client went away, or pipelined its next request (then it stays).
    """
    watcher = gevent.get_hub().loop.io(sock.fileno(), 1)  # 1: readable

    def check():
        try:
            closed = sock.recv(1, socket.MSG_PEEK) == b''
        except OSError:
            closed = True
        if closed:
            callback()

    def readable():
        watcher.stop()
        # Not in the loop's own callback: the check may block.
        gevent.spawn(check)

    def stop():
        watcher.stop()
        watcher.close()

    watcher.start(readable)
    return stop


class _Input:
    """wsgi.input that remembers a failed read (a timeout, a reset)."""

    def __init__(self, stream, environ):
        self._stream = stream
        self._environ = environ

    def _guard(self, method, *args):
        try:
            return method(*args)
        except OSError:
            self._environ[_FAILED] = True
            raise

    def read(self, *args):
        return self._guard(self._stream.read, *args)

    def readline(self, *args):
        return self._guard(self._stream.readline, *args)

    def readlines(self, *args):
        return self._guard(self._stream.readlines, *args)

    def __iter__(self):
        return iter(self.readline, b'')


class _Closing:
    """The response iterable; puts the socket back to no timeout once
    gunicorn has written it (it calls close() after the last write).
    """

    def __init__(self, result, sock):
        self._result = result
        self._sock = sock

    def __iter__(self):
        return iter(self._result)

    def close(self):
        try:
            if hasattr(self._result, 'close'):
                self._result.close()
            # The response is written: a head held back goes out now.
            flush = getattr(self._sock, 'flush', None)
            if flush is not None:
                flush()
        finally:
            self._sock.settimeout(None)


class OneSend:
    """A client socket that sends a response's head with what follows.

    gunicorn writes the status line and headers in one ``sendall`` and
    the body in the next. A head is held back (it ends the data given,
    with the blank line) and goes out with the next data. Anything held
    is sent before the socket reads, shuts down or closes, and when the
    response is done (:class:`_Closing` flushes it), so nothing waits:
    a bodiless answer (204, HEAD) or an interim ``100 Continue`` leaves
    as it would have.
    """

    def __init__(self, sock):
        self._sock = sock
        self._held = b''

    def __getattr__(self, name):
        return getattr(self._sock, name)

    def sendall(self, data, *flags):
        data = self._held + data if self._held else data
        self._held = b''
        if data[:5] == b'HTTP/' and data[-4:] == b'\r\n\r\n':
            self._held = bytes(data)
            return None
        return self._sock.sendall(data, *flags)

    def flush(self):
        if self._held:
            held, self._held = self._held, b''
            self._sock.sendall(held)

    def recv(self, *args):
        self.flush()
        return self._sock.recv(*args)

    def recv_into(self, *args):
        self.flush()
        return self._sock.recv_into(*args)

    def send(self, *args):
        self.flush()
        return self._sock.send(*args)

    def shutdown(self, how):
        try:
            self.flush()
        finally:
            self._sock.shutdown(how)

    def close(self):
        try:
            self.flush()
        finally:
            self._sock.close()

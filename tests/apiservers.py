"""Real ``membership-api`` OS processes for tests and benchmarks.

Each server is its own ``membership-api`` (gunicorn, gevent workers) on
a free loopback port, over one shared database; stopped by PID (SIGTERM:
gracefully).
"""
import concurrent.futures
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

import requests

from tests import dbserver

BIN = os.path.dirname(sys.executable)


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class PortTaken(Exception):
    """Another process listens on the port a server was given."""


def listens(pid, port):
    """Whether process ``pid`` holds a socket listening on ``port``
    (Linux: the LISTEN sockets of /proc/net/tcp*, by inode, among the
    process's file descriptors).
    """
    inodes = set()
    for table in ('/proc/net/tcp', '/proc/net/tcp6'):
        try:
            with open(table) as f:
                rows = f.read().splitlines()[1:]
        except FileNotFoundError:
            continue
        for row in rows:
            fields = row.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == '0A' and int(local.rsplit(':', 1)[1], 16) == port:
                inodes.add(f'socket:[{inode}]')
    fds = f'/proc/{pid}/fd'
    try:
        descriptors = os.listdir(fds)
    except FileNotFoundError:  # it exited
        return False
    for fd in descriptors:
        try:
            if os.readlink(os.path.join(fds, fd)) in inodes:
                return True
        except FileNotFoundError:
            continue
    return False


def _taken(port):
    with socket.socket() as sock:
        try:
            sock.bind(('127.0.0.1', port))
        except OSError:
            return True
    return False


class ApiServer:

    def __init__(self, workdir, connection, workers=1, threads=16,
                 extra='', port=None, auth_strategy='noauth', sections='',
                 args=None):
        """``extra`` goes into [api]; ``sections`` are whole sections;
        ``args``: the command line, instead of ``--config-file`` this
        server's file (``self.config``).
        """
        self._workdir = workdir
        # The configuration, around the [api] port.
        self._settings = (f'[DEFAULT]\nauth_strategy = {auth_strategy}\n'
                          f'state_path = {workdir}\n'
                          f'[database]\nconnection = {connection}\n'
                          f'[api]\nport = ',
                          f'\nworkers = {workers}\n'
                          f'threads = {threads}\n{extra}\n{sections}\n')
        # A port of our choosing may be taken between free_port() and the
        # server's bind, by a server of another test: start() then tries
        # another one.
        self._may_move = port is None and args is None
        self._configure(port or free_port())
        self.args = args or ['--config-file', self.config]
        self.process = None

    def _configure(self, port):
        self.port = port
        self.url = f'http://127.0.0.1:{port}'
        self.config = os.path.join(self._workdir, f'api-{port}.conf')
        self.log = os.path.join(self._workdir, f'api-{port}.log')
        with open(self.config, 'w') as f:
            f.write(str(port).join(self._settings))

    def start(self, attempts=3):
        for attempt in range(1, attempts + 1):
            try:
                return self._start()
            except PortTaken:
                if not self._may_move or attempt == attempts:
                    raise
                os.unlink(self.config)
                self._configure(free_port())
                self.args = ['--config-file', self.config]

    def _start(self):
        with open(self.log, 'ab') as log:
            self.process = subprocess.Popen(
                [os.path.join(BIN, 'membership-api')] + self.args,
                stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                if _taken(self.port):
                    raise PortTaken(self.port)
                raise RuntimeError(f'membership-api exited: see {self.log}')
            try:
                # Ours only if our process holds the listening socket:
                # another test's server may answer on this port.
                if (requests.get(self.url + '/', timeout=1).ok
                        and listens(self.process.pid, self.port)):
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f'membership-api did not start: see {self.log}')

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


class ApiServers:
    """``count`` API processes over one database (SQLite file default)."""

    def __init__(self, count, connection=None, **kwargs):
        self.tmp = tempfile.TemporaryDirectory(prefix='membership-api-')
        self.connection = connection or 'sqlite:///' + os.path.join(
            self.tmp.name, 'membership.sqlite')
        self.servers = [ApiServer(self.tmp.name, self.connection, **kwargs)
                        for _ in range(count)]

    def start(self):
        subprocess.run([os.path.join(BIN, 'membership-manage'),
                        '--config-file', self.servers[0].config,
                        'db', 'sync'], check=True, capture_output=True)
        try:
            for server in self.servers:
                server.start()
        except Exception:
            self.stop()
            raise
        return self

    def stop(self):
        for server in self.servers:
            server.stop()
        keep = os.environ.get('MEMBERSHIP_TEST_KEEP_LOGS')
        if keep:
            os.makedirs(keep, exist_ok=True)
            for server in self.servers:
                shutil.copy(server.log, keep)
        self.tmp.cleanup()

    @property
    def urls(self):
        return [server.url for server in self.servers]


class ServersTestCase(unittest.TestCase):
    """Tests against ``processes`` API processes over one fresh database
    (SQLite, or MEMBERSHIP_TEST_DB_URL's server), with a pool of
    ``clients`` threads and an HTTP session each.
    """

    processes = 4
    clients = 50
    server_options = {'threads': 16}

    @classmethod
    def setUpClass(cls):
        cls.database = dbserver.fresh_database()
        cls.servers = ApiServers(
            cls.processes,
            connection=cls.database.url if cls.database else None,
            **cls.server_options).start()
        cls.pool = concurrent.futures.ThreadPoolExecutor(cls.clients)
        cls.sessions = [requests.Session() for _ in range(cls.clients)]

    @classmethod
    def tearDownClass(cls):
        cls.pool.shutdown()
        cls.servers.stop()
        if cls.database:
            cls.database.drop()

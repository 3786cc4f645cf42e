#!/usr/bin/env python3
"""Run a command against real membership API processes, then stop them.

    tools/with-membership.py [--servers N] [--ttl-option ...] -- COMMAND...

Starts N ``membership-api`` processes (noauth, one SQLite database,
each on a free loopback port; tests/apiservers.py) and, in front of
them, a small round-robin TCP balancer on another free loopback port, as
a deployment's load balancer would be: each new connection goes to the
next API process, so the clients of COMMAND (several coordinators, each
with its own connections) are spread over all of them. Exports

    MEMBERSHIP_TEST_URL      http://127.0.0.1:PORT (the balancer)
    MEMBERSHIP_TEST_URLS     the API processes, space-separated
    TOOZ_TEST_URL            membership://127.0.0.1:PORT?timeout=5

runs COMMAND, prints how many connections each process got, stops the
processes by PID and exits with COMMAND's status.
"""
import argparse
import os
import socket
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from tests import apiservers  # noqa: E402


class Balancer:
    """Round-robin TCP forwarding on 127.0.0.1, one thread per direction."""

    def __init__(self, backends):
        self.backends = backends
        self.counts = [0] * len(backends)
        self.listener = socket.create_server(('127.0.0.1', 0), backlog=256)
        self.port = self.listener.getsockname()[1]
        self._next = 0
        self._lock = threading.Lock()

    def start(self):
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with self._lock:
                index = self._next
                self._next = (self._next + 1) % len(self.backends)
                self.counts[index] += 1
            try:
                server = socket.create_connection(self.backends[index])
            except OSError:
                client.close()
                continue
            for src, dst in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(src, dst),
                                 daemon=True).start()

    @staticmethod
    def _pipe(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock, how in ((dst, socket.SHUT_WR), (src, socket.SHUT_RD)):
                try:
                    sock.shutdown(how)
                except OSError:
                    pass

    def stop(self):
        self.listener.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--servers', type=int, default=2)
    parser.add_argument('--threads', type=int, default=16)
    parser.add_argument('--tooz-timeout', type=int, default=5)
    parser.add_argument('command', nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ['--'] else args.command
    if not command:
        parser.error('no command given')
    servers = apiservers.ApiServers(args.servers, threads=args.threads,
                                    workers=1).start()
    balancer = None
    try:
        balancer = Balancer([('127.0.0.1', s.port)
                             for s in servers.servers]).start()
        url = f'http://127.0.0.1:{balancer.port}'
        env = dict(os.environ, MEMBERSHIP_TEST_URL=url,
                   MEMBERSHIP_TEST_URLS=' '.join(servers.urls),
                   TOOZ_TEST_URL=f'membership://127.0.0.1:{balancer.port}'
                                 f'?timeout={args.tooz_timeout}')
        print(f'with-membership: {args.servers} API processes '
              f'{" ".join(servers.urls)} behind {url}', file=sys.stderr)
        status = subprocess.call(command, env=env)
        print('with-membership: connections per API process: '
              + ', '.join(f'{s.url} {n}' for s, n in
                          zip(servers.servers, balancer.counts)),
              file=sys.stderr)
        return status
    finally:
        if balancer:
            balancer.stop()
        servers.stop()


if __name__ == '__main__':
    sys.exit(main())

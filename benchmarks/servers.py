"""Which WSGI server for membership-api: the real app under each one.

Each server serves the whole membership app (noauth, SQLite, synced
first) on 127.0.0.1 and is measured on:

- conformance: tests/functional/test_http_conformance.py run against it
  (raw sockets; passed/total and the failed checks);
- slow: 1,000 idle keep-alive connections and 100 clients sending their
  headers one byte a second, while another client heartbeats on fresh
  connections (1 s timeout): ok/failed and p99;
- polls: WAITERS long-polls (``GET .../events?timeout=20``, 1.1) parked,
  then one join: how many answered within 30 s, when the last came, the
  server's CPU seconds while parking, RSS before and parked, and
  heartbeats while they are parked;
- wrk: heartbeat req/s and p99 (16 connections, benchmarks/load.py's
  Lua script), RUNS times;
- sigterm: 10 parked long-polls (timeout 20 s), SIGTERM to the master:
  how many got a 200, how many were cut, how long until it exited.

    python benchmarks/servers.py [NAME ...]      (BENCH_WAITERS=2000)

The machine has 2 cores shared with the client and with others: repeat
and read ranges, not single figures.
"""
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

import psutil
import requests

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from benchmarks import load  # noqa: E402
from tests import apiservers  # noqa: E402
from tests.functional import test_http_conformance  # noqa: E402
from tests import httpraw  # noqa: E402

BIN = os.path.dirname(sys.executable)
WAITERS = int(os.environ.get('BENCH_WAITERS', '2000'))
RUNS = int(os.environ.get('BENCH_RUNS', '3'))
DURATION = os.environ.get('BENCH_DURATION', '10s')
MEMBERS = 200
APP = 'membership.api.wsgi:application'
THREADS = 32  # the old membership-api default, 2 processes x 32


def commands(port, conf):
    uwsgi = [os.path.join(BIN, 'uwsgi'), '--master', '--die-on-term',
             '--need-app', '--lazy-apps', '--single-interpreter',
             '--processes', '2', '--threads', str(THREADS),
             '--module', APP, '--env', f'MEMBERSHIP_CONFIG_FILE={conf}',
             '--buffer-size', '65535', '--disable-logging']
    gunicorn = [os.path.join(BIN, 'gunicorn'), '-b', f'127.0.0.1:{port}',
                '--no-control-socket', '-w', '2', '--graceful-timeout',
                '20']
    return {
        'uwsgi-http11': uwsgi + ['--http11-socket', f'127.0.0.1:{port}',
                                 '--thunder-lock', '--listen', '128'],
        'uwsgi-http-router': uwsgi + [
            '--http', f'127.0.0.1:{port}', '--http-keepalive',
            '--http-chunked-input'],
        'gunicorn-gevent (membership-api)': [
            os.path.join(BIN, 'membership-api'), '--config-file', conf],
        'granian': [os.path.join(BIN, 'granian'), '--interface', 'wsgi',
                    '--host', '127.0.0.1', '--port', str(port),
                    '--workers', '2', '--blocking-threads', str(THREADS),
                    '--backlog', '4096', '--backpressure', '20000',
                    '--no-ws', APP],
        'gunicorn-gthread': gunicorn + ['-k', 'gthread', '--threads',
                                        str(THREADS), APP],
    }


class Server:

    def __init__(self, name, workdir):
        self.name = name
        self.port = apiservers.free_port()
        self.url = f'http://127.0.0.1:{self.port}'
        self.conf = os.path.join(workdir, f'{self.port}.conf')
        with open(self.conf, 'w') as f:
            f.write(f'[DEFAULT]\nauth_strategy = noauth\nstate_path = '
                    f'{workdir}/{self.port}\n[api]\nport = {self.port}\n'
                    f'workers = 2\nthreads = {THREADS}\n'
                    f'max_waiters = {WAITERS + 100}\n')
        self.command = commands(self.port, self.conf)[name]
        self.log = os.path.join(workdir, f'{self.port}.log')

    def start(self):
        subprocess.run([os.path.join(BIN, 'membership-manage'),
                        '--config-file', self.conf, 'db', 'sync'],
                       check=True, capture_output=True)
        env = dict(os.environ, MEMBERSHIP_CONFIG_FILE=self.conf)
        with open(self.log, 'ab') as log:
            self.process = subprocess.Popen(
                self.command, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True, env=env)
        for _ in range(600):
            try:
                if requests.get(self.url + '/', timeout=1).ok:
                    return self
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError(f'{self.name} did not start: {self.log}')

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def tree(self):
        try:
            master = psutil.Process(self.process.pid)
            return [master] + master.children(recursive=True)
        except psutil.NoSuchProcess:
            return []

    def rss_mb(self):
        return sum(p.memory_info().rss for p in self.tree()) / 2 ** 20

    def cpu(self):
        return sum(sum(p.cpu_times()[:2]) for p in self.tree())


class Client:

    def __init__(self, url):
        self.url = url
        self.project = uuid.uuid4().hex
        self.headers = {'X-Project-Id': self.project,
                        'OpenStack-API-Version': 'membership 1.1'}
        self.group = f'{url}/v1/groups/bench'
        requests.put(self.group, headers=self.headers).raise_for_status()
        for n in range(MEMBERS):
            requests.put(f'{self.group}/members/m{n}', json={'ttl': 3600},
                         headers=self.headers).raise_for_status()

    def heartbeats(self, seconds, timeout=1.0):
        """Fresh-connection heartbeats for ``seconds``: (ok, failed, p99)."""
        times, failed = [], 0
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and len(times) + failed < 2000:
            sent = time.perf_counter()
            try:
                ok = requests.post(f'{self.group}/members/m1/heartbeat',
                                   headers=self.headers,
                                   timeout=timeout).status_code == 204
            except requests.RequestException:
                ok = False
            if ok:
                times.append((time.perf_counter() - sent) * 1000)
            else:
                failed += 1
            time.sleep(0.05)
        p99 = (statistics.quantiles(times, n=100)[98] if len(times) > 1
               else float('nan'))
        return len(times), failed, p99

    def poll(self, timeout):
        revision = requests.get(self.group,
                                headers=self.headers).json()['revision']
        return httpraw.request(
            'GET', f'/v1/groups/bench/events?since={revision}&timeout='
            f'{timeout}', list(self.headers.items()))


async def _connect(url, count, data=b''):
    port = int(url.rsplit(':', 1)[1])
    conns = []
    for _ in range(count):
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection('127.0.0.1', port), 5)
        except (OSError, asyncio.TimeoutError):
            continue
        writer.write(data)
        conns.append((reader, writer))
    return conns


async def _first_lines(conns, seconds, started):
    async def one(reader):
        try:
            line = await asyncio.wait_for(reader.readline(), seconds)
        except (asyncio.TimeoutError, OSError):
            return None, None
        return line[9:12], time.monotonic() - started
    return await asyncio.gather(*(one(r) for r, _ in conns))


def conformance(server, client):
    os.environ['MEMBERSHIP_TEST_CONFORMANCE_URL'] = server.url
    os.environ['MEMBERSHIP_TEST_CONFORMANCE_READ_TIMEOUT'] = '5'
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(
        test_http_conformance.MembershipApiConformanceTest)
    with open(os.devnull, 'w') as null:
        result = unittest.TextTestRunner(stream=null).run(suite)
    failed = sorted(t.id().rsplit('.', 1)[1][5:]
                    for t, _ in result.failures + result.errors)
    return f'{result.testsRun - len(failed)}/{result.testsRun}', failed


def slow_clients(server, client):
    head = httpraw.request('GET', '/', [('X-Project-Id', 'x')])

    async def scenario():
        idle = await _connect(server.url, 1000)
        slow = await _connect(server.url, 100)
        task = asyncio.ensure_future(asyncio.to_thread(
            client.heartbeats, 12))
        for n in range(12):
            for _, writer in slow:
                writer.write(head[n:n + 1])
            await asyncio.sleep(1)
        result = await task
        for _, writer in idle + slow:
            writer.close()
        return len(idle), len(slow), result

    idle, slow, (ok, failed, p99) = asyncio.run(scenario())
    return f'{ok} ok / {failed} failed, p99 {p99:.1f} ms ' \
           f'({idle} idle + {slow} slow open)'


def parked_polls(server, client):
    async def scenario():
        rss = server.rss_mb()
        cpu = server.cpu()
        conns = await _connect(server.url, WAITERS, client.poll(20))
        await asyncio.sleep(3)
        parked = (server.cpu() - cpu, server.rss_mb())
        beats = await asyncio.to_thread(client.heartbeats, 3)
        started = time.monotonic()
        await asyncio.to_thread(requests.put, client.group + '/members/wake',
                                headers=client.headers, timeout=30)
        lines = await _first_lines(conns, 30, started)
        for _, writer in conns:
            writer.close()
        return rss, parked, beats, lines

    rss, (cpu, rss_parked), (ok, failed, p99), lines = asyncio.run(
        scenario())
    woken = [t for status, t in lines if status == b'200']
    last = f'last at {max(woken):.2f} s' if woken else 'none'
    return (f'{len(woken)}/{WAITERS} answered in 30 s ({last}); parking '
            f'cost {cpu:.1f} s CPU, RSS {rss:.0f} -> {rss_parked:.0f} MB; '
            f'heartbeats meanwhile {ok} ok / {failed} failed, p99 '
            f'{p99:.1f} ms')


def wrk(server, client):
    figures = []
    for _ in range(RUNS):
        out = load.run(server.url, load.script(
            'POST', '"/v1/groups/bench/members/m" .. n .. "/heartbeat"', 204,
            MEMBERS, headers=(('X-Project-Id', client.project),)),
            16, DURATION)
        flag = ' (errors)' if out['errors'] or out['unexpected'] else ''
        figures.append(f"{out['rps']:,.0f}/s p99 {out['p99']:.1f} ms{flag}")
    return '; '.join(figures)


def sigterm(server, client):
    async def scenario():
        conns = await _connect(server.url, 10, client.poll(20))
        await asyncio.sleep(2)
        started = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        lines = await _first_lines(conns, 25, started)
        exited = await asyncio.to_thread(_wait_exit, server.process, 30)
        return lines, exited

    lines, exited = asyncio.run(scenario())
    answered = [t for status, t in lines if status == b'200']
    cut = len(lines) - len(answered)
    when = f' by {max(answered):.1f} s' if answered else ''
    return f'{len(answered)}/10 got 200{when}, {cut} cut; exit {exited}'


def _wait_exit(process, seconds):
    started = time.monotonic()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        return f'not within {seconds} s'
    return f'after {time.monotonic() - started:.1f} s'


def measure(name, workdir):
    server = Server(name, workdir).start()
    row = {'server': name}
    try:
        client = Client(server.url)
        for axis in (conformance, slow_clients, parked_polls, wrk, sigterm):
            started = time.monotonic()
            try:
                row[axis.__name__] = axis(server, client)
            except Exception as e:  # a server that breaks is a result too
                row[axis.__name__] = f'ERROR {type(e).__name__}: {e}'
            print(f'  {name} {axis.__name__} '
                  f'({time.monotonic() - started:.0f} s): '
                  f'{row[axis.__name__]}', flush=True)
            time.sleep(2)
    finally:
        server.stop()
    return row


def main(names):
    with tempfile.TemporaryDirectory(prefix='membership-servers-') as tmp:
        names = names or list(commands(0, ''))
        print(f'{WAITERS} waiters, wrk -t2 -c16 -d{DURATION} x '
              f'{RUNS}, threaded servers 2 x {THREADS} threads', flush=True)
        rows = [measure(name, tmp) for name in names]
    for row in rows:
        print('\n' + row.pop('server'))
        for axis, value in row.items():
            print(f'  {axis:12s} {value}')


if __name__ == '__main__':
    main(sys.argv[1:])

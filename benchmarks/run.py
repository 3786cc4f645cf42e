"""The performance figures of membership, in one run: ``tox -e bench``.

Starts each server on 127.0.0.1, loads it from separate wrk processes
(benchmarks/load.py), and prints one table: every figure of the
performance issue beside its target and its ratio to the bare-app
limits (a WSGI app answering 204 under the same server, and under the
fastest server measured). Writes the table as JSON and plots throughput
and p99 versus group size and versus connections as PNGs, all under
benchmarks/results/.

PostgreSQL is measured when MEMBERSHIP_TEST_DB_URL names a server
(tools/with-db.sh), Keystone when MEMBERSHIP_TEST_KEYSTONE_DIR does
(tools/with-keystone.sh): ``tox -e bench`` runs under both.

    BENCH_DURATION=5s python benchmarks/run.py
"""
import os
import statistics
import sys
import tempfile
import time
import uuid

from keystoneauth1 import session as ks_session
import requests

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from benchmarks import apps  # noqa: E402
from benchmarks import load  # noqa: E402
from benchmarks import report  # noqa: E402
from benchmarks import seed  # noqa: E402
from tests import apiservers  # noqa: E402
from tests import dbserver  # noqa: E402
from tests.integration import keystone  # noqa: E402

DURATION = os.environ.get('BENCH_DURATION', '5s')
SIZES = (100, 10000, 100000)
# Rounds of the group-size figures, interleaved: each figure is its
# median round (this VM's throughput drifts by tens of percent over
# minutes, more than any cost of group size).
ROUNDS = int(os.environ.get('BENCH_ROUNDS', '3'))
CONNECTIONS = (1, 2, 4, 8, 16, 32, 64)
MEMBERS = 1000
SESSIONS = 1000
JSON_BODY = '\'{"ttl": 600}\''


class Target:
    """A group of wrk runs against one membership-api."""

    def __init__(self, servers, project, headers=()):
        """``headers``: the auth headers (noauth: X-Project-Id)."""
        self.servers = servers
        self.url = servers.urls[0]
        self.project = project
        self.headers = tuple(headers) or (('X-Project-Id', project),)
        self.http = requests.Session()
        self.http.headers.update(dict(self.headers))

    def group(self, name, size):
        self.http.put(f'{self.url}/v1/groups/{name}').raise_for_status()
        seed.members(self.servers.connection, self.project, name, size)
        return f'/v1/groups/{name}/members/'

    def wrk(self, method, path, expect, pool=1, body='nil', connections=16,
            duration=DURATION, prelude='', headers=()):
        lua = load.script(method, path, expect, pool, body,
                          self.headers + tuple(headers))
        figures = load.run(self.url, prelude + lua, connections, duration)
        if figures['unexpected']:
            # A figure of error answers (a quota, a missing microversion)
            # is not the figure of the request it is named after.
            raise RuntimeError(
                f'{method} {path}: {figures["unexpected"]} answers were '
                f'not {expect}')
        return figures

    def heartbeat(self, members, size=MEMBERS, connections=16):
        return self.wrk('POST', f'"{members}m" .. n .. "/heartbeat"', 204,
                        size, connections=connections)

    def get(self, members, size=MEMBERS):
        return self.wrk('GET', f'"{members}m" .. n', 200, size)

    def join(self, members, batch=''):
        return self.wrk('PUT', f'"{members}j{batch}-" .. unique', 201,
                        body=JSON_BODY)

    def leave(self, members, batch=''):
        # The names of the joins of ``batch``, in the same order, in a
        # third of the time (leaves are the faster): a leave of a name
        # never joined would answer 404 (counted unexpected).
        third = f"{max(1, int(DURATION.rstrip('s')) // 3)}s"
        return self.wrk('DELETE', f'"{members}j{batch}-" .. unique', 204,
                        duration=third)

    def session_heartbeat(self, count=SESSIONS):
        ids = [self.http.post(f'{self.url}/v1/sessions', json={'ttl': 600},
                              headers={'OpenStack-API-Version':
                                       'membership 1.2'}).json()['id']
               for _ in range(count)]
        prelude = 'ids = {' + ','.join(f'"{i}"' for i in ids) + '}\n'
        return self.wrk('POST', '"/v1/sessions/" .. ids[n + 1] .. '
                        '"/heartbeat"', 204, count, prelude=prelude,
                        headers=(('OpenStack-API-Version',
                                  'membership 1.2'),))

    def list_page(self, members, limit=1000, rounds=30):
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            self.http.get(f'{self.url}{members[:-1]}?limit={limit}'
                          ).raise_for_status()
            times.append((time.perf_counter() - started) * 1000)
        return {'p50': statistics.median(times),
                'p99': sorted(times)[int(len(times) * 0.99) - 1]}

    def walk(self, members, limit=1000):
        started = time.perf_counter()
        url, seen = f'{self.url}{members[:-1]}?limit={limit}', 0
        while url:
            page = self.http.get(url).json()
            seen += len(page['members'])
            url = next((link['href'] for link in page.get('links', ())
                        if link['rel'] == 'next'), None)
        return {'ms': (time.perf_counter() - started) * 1000,
                'members': seen}


# Joins into groups of up to 100,000 members: no members_per_group.
UNLIMITED_MEMBERS = '[quota]\nmembers_per_group = -1\n'


def noauth(**kwargs):
    servers = apiservers.ApiServers(1, sections=UNLIMITED_MEMBERS,
                                    **kwargs).start()
    return Target(servers, uuid.uuid4().hex)


def measure_noauth(figures):
    target = noauth(workers=2, extra='max_waiters = 5000')
    try:
        members = target.group('bench', MEMBERS)
        figures['heartbeat'] = target.heartbeat(members)
        figures['session heartbeat'] = target.session_heartbeat()
        figures['GET member'] = target.get(members)
        for connections in CONNECTIONS:
            figures[f'heartbeat c{connections}'] = target.heartbeat(
                members, connections=connections)
        groups = {size: target.group(f'size{size}', size) for size in SIZES}
        figures['list 1000 of 10000'] = target.list_page(groups[10000])
        figures['walk 100000'] = target.walk(groups[100000])
        figures.update(group_sizes(target, groups))
        figures['join'] = figures['join n10000']
        figures['leave'] = figures['leave n10000']
    finally:
        target.servers.stop()


def group_sizes(target, groups):
    """Heartbeat, GET, join and leave in each group of ``groups``
    (``{size: members path}``), ROUNDS times, the sizes in a new order
    each round: ``{'<operation> n<size>': median round}``.
    """
    runs = {}
    for round_ in range(ROUNDS):
        turn = round_ % len(SIZES)
        for size in SIZES[turn:] + SIZES[:turn]:
            members = groups[size]
            for operation, run in (
                    ('heartbeat', lambda: target.heartbeat(members, size)),
                    ('GET member', lambda: target.get(members, size)),
                    ('join', lambda: target.join(members, round_)),
                    ('leave', lambda: target.leave(members, round_))):
                runs.setdefault(f'{operation} n{size}', []).append(run())
    return {name: median_run(found) for name, found in runs.items()}


def median_run(runs):
    """The run of median throughput, with every round's throughput."""
    ordered = sorted(runs, key=lambda run: run['rps'])
    return dict(ordered[(len(ordered) - 1) // 2],
                rounds=[run['rps'] for run in runs])


def measure_one_process(figures):
    target = noauth(workers=1)
    try:
        members = target.group('bench', MEMBERS)
        figures['heartbeat 1 process'] = target.heartbeat(members)
        figures['join 1 process'] = target.join(members)
    finally:
        target.servers.stop()


def measure_postgresql(figures):
    database = dbserver.fresh_database()
    if database is None:
        return
    try:
        target = noauth(workers=2, connection=database.url)
        try:
            members = target.group('bench', MEMBERS)
            figures['heartbeat PostgreSQL'] = target.heartbeat(members)
            figures['join PostgreSQL'] = target.join(members)
        finally:
            target.servers.stop()
    finally:
        database.drop()


def measure_keystone(figures):
    """The same heartbeats with auth_token validating (cached) tokens of
    the real Keystone of tools/with-keystone.sh.
    """
    if not keystone.KEYSTONE_DIR:
        return
    url = keystone.keystone_env()['KEYSTONE_URL']
    with tempfile.TemporaryDirectory() as tmp:
        policy = os.path.join(tmp, 'policy.yaml')
        open(policy, 'w').close()
        servers = apiservers.ApiServers(
            1, workers=2, port=int(keystone.API_PORT),
            auth_strategy='keystone',
            sections=keystone.authtoken_sections(url, policy)).start()
        session = ks_session.Session(auth=keystone.auth(
            url, 'project-a-member', 'project-a'))
        target = Target(servers, session.get_project_id(),
                        (('X-Auth-Token', session.get_token()),))
        try:
            members = target.group('bench', MEMBERS)
            figures['heartbeat keystone'] = target.heartbeat(members)
        finally:
            servers.stop()


def main():
    figures = {'bare gunicorn-gevent': apps.bare('gunicorn', DURATION),
               'bare uwsgi': apps.bare('uwsgi', DURATION),
               'flask gunicorn-gevent': apps.flask_heartbeat(DURATION)}
    measure_noauth(figures)
    measure_one_process(figures)
    measure_postgresql(figures)
    measure_keystone(figures)
    rows = report.table(figures)
    report.write(figures, rows)
    return figures


if __name__ == '__main__':
    main()

"""10,000 parked long-polls on one host, with membership-api's defaults.

One ``membership-api`` with its default settings (2 gevent worker
processes, ``[api] max_waiters`` = 10,000 each, a project's share half of
it) over SQLite. Measured, as the serving-layer issue asks:

- heartbeat req/s with no waiter parked (wrk, 16 connections);
- WAITERS long-polls (``GET .../events?timeout=60``) from 4 projects
  opened at once on raw sockets: the RSS the server's processes add, and
  the CPU seconds they spend until every waiter is parked. A process
  holding waiters also polls the database for other processes' changes
  ([api] watch_poll_interval), a cost that does not grow with the
  waiters: it is measured once they are parked, reported on its own and
  not counted in the cost of parking;
- heartbeat req/s while they are parked (target: within 15 %);
- one join per project: how long until every waiter has its answer
  (target: 2 s), and how many got 200;
- the floor beside each: the same client parking and waking as many
  long-polls on the same server (gunicorn, 2 gevent workers) running
  benchmarks/bare_longpoll.py, whose requests do nothing but wait. No
  application can park or wake for less under this server.

    BENCH_WAITERS=10000 python benchmarks/waiters.py
"""
import asyncio
import os
import sys
import tempfile
import time
import uuid

import psutil
import requests

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from benchmarks import apps  # noqa: E402
from benchmarks import load  # noqa: E402
from benchmarks import seed  # noqa: E402
from tests import apiservers  # noqa: E402

WAITERS = int(os.environ.get('BENCH_WAITERS', '10000'))
DURATION = os.environ.get('BENCH_DURATION', '5s')
PROJECTS = 4
# Members per group: the wake-up join is then the 1,000th, the default
# [quota] members_per_group.
SEEDED = 999
V11 = 'membership 1.1'


def tree(process):
    master = psutil.Process(process.pid)
    return [master] + master.children(recursive=True)


def cpu(procs):
    return sum(sum(p.cpu_times()[:2]) for p in procs)


def rss_mb(procs):
    return sum(p.memory_info().rss for p in procs) / 2 ** 20


def heartbeats(url, project):
    return load.run(url, load.script(
        'POST', '"/v1/groups/g/members/m" .. n .. "/heartbeat"', 204, SEEDED,
        headers=(('X-Project-Id', project),)), 16, DURATION)


async def park(url, projects, count):
    host, port = url.split('//')[1].split(':')
    conns = []
    for n in range(count):
        project, revision = projects[n % len(projects)]
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(
            f'GET /v1/groups/g/events?since={revision}&timeout=60 HTTP/1.1'
            f'\r\nHost: x\r\nX-Project-Id: {project}\r\n'
            f'OpenStack-API-Version: {V11}\r\n\r\n'.encode())
        conns.append((reader, writer))
    return conns


async def answers(conns, seconds):
    async def one(reader):
        try:
            line = await asyncio.wait_for(reader.readline(), seconds)
            return int(line.split()[1]), time.perf_counter()
        except (asyncio.TimeoutError, ConnectionError, IndexError):
            return None, None
    return await asyncio.gather(*(one(r) for r, _ in conns))


def quiet(procs, threshold=0.05, interval=0.5, limit=120):
    """Wait until the processes use under ``threshold`` of a core."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = cpu(procs)
        time.sleep(interval)
        if cpu(procs) - before < threshold * interval:
            return
    raise RuntimeError('the server never went quiet')


def parked(procs, started, spent, busy=0.3, interval=0.5, idle=3.0):
    """Once the processes no longer work at parking (under ``busy`` of
    a core): ``(cpu_to_park, idle_share)``, the CPU seconds parking took
    and the share of a core used while every waiter is parked.
    """
    deadline = time.monotonic() + 300
    while True:
        before = cpu(procs)
        time.sleep(interval)
        if cpu(procs) - before < busy * interval:
            break
        if time.monotonic() > deadline:
            raise RuntimeError('the server never finished parking')
    done, total = time.monotonic(), cpu(procs)
    time.sleep(idle)
    idle_share = (cpu(procs) - total) / (time.monotonic() - done)
    return total - spent - idle_share * (done - started), idle_share


async def _scenario(url, projects, procs, wake, during=None):
    """Park WAITERS long-polls, then ``wake()``: what it cost the server
    (``procs``, quiet when called), and ``during()`` measured while they
    are parked.
    """
    rss, spent = rss_mb(procs), cpu(procs)
    started = time.monotonic()
    conns = await park(url, projects, WAITERS)
    to_park, idle_share = await asyncio.to_thread(
        parked, procs, started, spent)
    found = {'rss_added_mb': rss_mb(procs) - rss, 'cpu_to_park_s': to_park,
             'idle_share': idle_share}
    if during is not None:
        found['heartbeat_parked'] = await asyncio.to_thread(during)
    waiting = asyncio.ensure_future(answers(conns, 30))
    sent, before = time.perf_counter(), cpu(procs)
    await asyncio.to_thread(wake)
    got = await waiting
    found['cpu_to_wake_s'] = cpu(procs) - before
    statuses = [status for status, _ in got]
    found['answered_200'] = statuses.count(200)
    found['refused_503'] = statuses.count(503)
    found['wake_all_s'] = max(at for _, at in got if at) - sent
    for _, writer in conns:
        writer.close()
    return found


def membership():
    """WAITERS long-polls on membership-api, woken by one join per
    project; heartbeats measured before and while they are parked.
    """
    # membership-api's defaults: 2 worker processes.
    servers = apiservers.ApiServers(1, workers=2).start()
    try:
        url = servers.urls[0]
        projects = []
        for _ in range(PROJECTS):
            project = uuid.uuid4().hex
            requests.put(f'{url}/v1/groups/g', headers={
                'X-Project-Id': project}).raise_for_status()
            seed.members(servers.connection, project, 'g', SEEDED)
            revision = requests.get(f'{url}/v1/groups/g', headers={
                'X-Project-Id': project, 'OpenStack-API-Version': V11}
            ).json()['revision']
            projects.append((project, revision))
        procs = tree(servers.servers[0].process)
        before = heartbeats(url, projects[0][0])
        quiet(procs)

        def wake():
            for project, _ in projects:
                requests.put(f'{url}/v1/groups/g/members/wake', headers={
                    'X-Project-Id': project}).raise_for_status()

        found = asyncio.run(_scenario(
            url, projects, procs, wake,
            lambda: heartbeats(url, projects[0][0])))
        found['heartbeat_none'] = before
        return found
    finally:
        servers.stop()


def floor():
    """The same client and server (gunicorn, 2 gevent workers) with the
    bare long-poll app: what waiting costs before any application work.
    """
    with tempfile.TemporaryDirectory() as tmp:
        wake_file = os.path.join(tmp, 'wake')
        process, url = apps.serve('gunicorn', 'benchmarks.bare_longpoll',
                                  {'BENCH_WAKE_FILE': wake_file})
        try:
            procs = tree(process)
            quiet(procs)
            return asyncio.run(_scenario(
                url, [('bare', 0)], procs,
                lambda: open(wake_file, 'w').close()))
        finally:
            apps.stop(process)


def main():
    found, bare = membership(), floor()
    none, parked_ = found['heartbeat_none'], found['heartbeat_parked']
    ratio = parked_['rps'] / none['rps']
    print(f'{WAITERS} waiters from {PROJECTS} projects, membership-api '
          f'defaults (2 gevent workers), SQLite; the floor: the same '
          f'client and server with benchmarks/bare_longpoll.py')
    print(f"  heartbeat, none parked   {none['rps']:9,.0f}/s  p99 "
          f"{none['p99']:.1f} ms")
    print(f"  heartbeat, all parked    {parked_['rps']:9,.0f}/s  p99 "
          f"{parked_['p99']:.1f} ms  ({ratio:.2f} of none; target >= 0.85)")
    rows = (('RSS added', 'rss_added_mb', 'MB', 'target < 500; '),
            ('CPU to park them', 'cpu_to_park_s', 's', 'target < 2; '),
            ('one join wakes all in', 'wake_all_s', 's', 'target < 2; '),
            ('CPU to wake them', 'cpu_to_wake_s', 's', ''))
    for label, key, unit, target in rows:
        print(f'  {label:<24} {found[key]:9.2f} {unit:<2}  ({target}'
              f'floor {bare[key]:.2f} {unit})')
    print(f"  CPU while all parked     {found['idle_share']:9.1%} of a core "
          f"(the watch poll, every [api] watch_poll_interval)")
    print(f"  answered                 {found['answered_200']} with 200, "
          f"{found['refused_503']} refused 503 (floor: "
          f"{bare['answered_200']} with 200)")


if __name__ == '__main__':
    main()

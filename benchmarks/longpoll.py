"""Long-poll wake-up latency and the cost of waiters.

Starts two real ``membership-api`` processes (A and B, one gevent worker
each) over one database (SQLite, or MEMBERSHIP_TEST_DB_URL) and measures:

- wake-up latency, same process: a watcher waits in A, a join is made
  in A; time from sending the join to the watcher's answer;
- wake-up latency, cross process: the join is made in B;
- capacity: WAITERS long-polls of one project held at once by A
  (threads = WAITERS + 8, [api] max_waiters = WAITERS, the project's
  share all of it: the cap is measured here, benchmarks/waiters.py and
  tests/functional/test_waiters.py measure the share), A's memory
  before and while they wait, A's CPU time while they wait, and how
  long one change takes to wake them all; then one more waiter
  beyond the cap gets 503.

    tox -e bench
"""
import concurrent.futures
import os
import statistics
import sys
import threading
import time
import uuid

import psutil
import requests

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from tests import apiservers  # noqa: E402
from tests import dbserver  # noqa: E402

ROUNDS = int(os.environ.get('BENCH_ROUNDS', '30'))
WAITERS = int(os.environ.get('BENCH_WAITERS', '200'))


def worker_process(server):
    master = psutil.Process(server.process.pid)
    workers = master.children(recursive=True)
    return workers[0] if workers else master


def latency(watch_url, change_url, project, group):
    http = requests.Session()
    http.headers.update({'X-Project-Id': project,
                         'OpenStack-API-Version': 'membership 1.1'})
    samples = []
    for n in range(ROUNDS):
        revision = http.get(f'{watch_url}/v1/groups/{group}').json()[
            'revision']
        answered = {}

        def watch():
            response = http.get(f'{watch_url}/v1/groups/{group}/events',
                                params={'since': revision, 'timeout': 30})
            answered['at'] = time.perf_counter()
            answered['events'] = response.json()['events']

        watcher = threading.Thread(target=watch)
        watcher.start()
        time.sleep(0.2)  # let it wait
        sent = time.perf_counter()
        requests.put(f'{change_url}/v1/groups/{group}/members/m{n}',
                     headers={'X-Project-Id': project})
        watcher.join(35)
        assert answered['events'], 'the watcher timed out'
        samples.append((answered['at'] - sent) * 1000)
    return samples


def capacity(server, project, group):
    proc = worker_process(server)
    rss_before = proc.memory_info().rss
    barrier = []

    def wait():
        response = requests.get(
            f'{server.url}/v1/groups/{group}/events',
            params={'timeout': 60},
            headers={'X-Project-Id': project,
                     'OpenStack-API-Version': 'membership 1.1'})
        barrier.append(time.perf_counter())
        return response.status_code

    with concurrent.futures.ThreadPoolExecutor(WAITERS + 1) as pool:
        futures = [pool.submit(wait) for _ in range(WAITERS)]
        time.sleep(3)
        rss_waiting = proc.memory_info().rss
        cpu_before = sum(proc.cpu_times()[:2])
        time.sleep(2)
        cpu_idle = sum(proc.cpu_times()[:2]) - cpu_before
        extra = requests.get(
            f'{server.url}/v1/groups/{group}/events', params={'timeout': 5},
            headers={'X-Project-Id': project,
                     'OpenStack-API-Version': 'membership 1.1'})
        sent = time.perf_counter()
        requests.put(f'{server.url}/v1/groups/{group}/members/wake',
                     headers={'X-Project-Id': project}).raise_for_status()
        codes = [f.result() for f in futures]
    return {
        'waiters': WAITERS, 'all_200': codes.count(200) == WAITERS,
        'rss_before_mb': rss_before / 2 ** 20,
        'rss_waiting_mb': rss_waiting / 2 ** 20,
        'cpu_seconds_in_2s_of_waiting': cpu_idle,
        'wake_all_ms': (max(barrier) - sent) * 1000,
        'beyond_cap': (extra.status_code, extra.headers.get('Retry-After'),
                       extra.json()['errors'][0]['code']
                       if extra.status_code >= 400 else None),
    }


def report(name, samples):
    print(f'{name:34s} median {statistics.median(samples):7.1f} ms   '
          f'max {max(samples):7.1f} ms   ({len(samples)} rounds)',
          flush=True)


def main():
    database = dbserver.fresh_database()
    servers = apiservers.ApiServers(
        2, connection=database.url if database else None, workers=1,
        threads=WAITERS + 8,
        extra=f'max_waiters = {WAITERS}\nproject_waiter_share = 1.0'
    ).start()
    try:
        a, b = servers.urls
        project = uuid.uuid4().hex
        for group in ('same', 'cross', 'many'):
            requests.put(f'{a}/v1/groups/{group}',
                         headers={'X-Project-Id': project}
                         ).raise_for_status()
        backend = database.url.split(':')[0] if database else 'sqlite'
        print(f'backend {backend}; 2 membership-api processes (1 worker '
              f'each); [api] watch_poll_interval = 0.025 s')
        report('wake-up, same process', latency(a, a, project, 'same'))
        report('wake-up, cross process', latency(a, b, project, 'cross'))
        result = capacity(servers.servers[0], project, 'many')
        print('capacity: ' + ', '.join(
            f'{k} {v:.1f}' if isinstance(v, float) else f'{k} {v}'
            for k, v in result.items()), flush=True)
    finally:
        servers.stop()
        if database:
            database.drop()


if __name__ == '__main__':
    main()

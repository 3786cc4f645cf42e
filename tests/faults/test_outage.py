"""The database stops under load, then starts again.

Needs a database server that the test may stop: run by
``tox -e functional-postgresql`` and ``functional-mysql`` (through
tools/with-db.sh), serially, after the other tests.
"""
import concurrent.futures
import threading
import time
import uuid

import requests

from tests.faults import outages

PROCESSES = 4
CLIENTS = 8
STORAGE_TIMEOUT = 3
# A request never takes longer than this, database down or not.
BOUND = STORAGE_TIMEOUT + 2


class OutageTest(outages.OutageTestCase):

    processes = PROCESSES
    storage_timeout = STORAGE_TIMEOUT

    def setUp(self):
        super().setUp()
        self.project = uuid.uuid4().hex
        requests.put(self.servers.urls[0] + '/v1/groups/outage',
                     headers={'X-Project-Id': self.project}
                     ).raise_for_status()

    def test_outage_answers_503_in_time_and_loses_no_acknowledged_write(self):
        stop = threading.Event()
        log = []  # (sent, took, member, status, body)

        def client(n):
            http = requests.Session()
            http.headers['X-Project-Id'] = self.project
            url = self.servers.urls[n % PROCESSES]
            i = 0
            while not stop.is_set():
                member = f'c{n}-{i}'
                i += 1
                sent = time.monotonic()
                try:
                    response = http.put(
                        f'{url}/v1/groups/outage/members/{member}',
                        json={'ttl': 600}, timeout=BOUND + 5)
                    log.append((sent, time.monotonic() - sent, member,
                                response.status_code, response))
                except requests.RequestException as e:
                    log.append((sent, time.monotonic() - sent, member,
                                None, e))
                time.sleep(0.01)

        with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
            futures = [pool.submit(client, n) for n in range(CLIENTS)]
            time.sleep(2)
            stopped = time.monotonic()
            self.database_server('stop')
            time.sleep(4)
            started = time.monotonic()
            self.database_server('start')
            time.sleep(4)
            stop.set()
            for future in futures:
                future.result()

        statuses = {entry[3] for entry in log}
        self.assertLessEqual(statuses, {201, 503},
                             f'{statuses}; the servers logged:\n' +
                             self.errors_logged())
        for sent, took, member, status, response in log:
            self.assertLess(took, BOUND, f'{member} took {took:.1f} s')
            if status == 503:
                error = response.json()['errors'][0]
                self.assertEqual('membership.storage_unavailable',
                                 error['code'])
                self.assertEqual('1', response.headers['Retry-After'])
        outage = [e for e in log if e[3] == 503]
        self.assertTrue(outage, 'the outage was never seen')
        first_503 = min(e[0] + e[1] for e in outage) - stopped
        recovered = [e for e in log if e[3] == 201 and e[0] > started]
        self.assertTrue(recovered, 'the API did not recover')
        first_success = min(e[0] + e[1] for e in recovered) - started
        print(f'outage timeline: first 503 {first_503 * 1000:.0f} ms after '
              f'the stop; first success {first_success * 1000:.0f} ms after '
              f'the start; {len(log)} requests, {len(outage)} answered 503')
        acknowledged = [e[2] for e in log if e[3] == 201]
        listed = set()
        marker = None
        while True:
            params = {'limit': 1000}
            if marker:
                params['marker'] = marker
            page = requests.get(
                self.servers.urls[1] + '/v1/groups/outage/members',
                params=params, headers={'X-Project-Id': self.project}
            ).json()['members']
            listed.update(m['id'] for m in page)
            if len(page) < 1000:
                break
            marker = page[-1]['id']
        missing = [m for m in acknowledged if m not in listed]
        self.assertEqual([], missing)

"""The API under a real Apache httpd + mod_wsgi (daemon mode).

Run by ``tox -e integration-apache`` through tools/with-apache.sh, which
starts httpd with a config generated from the sample vhost (the API in
2 daemon processes x 8 threads, the long-polls in one process of 1,100
threads with [api] max_waiters = 1000; the short site's long-polls in
16 threads with max_waiters = 6); the whole gabbi suite runs through the
same server.
"""
import asyncio
import concurrent.futures
import json
import os
import subprocess
import threading
import time
import unittest
import uuid

import requests

from tests import httpraw

URL = os.environ.get('MEMBERSHIP_TEST_URL')
SHORT_URL = os.environ.get('MEMBERSHIP_TEST_URL_SHORT')
APACHE_DIR = os.environ.get('MEMBERSHIP_TEST_APACHE_DIR')
V11 = ('OpenStack-API-Version', 'membership 1.1')


def graceful_restart():
    subprocess.run(['apache2', '-f', os.path.join(APACHE_DIR, 'httpd.conf'),
                    '-k', 'graceful'], check=True)


@unittest.skipUnless(APACHE_DIR, 'needs Apache httpd + mod_wsgi: run by '
                     'tox -e integration-apache (tools/with-apache.sh)')
class ApacheTest(unittest.TestCase):

    def setUp(self):
        self.http = requests.Session()
        self.http.headers.update({'X-Project-Id': uuid.uuid4().hex,
                                  'OpenStack-API-Version': 'membership 1.2'})
        self.group = URL + '/v1/groups/g-' + uuid.uuid4().hex[:8]
        self.assertEqual(201, self.http.put(self.group).status_code)

    def test_links_honour_forwarded_proto_and_host(self):
        response = requests.get(URL + '/', headers={
            'X-Forwarded-Proto': 'https',
            'X-Forwarded-Host': 'membership.example.com'})
        self.assertEqual('https://membership.example.com/v1/',
                         response.json()['versions'][0]['links'][0]['href'])
        group = self.http.get(self.group, headers={
            'X-Forwarded-Proto': 'https',
            'X-Forwarded-Host': 'api.example.com:8443'}).json()
        self.assertTrue(group['links'][0]['href'].startswith(
            'https://api.example.com:8443/v1/groups/g-'))

    def test_request_ids_reach_apaches_logs(self):
        response = self.http.get(self.group + '/members')
        request_id = response.headers['x-openstack-request-id']
        deadline = time.monotonic() + 10
        while True:
            with open(os.path.join(APACHE_DIR, 'main-access.log')) as f:
                access = f.read()
            with open(os.path.join(APACHE_DIR, 'error.log')) as f:
                error = f.read()
            if request_id in access and request_id in error:
                break
            self.assertLess(time.monotonic(), deadline,
                            f'{request_id} is not in both logs')
            time.sleep(0.2)

    def test_long_polls_hold_threads_and_nothing_else(self):
        revision = self.http.get(self.group).json()['revision']
        waiters = 4
        results = []

        def wait():
            results.append(self.http.get(
                self.group + '/events',
                params={'since': revision, 'timeout': 30}))

        threads = [threading.Thread(target=wait) for _ in range(waiters)]
        for thread in threads:
            thread.start()
        time.sleep(1)
        # While they wait, short requests find threads and the database.
        for n in range(40):
            self.assertEqual(201, self.http.put(
                f'{self.group}/members/other-{n}').status_code)
        for thread in threads:
            thread.join(35)
        self.assertEqual(waiters, len(results))
        for response in results:
            self.assertEqual(200, response.status_code)
            self.assertEqual('joined', response.json()['events'][0]['type'])

    def test_waiters_beyond_the_cap_get_503_with_retry_after(self):
        caps = 6  # the short site's waiters group: [api] max_waiters
        group = SHORT_URL + '/v1/groups/g-' + uuid.uuid4().hex[:8]
        self.assertEqual(201, self.http.put(group).status_code)
        with concurrent.futures.ThreadPoolExecutor(caps + 4) as pool:
            futures = [pool.submit(self.http.get, group + '/events',
                                   params={'timeout': 3})
                       for _ in range(caps + 4)]
            responses = [f.result() for f in futures]
        refused = [r for r in responses if r.status_code == 503]
        self.assertTrue(refused)
        for response in refused:
            self.assertEqual('1', response.headers['Retry-After'])
            self.assertEqual('membership.too_many_waiters',
                             response.json()['errors'][0]['code'])
        self.assertLessEqual(len(responses) - len(refused), caps)

    def poll(self, timeout):
        """A raw long-poll on the group, from its current revision."""
        revision = self.http.get(self.group).json()['revision']
        path = self.group[len(URL):]
        return httpraw.request(
            'GET', f'{path}/events?since={revision}&timeout={timeout}',
            [('X-Project-Id', self.http.headers['X-Project-Id']), V11])

    def heartbeats(self, count):
        """Statuses of ``count`` heartbeats, each on a new connection
        with a 5 s timeout.
        """
        codes = []
        for _ in range(count):
            try:
                codes.append(requests.post(
                    self.group + '/members/beater/heartbeat',
                    headers={'X-Project-Id': self.http.headers[
                        'X-Project-Id']}, timeout=5).status_code)
            except requests.RequestException as e:
                codes.append(type(e).__name__)
        return codes

    def warm_up(self):
        # Daemons started by a graceful restart build the application on
        # their first request (seconds on a loaded machine): 16 requests
        # at once reach every thread of both API processes, one more the
        # waiters' process.
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            statuses = list(pool.map(
                lambda _: requests.get(URL + '/', timeout=120).status_code,
                range(16)))
        self.assertEqual([200] * 16, statuses)
        self.assertEqual(200, requests.get(
            self.group + '/events', params={'timeout': 0},
            headers=self.http.headers, timeout=120).status_code)

    def wait_for(self, condition, seconds=120):
        deadline = time.monotonic() + seconds
        while not condition():
            self.assertLess(time.monotonic(), deadline, 'timed out')
            time.sleep(0.1)

    def test_a_thousand_parked_long_polls_leave_heartbeats_alone(self):
        self.assertEqual(201, self.http.put(
            self.group + '/members/beater', json={'ttl': 600}).status_code)
        self.warm_up()
        request = self.poll(timeout=60)

        async def scenario():
            parked = await httpraw.open_many(URL, 1000, request)
            # The API's threads are not the waiters': heartbeats go on.
            started = time.monotonic()
            codes = await asyncio.to_thread(self.heartbeats, 20)
            beating = time.monotonic() - started
            early = await httpraw.first_statuses(parked, 0.5)
            started = time.monotonic()
            await asyncio.to_thread(requests.put, self.group +
                                    '/members/new', headers=self.http.headers)
            woken = await httpraw.first_statuses(parked, 60)
            waking = time.monotonic() - started
            for _, writer in parked:
                writer.close()
            print(f'1,000 parked long-polls: 20 heartbeats in {beating:.2f} '
                  f's, all woken in {waking:.2f} s')
            return codes, early, woken

        codes, early, woken = asyncio.run(scenario())
        self.assertEqual([204] * 20, codes)
        # All were still waiting when the member joined; all woke.
        self.assertEqual([None] * 1000, early)
        self.assertEqual([200] * 1000, woken)

    def test_a_graceful_restart_answers_parked_long_polls(self):
        self.warm_up()
        request = self.poll(timeout=50)
        answers = []

        def wait():
            try:
                with httpraw.Connection(URL, timeout=40) as conn:
                    conn.send(request)
                    answers.append(conn.response())
            except (OSError, EOFError) as e:
                answers.append(e)

        waiters = [threading.Thread(target=wait) for _ in range(20)]
        for waiter in waiters:
            waiter.start()
        time.sleep(2)
        restarted = time.monotonic()
        graceful_restart()
        for waiter in waiters:
            waiter.join(45)
        # Answered with what they had, well before their own 50 s.
        self.assertLess(time.monotonic() - restarted, 20)
        self.assertEqual([200] * 20, [getattr(a, 'status', a)
                                      for a in answers])
        for response in answers:
            self.assertEqual([], json.loads(response.body)['events'])

    def test_a_graceful_restart_under_load_loses_no_acknowledged_write(self):
        stop = threading.Event()
        acknowledged, failed = [], []

        def load(n):
            http = requests.Session()
            http.headers.update(self.http.headers)
            i = 0
            while not stop.is_set():
                member = f'w{n}-{i}'
                i += 1
                try:
                    response = http.put(f'{self.group}/members/{member}',
                                        json={'ttl': 600}, timeout=30)
                except requests.RequestException:
                    failed.append(member)
                    continue
                if response.status_code == 201:
                    acknowledged.append(member)
                else:
                    failed.append(member)

        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            futures = [pool.submit(load, n) for n in range(4)]
            # Writes before and after, however long the new daemons
            # take to build the application.
            self.wait_for(lambda: len(acknowledged) >= 10)
            before = len(acknowledged)
            graceful_restart()
            self.wait_for(lambda: len(acknowledged) >= before + 20)
            stop.set()
            for future in futures:
                future.result()
        listed = {m['id'] for m in self.http.get(
            self.group + '/members').json()['members']}
        self.assertEqual([], [m for m in acknowledged if m not in listed])
        # No write that committed was answered with an error or a reset.
        self.assertEqual([], [m for m in failed if m in listed])
        print(f'graceful restart: {len(acknowledged)} writes acknowledged, '
              f'all kept; {len(failed)} not acknowledged')


if __name__ == '__main__':
    unittest.main()

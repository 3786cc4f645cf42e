"""The API under a real Apache httpd + mod_wsgi (daemon mode).

Run by ``tox -e integration-apache`` through tools/with-apache.sh, which
starts httpd with a config generated from the sample vhost
(2 daemon processes x 8 threads, [api] max_waiters = 6); the whole gabbi
suite runs through the same server.
"""
import concurrent.futures
import os
import subprocess
import threading
import time
import unittest
import uuid

import requests

URL = os.environ.get('MEMBERSHIP_TEST_URL')
APACHE_DIR = os.environ.get('MEMBERSHIP_TEST_APACHE_DIR')


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
        caps = 2 * 6  # two daemon processes x [api] max_waiters
        with concurrent.futures.ThreadPoolExecutor(caps + 4) as pool:
            futures = [pool.submit(self.http.get, self.group + '/events',
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
                    failed.append((member, response.status_code))

        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            futures = [pool.submit(load, n) for n in range(4)]
            time.sleep(1.5)
            subprocess.run(['apache2', '-f',
                            os.path.join(APACHE_DIR, 'httpd.conf'),
                            '-k', 'graceful'], check=True)
            time.sleep(3)
            stop.set()
            for future in futures:
                future.result()
        listed = {m['id'] for m in self.http.get(
            self.group + '/members').json()['members']}
        self.assertGreater(len(acknowledged), 20)
        self.assertEqual([], [m for m in acknowledged if m not in listed])
        print(f'graceful restart: {len(acknowledged)} writes acknowledged, '
              f'all kept; {len(failed)} not acknowledged')


if __name__ == '__main__':
    unittest.main()

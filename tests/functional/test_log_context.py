"""Each log line of a real ``membership-api`` carries its own request.

Requests served at once by one gevent worker are greenlets of one
thread: a parked long-poll's line must carry its request id and project,
not those of a request served while it waited; a line logged outside
any request carries none.
"""
import concurrent.futures
import time
import unittest
import uuid

import requests

from tests import apiservers

EVENTS = 'OpenStack-API-Version', 'membership 1.1'


class LogContextTest(unittest.TestCase):

    def test_concurrent_requests_log_their_own_request_id(self):
        servers = apiservers.ApiServers(1, workers=1).start()
        self.addCleanup(servers.stop)
        server = servers.servers[0]
        waiting, other = uuid.uuid4().hex, uuid.uuid4().hex
        group = server.url + '/v1/groups/g'
        self.assertEqual(201, requests.put(
            group, headers={'X-Project-Id': waiting}).status_code)
        revision = requests.get(group, headers={
            'X-Project-Id': waiting, EVENTS[0]: EVENTS[1]}).json()['revision']
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            parked = pool.submit(
                requests.get, f'{group}/events',
                params={'since': revision, 'timeout': 2}, timeout=30,
                headers={'X-Project-Id': waiting, EVENTS[0]: EVENTS[1]})
            time.sleep(0.5)
            # Served while the long-poll is parked, in the same worker.
            served = requests.get(server.url + '/v1/groups', timeout=30,
                                  headers={'X-Project-Id': other})
            parked = parked.result()
        self.assertEqual(200, parked.status_code)
        server.stop()  # the log is complete
        with open(server.log) as f:
            lines = f.read().splitlines()

        def line_of(response):
            request_id = response.headers['X-OpenStack-Request-Id']
            found = [line for line in lines if request_id in line]
            self.assertEqual(1, len(found), lines)
            return found[0]

        self.assertIn(f'{waiting} - - - -] 127.0.0.1 "GET /v1/groups/g/'
                      f'events?', line_of(parked))
        self.assertIn(f'{other} - - - -] 127.0.0.1 "GET /v1/groups"',
                      line_of(served))
        # After the requests: the drain on SIGTERM belongs to none.
        drain = [line for line in lines if 'Draining' in line]
        self.assertTrue(drain)
        self.assertEqual([], [line for line in drain if 'req-' in line])

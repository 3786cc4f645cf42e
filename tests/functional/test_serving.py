"""What membership-api's server does beyond HTTP framing.

Idle and slow connections cost no worker, thousands of long-polls park
at once, and SIGTERM drains: parked long-polls are answered with their
current result, idle connections closed, then the process exits. Real
``membership-api`` processes (gunicorn, one gevent worker) over SQLite;
the figures under load are in ``benchmarks/servers.py``.
"""
import asyncio
import json
import os
import signal
import threading
import time
import unittest
import uuid

import requests

from tests import apiservers
from tests import httpraw

V11 = ('OpenStack-API-Version', 'membership 1.1')


class ServingTest(unittest.TestCase):

    def start(self, server_section, api='max_waiters = 3000'):
        servers = apiservers.ApiServers(
            1, workers=1, extra=api,
            sections='[server]\n' + server_section).start()
        self.addCleanup(servers.stop)
        self.server = servers.servers[0]
        self.project = uuid.uuid4().hex
        self.http = requests.Session()
        self.http.headers.update({'X-Project-Id': self.project, V11[0]:
                                  V11[1]})
        self.group = f'{self.server.url}/v1/groups/g'
        self.assertEqual(201, self.http.put(self.group).status_code)
        self.assertEqual(201, self.http.put(
            self.group + '/members/beater', json={'ttl': 600}).status_code)
        return self.server.url

    def poll(self, timeout=60):
        revision = self.http.get(self.group).json()['revision']
        return httpraw.request(
            'GET', f'/v1/groups/g/events?since={revision}&timeout={timeout}',
            [('X-Project-Id', self.project), V11])

    def heartbeats(self, count, timeout=5):
        """Statuses of ``count`` heartbeats, each on a new connection."""
        codes = []
        for _ in range(count):
            try:
                codes.append(requests.post(
                    self.group + '/members/beater/heartbeat',
                    headers={'X-Project-Id': self.project},
                    timeout=timeout).status_code)
            except requests.RequestException as e:
                codes.append(type(e).__name__)
        return codes

    def test_idle_and_slow_clients_hold_no_worker_and_are_closed(self):
        url = self.start('idle_timeout = 3\n')
        head = httpraw.request('GET', '/', [('X-Project-Id', 'x')])

        async def scenario():
            idle = await httpraw.open_many(url, 500)
            slow = await httpraw.open_many(url, 50)
            # The slow ones send their headers a byte at a time.
            for n in range(2):
                for _, writer in slow:
                    writer.write(head[n:n + 1])
                await asyncio.sleep(0.5)
            codes = await asyncio.to_thread(self.heartbeats, 50)
            closed = await httpraw.first_statuses(idle + slow, 6)
            return codes, closed

        codes, closed = asyncio.run(scenario())
        self.assertEqual([204] * 50, codes)
        # Closed by the server after [server] idle_timeout, no answer.
        self.assertEqual(['EOF'] * 550, closed)

    def test_a_thousand_parked_long_polls_wake_on_one_join(self):
        url = self.start('')

        async def scenario():
            parked = await httpraw.open_many(url, 1000, self.poll())
            # Parking 1,000 polls takes the worker a moment of CPU (more
            # on a loaded machine): measure once they are parked.
            await asyncio.to_thread(self.heartbeats, 1, timeout=60)
            codes = await asyncio.to_thread(self.heartbeats, 20)
            await asyncio.to_thread(self.http.put,
                                    self.group + '/members/new')
            woken = await httpraw.first_statuses(parked, 30)
            return codes, woken

        codes, woken = asyncio.run(scenario())
        self.assertEqual([204] * 20, codes)
        self.assertEqual([200] * 1000, woken)

    def poll_status(self, project, timeout=1):
        headers = {'X-Project-Id': project, V11[0]: V11[1]}
        revision = requests.get(self.group, headers=headers,
                                timeout=30).json()['revision']
        return requests.get(
            f'{self.group}/events?since={revision}&timeout={timeout}',
            headers=headers, timeout=30).status_code

    def test_abandoned_long_polls_free_their_project_share(self):
        # A project may hold half of the 10 waiters.
        url = self.start('', api='max_waiters = 10')
        requests.put(self.group, headers={'X-Project-Id': 'other'},
                     timeout=30).raise_for_status()

        async def scenario():
            parked = await httpraw.open_many(url, 5, self.poll())
            await asyncio.sleep(1)
            over = await asyncio.to_thread(self.poll_status, self.project)
            other = await asyncio.to_thread(self.poll_status, 'other')
            for _, writer in parked:
                writer.close()
            # Each parked waiter sees its client gone within 0.5 s.
            await asyncio.sleep(1.5)
            again = await asyncio.to_thread(self.poll_status, self.project)
            return over, other, again

        self.assertEqual((503, 200, 200), asyncio.run(scenario()))

    def test_sigterm_answers_parked_long_polls_and_exits(self):
        url = self.start('graceful_timeout = 20\n')
        answers = []

        def wait():
            with httpraw.Connection(url, timeout=30) as conn:
                conn.send(self.poll(timeout=50))
                answers.append(conn.response())

        waiters = [threading.Thread(target=wait) for _ in range(20)]
        for waiter in waiters:
            waiter.start()
        idle = httpraw.Connection(url)
        self.addCleanup(idle.close)
        time.sleep(2)
        stopped = time.monotonic()
        os.killpg(self.server.process.pid, signal.SIGTERM)
        for waiter in waiters:
            waiter.join(30)
        self.assertEqual([200] * 20, [r.status for r in answers])
        for response in answers:
            body = json.loads(response.body)
            self.assertEqual([], body['events'])
            self.assertEqual(1, body['revision'])
        self.assertTrue(idle.closed_within(10))
        self.server.process.wait(timeout=20)
        # Well before the long-polls' own 50 s, and the grace.
        self.assertLess(time.monotonic() - stopped, 15)
        self.assertEqual(0, self.server.process.returncode)
        with self.assertRaises(requests.ConnectionError):
            requests.get(url + '/', timeout=2)


if __name__ == '__main__':
    unittest.main()

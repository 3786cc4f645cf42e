"""A full disk still lets clients free space (SQLite).

SQLite needs room beside its file for every write, a delete included:
its write-ahead log grows, and a checkpoint grows the file. On a full
filesystem nothing can be written, so nothing can be deleted (503).
``[storage] sqlite_max_size_mb`` caps the database below the free space:
at the cap, writes that need room answer 503 while deletes of members,
candidates, sessions and groups still answer 204 (one that finds no
room for its event writes none and drops the group's kept events, which
watchers learn as 410), and what they free takes writes again.
Reproduced on a real, small filesystem (a tmpfs of 8 MiB, mounted for
the test: it needs root, as the CI has).
"""
import os
import subprocess
import tempfile
import unittest
import uuid

import requests

from tests import apiservers

BIG = 'x' * 15000
FILESYSTEM_MB = 8
CAP_MB = 2


@unittest.skipUnless(os.geteuid() == 0, 'mounting a tmpfs needs root')
class FullDiskTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.mount = tempfile.mkdtemp(prefix='membership-full-')
        subprocess.run(['mount', '-t', 'tmpfs', '-o',
                        f'size={FILESYSTEM_MB}m', 'tmpfs', cls.mount],
                       check=True)
        try:
            cls.servers = apiservers.ApiServers(
                1, connection=f'sqlite:///{cls.mount}/membership.sqlite',
                sections=f'[storage]\nsqlite_max_size_mb = {CAP_MB}\n'
            ).start()
        except Exception:
            cls.unmount()
            raise
        cls.url = cls.servers.urls[0]

    @classmethod
    def unmount(cls):
        subprocess.run(['umount', cls.mount], check=True)
        os.rmdir(cls.mount)

    @classmethod
    def tearDownClass(cls):
        cls.servers.stop()
        cls.unmount()

    def setUp(self):
        self.http = requests.Session()
        self.http.headers.update({
            'X-Project-Id': uuid.uuid4().hex,
            'OpenStack-API-Version': 'membership 1.2'})

    def call(self, method, path, expect, **kwargs):
        response = self.http.request(method, self.url + path, timeout=30,
                                     **kwargs)
        self.assertEqual(expect, response.status_code,
                         f'{method} {path}: {response.text[:300]}')
        return response

    def fill(self, group):
        """Join members, smaller and smaller, until not even the smallest
        fits: the database is full. How many joined.
        """
        n = 0
        for size in (15000, 1000, 20, 0):
            while True:
                response = self.http.put(
                    f'{self.url}/v1/groups/{group}/members/fill-{n}',
                    json={'capabilities': {'x': 'x' * size}, 'ttl': 600},
                    timeout=30)
                if response.status_code == 503:
                    self.assertEqual(
                        'membership.storage_unavailable',
                        response.json()['errors'][0]['code'])
                    break
                self.assertEqual(201, response.status_code, response.text)
                n += 1
                self.assertLess(n, 2000, 'the database never got full')
        return n

    def test_deletes_succeed_when_the_database_is_full(self):
        session = self.call('POST', '/v1/sessions', 201, json={}).json()['id']
        self.call('PUT', '/v1/groups/g', 201)
        self.call('PUT', '/v1/groups/empty', 201)
        self.call('PUT', '/v1/groups/g/members/by-session', 201,
                  json={'session': session})
        self.call('PUT', '/v1/groups/g/candidates/c', 201, json={'ttl': 60})
        revision = self.call('GET', '/v1/groups/g', 200).json()['revision']
        filled = self.fill('g')

        # Small things first: none of these frees a page by itself.
        self.call('DELETE', '/v1/groups/g/candidates/c', 204)
        self.call('DELETE', f'/v1/sessions/{session}', 204)
        self.call('DELETE', '/v1/groups/empty', 204)
        for n in reversed(range(filled)):
            self.call('DELETE', f'/v1/groups/g/members/fill-{n}', 204)
        self.call('GET', '/v1/groups/g/members/by-session', 404)
        # Deletes that found no room wrote no event and dropped the kept
        # ones: a watcher that missed them is told so, and lists again.
        self.call('GET', f'/v1/groups/g/events?since={revision}', 410)
        self.assertEqual([], self.call('GET', '/v1/groups/g/members',
                                       200).json()['members'])
        self.call('DELETE', '/v1/groups/g', 204)
        # What the deletes freed takes writes again.
        self.call('PUT', '/v1/groups/more', 201)
        self.call('PUT', '/v1/groups/more/members/big', 201,
                  json={'capabilities': {'x': BIG}})

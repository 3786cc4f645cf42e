"""Quotas are exact across API processes: four ``membership-api``
processes over one database (SQLite, or MEMBERSHIP_TEST_DB_URL) race to
take the last unit of a limit, and exactly one wins.
"""
import concurrent.futures
import threading
import unittest
import uuid

import requests

from tests import apiservers
from tests import dbserver

GROUPS = 5
SESSIONS = 3
MEMBERS = 4
RACERS_PER_PROCESS = 6


class QuotaRaceTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.database = dbserver.fresh_database()
        cls.servers = apiservers.ApiServers(
            4, connection=cls.database.url if cls.database else None,
            sections=f'[quota]\ngroups = {GROUPS}\nsessions = {SESSIONS}\n'
            f'members_per_group = {MEMBERS}\n').start()

    @classmethod
    def tearDownClass(cls):
        cls.servers.stop()
        if cls.database:
            cls.database.drop()

    def race(self, make_request):
        """Every racer of every process fires at once: their statuses."""
        racers = [(url, n) for url in self.servers.urls
                  for n in range(RACERS_PER_PROCESS)]
        start = threading.Barrier(len(racers))

        def one(racer):
            url, n = racer
            session = requests.Session()
            start.wait()
            return make_request(session, url, n)

        with concurrent.futures.ThreadPoolExecutor(len(racers)) as pool:
            return sorted(pool.map(one, racers))

    def status(self, response):
        """The response's status; a 403 must say the quota is exceeded."""
        if response.status_code == 403:
            self.assertEqual('membership.quota_exceeded',
                             response.json()['errors'][0]['code'])
        return response.status_code

    def headers(self, project):
        return {'X-Project-Id': project,
                'OpenStack-API-Version': 'membership 1.2'}

    def test_racing_for_the_last_group_creates_exactly_one(self):
        for _ in range(6):
            project = uuid.uuid4().hex
            url = self.servers.urls[0]
            for i in range(GROUPS - 1):
                self.assertEqual(201, requests.put(
                    f'{url}/v1/groups/before-{i}',
                    headers=self.headers(project)).status_code)

            def create(session, url, n):
                return self.status(session.put(
                    f'{url}/v1/groups/racer-{url[-5:]}-{n}',
                    headers=self.headers(project), timeout=60))

            statuses = self.race(create)
            self.assertEqual([201] + [403] * (len(statuses) - 1), statuses)
            listed = requests.get(f'{url}/v1/groups',
                                  headers=self.headers(project)).json()
            self.assertEqual(GROUPS, len(listed['groups']))

    def test_racing_for_the_last_session_creates_exactly_one(self):
        project = uuid.uuid4().hex
        url = self.servers.urls[0]
        for _ in range(SESSIONS - 1):
            self.assertEqual(201, requests.post(
                f'{url}/v1/sessions', json={},
                headers=self.headers(project)).status_code)

        def create(session, url, n):
            return session.post(f'{url}/v1/sessions', json={},
                                headers=self.headers(project),
                                timeout=60).status_code

        statuses = self.race(create)
        self.assertEqual([201] + [403] * (len(statuses) - 1), statuses)

    def test_racing_for_the_last_member_joins_exactly_one(self):
        project = uuid.uuid4().hex
        url = self.servers.urls[0]
        group = f'{url}/v1/groups/g'
        requests.put(group, headers=self.headers(project))
        for i in range(MEMBERS - 1):
            self.assertEqual(201, requests.put(
                f'{group}/members/before-{i}', json={'ttl': 60},
                headers=self.headers(project)).status_code)

        def join(session, url, n):
            return self.status(session.put(
                f'{url}/v1/groups/g/members/racer-{url[-5:]}-{n}',
                json={'ttl': 60}, headers=self.headers(project), timeout=60))

        statuses = self.race(join)
        self.assertEqual([201] + [403] * (len(statuses) - 1), statuses)
        # A leave frees one place: exactly one new racer takes it (the
        # first race's winner only replaces its membership: 200).
        self.assertEqual(204, requests.delete(
            f'{group}/members/before-0',
            headers=self.headers(project)).status_code)
        statuses = self.race(join)
        self.assertEqual([200, 201] + [403] * (len(statuses) - 2), statuses)
        listed = requests.get(f'{group}/members',
                              headers=self.headers(project)).json()
        self.assertEqual(MEMBERS, len(listed['members']))

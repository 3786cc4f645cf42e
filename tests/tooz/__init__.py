"""Tests of the tooz driver against real API processes.

Run by ``tox -e tooz`` (tools/with-membership.py exports
MEMBERSHIP_TEST_URL, two API processes behind a balancer), the env
that installs tooz; ``tox -e py3`` leaves them out. Run by hand, each
class starts its own API process.
"""
import os
import unittest
import uuid

from oslo_utils import importutils

from tests import apiservers

coordination = importutils.try_import('tooz.coordination')
tooz = importutils.try_import('tooz')
needs_tooz = unittest.skipUnless(coordination, 'needs tooz: tox -e tooz')


def uid():
    return uuid.uuid4().hex.encode()


class ServiceTestCase(unittest.TestCase):
    """``cls.url`` is a running API (noauth)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.servers = None
        cls.url = os.environ.get('MEMBERSHIP_TEST_URL')
        if not cls.url:
            cls.servers = apiservers.ApiServers(1).start()
            cls.url = cls.servers.urls[0]
        cls.tooz_url = 'membership://' + cls.url.split('://', 1)[1]

    @classmethod
    def tearDownClass(cls):
        if cls.servers:
            cls.servers.stop()
        super().tearDownClass()

    def coordinator(self, member_id=None, timeout=5):
        """A started tooz coordinator, stopped at cleanup."""
        coord = coordination.get_coordinator(
            f'{self.tooz_url}?timeout={timeout}', member_id or uid())
        coord.start()
        self.addCleanup(lambda: coord.is_started and coord.stop())
        return coord

"""Tests of membership.client and the OSC plugin against real API
processes (tests/apiservers.py), never a mock."""
import unittest
import uuid

from membership.client import Client
from tests import apiservers


class ServerTestCase(unittest.TestCase):
    """One noauth API process for the class: ``cls.url``.

    ``API_OPTIONS`` go into its [api] section, ``SECTIONS`` after it.
    Each test gets a project of its own (``self.project``) and a client
    in it (``self.client``), so tests never see each other's groups.
    """

    API_OPTIONS = ''
    SECTIONS = ''

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.servers = apiservers.ApiServers(
            1, extra=cls.API_OPTIONS, sections=cls.SECTIONS).start()
        cls.url = cls.servers.urls[0]

    @classmethod
    def tearDownClass(cls):
        cls.servers.stop()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.project = uuid.uuid4().hex
        self.client = self.make_client()

    def make_client(self, **kwargs):
        kwargs.setdefault('project_id', self.project)
        kwargs.setdefault('endpoint', self.url)
        return Client(noauth=True, **kwargs)

"""API processes over a database server that the test stops and starts.

The server is tools/with-db.sh's (``tox -e functional-postgresql`` or
``functional-mysql``): MEMBERSHIP_TEST_DB_CONTROL names its script,
directory and port.
"""
import os
import subprocess
import unittest

from tests import apiservers
from tests import dbserver


class OutageTestCase(unittest.TestCase):
    """``processes`` API processes over a fresh database of that server,
    with ``[storage] timeout`` = ``storage_timeout``.
    """

    processes = 4
    storage_timeout = 3

    def setUp(self):
        control = os.environ.get('MEMBERSHIP_TEST_DB_CONTROL')
        if not control:
            self.skipTest('needs a database server the test may stop: '
                          'tox -e functional-postgresql or functional-mysql')
        self.script, self.dir, self.port = control.split()
        self.database = dbserver.fresh_database()
        self.addCleanup(self.database.drop)
        self.servers = apiservers.ApiServers(
            self.processes, connection=self.database.url,
            sections=f'[storage]\ntimeout = {self.storage_timeout}').start()
        self.addCleanup(self.servers.stop)

    def database_server(self, action):
        """``stop`` or ``start`` the database server."""
        args = [self.script, action, self.dir]
        if action == 'start':
            args.append(self.port)
        subprocess.run(args, check=True, capture_output=True)

    def errors_logged(self):
        """The API servers' ERROR lines (the last 60)."""
        lines = []
        for server in self.servers.servers:
            with open(server.log, errors='replace') as f:
                lines += [line for line in f if ' ERROR ' in line]
        return ''.join(lines[-60:])

"""An unavailable database is logged without the client's data."""
import logging
import sqlite3

import fixtures
from sqlalchemy import exc as sa_exc
import testtools

from membership.storage import exceptions
from membership.storage.sqlalchemy import engine


class UnavailableLogTest(testtools.TestCase):

    def test_one_line_without_the_statement_or_its_parameters(self):
        log = self.useFixture(fixtures.FakeLogger(
            name='membership.storage.sqlalchemy.engine',
            level=logging.WARNING))

        @engine.translated()
        def put_group():
            raise sa_exc.OperationalError(
                'INSERT INTO groups (name, metadata) VALUES (?, ?)',
                ('secret-name', '{"password": "hunter2"}'),
                sqlite3.OperationalError('database is locked\nFORGED'))

        self.assertRaises(exceptions.StorageUnavailable, put_group)
        self.assertEqual(1, len(log.output.splitlines()), log.output)
        self.assertIn('Database unavailable in put_group: OperationalError: '
                      'database is locked\\nFORGED', log.output)
        for secret in ('hunter2', 'secret-name', 'INSERT'):
            self.assertNotIn(secret, log.output)

"""Databases for tests: SQLite by default, or a real server.

``MEMBERSHIP_TEST_DB_URL`` names a PostgreSQL or MariaDB server started
by tools/ (an admin URL: the user may create databases). Each caller gets
a database of its own, dropped afterwards, as oslo.db's opportunistic
tests do.
"""
import os
import uuid

import sqlalchemy as sa


class Database:

    def __init__(self, admin_url):
        self.admin_url = sa.engine.make_url(admin_url)
        self.name = 'membership_' + uuid.uuid4().hex[:12]
        self.url = self.admin_url.set(database=self.name).render_as_string(
            hide_password=False)
        self._execute(f'CREATE DATABASE {self.name}')

    def _execute(self, statement):
        engine = sa.create_engine(self.admin_url,
                                  isolation_level='AUTOCOMMIT')
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql(statement)
        finally:
            engine.dispose()

    def drop(self):
        force = (' WITH (FORCE)'
                 if self.admin_url.get_backend_name() == 'postgresql' else '')
        self._execute(f'DROP DATABASE IF EXISTS {self.name}{force}')


def fresh_database():
    """A new database on the configured server, or None for SQLite."""
    url = os.environ.get('MEMBERSHIP_TEST_DB_URL')
    return Database(url) if url else None

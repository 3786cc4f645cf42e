"""The migrations build the schema the queries are written against.

``tables.py`` is what every query uses; alembic's migrations are what
``membership-manage db sync`` creates. Upgraded to head on the backend
under test (SQLite, or MEMBERSHIP_TEST_DB_URL), the database must have
every table, column and index ``tables.py`` declares, and no other.
"""
from alembic import autogenerate
from alembic import migration as alembic_migration
import testtools

from membership.storage.sqlalchemy import engine as db_engine
from membership.storage.sqlalchemy import tables
from tests.functional import fixtures as api_fixtures


class SchemaTest(testtools.TestCase):

    def test_migrations_match_the_tables_the_queries_use(self):
        conf = api_fixtures.synced_conf(self)
        engine = db_engine.create_engine(conf)
        self.addCleanup(engine.dispose)
        with engine.connect() as conn:
            context = alembic_migration.MigrationContext.configure(
                conn, opts={'compare_type': False})
            diff = autogenerate.compare_metadata(context, tables.metadata)
        # alembic's own bookkeeping table is not ours to declare.
        diff = [d for d in diff if not (
            d[0] == 'remove_table' and d[1].name == 'alembic_version')]
        self.assertEqual([], diff)

"""Alembic, driven from code: ``membership-manage db sync|version``."""
import os

from alembic import command
from alembic import config as alembic_config
from alembic import migration as alembic_migration
from alembic import script as alembic_script
from alembic.util import exc as alembic_exc

from membership.storage import exceptions
from membership.storage.sqlalchemy import engine as db_engine

HERE = os.path.dirname(os.path.abspath(__file__))


def _config(connection):
    cfg = alembic_config.Config()
    cfg.set_main_option('script_location', os.path.join(HERE, 'migrations'))
    cfg.attributes['connection'] = connection
    return cfg


def upgrade(conf, revision='head'):
    engine = db_engine.create_engine(conf)
    try:
        with engine.begin() as conn:
            command.upgrade(_config(conn), revision)
    finally:
        engine.dispose()


def version(conf):
    engine = db_engine.create_engine(conf)
    try:
        with engine.connect() as conn:
            return alembic_migration.MigrationContext.configure(
                conn).get_current_revision()
    finally:
        engine.dispose()


@db_engine.translated(retries=0)
def check(engine):
    """SchemaNotCurrent unless the database is at this code's head."""
    script = alembic_script.ScriptDirectory.from_config(_config(None))
    heads = set(script.get_heads())
    with engine.connect() as conn:
        current = set(alembic_migration.MigrationContext.configure(
            conn).get_current_heads())
    if current == heads:
        return
    if not current:
        raise exceptions.SchemaNotCurrent(
            'The database has no membership schema: run '
            '"membership-manage db sync" first.')
    try:
        for revision in current:
            script.get_revision(revision)
    except alembic_exc.CommandError:
        raise exceptions.SchemaNotCurrent(
            'The database schema is at revision %s, newer than this code '
            'knows (its latest is %s): run the membership release whose '
            '"membership-manage db sync" upgraded it.' % (
                ', '.join(sorted(current)), ', '.join(sorted(heads))))
    raise exceptions.SchemaNotCurrent(
        'The database schema is at revision %s, behind this code\'s %s: '
        'run "membership-manage db sync".' % (
            ', '.join(sorted(current)), ', '.join(sorted(heads))))

"""Alembic, driven from code: ``membership-manage db sync|version``."""
import os

from alembic import command
from alembic import config as alembic_config
from alembic import migration as alembic_migration

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

"""Is the database at the schema this code speaks? Checked when an API
process starts, without importing alembic (seconds of a start).

The revisions are read from the migration scripts' own ``revision`` and
``down_revision`` assignments; the database's from alembic's
``alembic_version`` table.
"""
import ast
import os

import sqlalchemy as sa

from membership.storage import exceptions
from membership.storage.sqlalchemy import engine as db_engine

VERSIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        'migrations', 'versions')


def _revisions():
    """``{revision: down_revisions}`` of the migration scripts."""
    found = {}
    for name in os.listdir(VERSIONS):
        if not name.endswith('.py'):
            continue
        with open(os.path.join(VERSIONS, name)) as f:
            tree = ast.parse(f.read(), name)
        values = {}
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Name):
                values[node.targets[0].id] = node.value
        if 'revision' in values:
            down = ast.literal_eval(values.get('down_revision',
                                               ast.Constant(None)))
            down = () if down is None else (
                (down,) if isinstance(down, str) else tuple(down))
            found[ast.literal_eval(values['revision'])] = down
    return found


def heads():
    revisions = _revisions()
    below = {down for downs in revisions.values() for down in downs}
    return set(revisions) - below, set(revisions)


def _current(engine):
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table('alembic_version'):
            return set()
        return {row[0] for row in conn.execute(
            sa.text('SELECT version_num FROM alembic_version'))}


@db_engine.translated(retries=0)
def check(engine):
    """SchemaNotCurrent unless the database is at this code's head."""
    head, known = heads()
    current = _current(engine)
    if current == head:
        return
    at = ', '.join(sorted(current))
    latest = ', '.join(sorted(head))
    if not current:
        raise exceptions.SchemaNotCurrent(
            'The database has no membership schema: run '
            '"membership-manage db sync" first.')
    if not current <= known:
        raise exceptions.SchemaNotCurrent(
            f'The database schema is at revision {at}, newer than this '
            f'code knows (its latest is {latest}): run the membership '
            f'release whose "membership-manage db sync" upgraded it.')
    raise exceptions.SchemaNotCurrent(
        f'The database schema is at revision {at}, behind this code\'s '
        f'{latest}: run "membership-manage db sync".')

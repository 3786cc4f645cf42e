"""Groups: create or replace, read, list, patch, delete."""
import json

from oslo_db import exception as db_exc
import sqlalchemy as sa

from membership.storage import base
from membership.storage.sqlalchemy import changes
from membership.storage.sqlalchemy import clock
from membership.storage.sqlalchemy import engine
from membership.storage.sqlalchemy import events
from membership.storage.sqlalchemy import pagination
from membership.storage.sqlalchemy import tables

G = tables.groups
SORT = {'name': G.c.name, 'created_at': G.c.created_at}


def _group(row, member_count, **changed):
    values = dict(row._mapping, **changed)
    return base.Group(
        name=values['name'], project_id=values['project_id'],
        description=values['description'],
        metadata=json.loads(values['metadata']),
        member_count=member_count, revision=values['revision'],
        created_at=values['created_at'], updated_at=values['updated_at'],
        etag=changes.etag(values['id'], values['generation']))


def _select_groups():
    return sa.select(G, changes.live_member_count(clock.now()).label('count'))


def _locked(conn, project_id, name, conditions):
    """The group's row, locked, with the clock; preconditions checked."""
    row = conn.execute(
        sa.select(G, clock.now().label('now'))
        .where(G.c.project_id == project_id, G.c.name == name)
        .with_for_update()).first()
    conditions.check(None if row is None
                     else changes.etag(row.id, row.generation))
    return row


def _count(conn, row):
    return conn.execute(
        sa.select(changes.live_member_count(row.now))
        .select_from(G).where(G.c.id == row.id)).scalar()


def _replace(conn, row, description, metadata):
    """Write description/metadata if they differ; the changed values."""
    meta = changes.dumps(metadata)
    if (row.description, row.metadata) == (description, meta):
        return {}
    values = dict(description=description, metadata=meta,
                  generation=row.generation + 1, updated_at=row.now)
    conn.execute(G.update().where(G.c.id == row.id).values(**values))
    return values


class GroupStorage:

    @engine.translated()
    def get_group(self, project_id, name):
        """The group, its due expiries recorded so its revision is
        exact.
        """
        others = [c for c in G.c
                  if c.key not in ('id', 'revision', 'compacted_revision')]
        row = self._settled_group(
            project_id, name, *others,
            changes.live_member_count(clock.now()).label('count'))
        return _group(row, row.count)

    @engine.translated()
    def list_groups(self, project_id, page):
        """A page of groups, their due expiries recorded first."""
        mine = G.c.project_id == project_id
        with self.tx.read() as conn:
            marker = pagination.marker_values(
                conn, sa.select(G).where(mine), page, SORT, G.c.name)
            query = pagination.paginate(
                _select_groups().add_columns(
                    events.expiry_due(clock.now()).label('due')).where(mine),
                page, SORT, G.c.name, marker)
            rows = conn.execute(query).all()
        due = [row.id for row in rows if row.due]
        if due:
            # With the read's connection back in the pool (see
            # _settled_group).
            for group_id in due:
                self.settle(group_id)
            with self.tx.read() as conn:
                rows = conn.execute(query).all()
        return [_group(row, row.count) for row in rows]

    @engine.translated()
    def put_group(self, project_id, name, description, metadata,
                  conditions=base.NO_CONDITIONS):
        """Create the group, or replace its description and metadata.

        Returns ``(group, created)``.
        """
        while True:
            try:
                return self._put_group(project_id, name, description,
                                       metadata, conditions)
            except db_exc.DBDuplicateEntry:
                # Two creators raced: the loser fails its If-None-Match,
                # or retries and replaces.
                if conditions.create_only:
                    raise base.PreconditionFailed('already exists')

    def _put_group(self, project_id, name, description, metadata,
                   conditions):
        with self.tx.write() as conn:
            row = _locked(conn, project_id, name, conditions)
            if row is not None:
                changed = _replace(conn, row, description, metadata)
                return _group(row, _count(conn, row), **changed), False
            now = conn.execute(sa.select(clock.now())).scalar()
            values = dict(project_id=project_id, name=name,
                          description=description,
                          metadata=changes.dumps(metadata),
                          generation=1, revision=0, compacted_revision=0,
                          term=0, created_at=now, updated_at=now)
            result = conn.execute(G.insert().values(**values))
            values['id'] = result.inserted_primary_key[0]
            return _group(_Values(values), 0), True

    @engine.translated()
    def update_group(self, project_id, name, patch,
                     conditions=base.NO_CONDITIONS):
        """Apply ``patch(group) -> (description, metadata)`` atomically."""
        with self.tx.write() as conn:
            row = _locked(conn, project_id, name, conditions)
            if row is None:
                raise base.GroupNotFound(name)
            count = _count(conn, row)
            description, metadata = patch(_group(row, count))
            changed = _replace(conn, row, description, metadata)
            return _group(row, count, **changed)

    @engine.translated()
    def delete_group(self, project_id, name, conditions=base.NO_CONDITIONS):
        with self.tx.write() as conn:
            row = _locked(conn, project_id, name, conditions)
            if row is None:
                raise base.GroupNotFound(name)
            count = _count(conn, row)
            if count:
                raise base.GroupNotEmpty(name, count)
            for table in (tables.events, tables.candidates, tables.members):
                conn.execute(table.delete().where(table.c.group_id == row.id))
            conn.execute(G.delete().where(G.c.id == row.id))


class _Values:
    """A dict seen as a row (``_mapping``), for records built without a
    re-read.
    """

    def __init__(self, values):
        self._mapping = values

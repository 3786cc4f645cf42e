"""Groups: create or replace, read, list, patch, delete."""
import json

from oslo_db import exception as db_exc
import sqlalchemy as sa

from membership import canonical_json
from membership.quota import limits as quota
from membership.storage import exceptions
from membership.storage import records
from membership.storage.sqlalchemy import changes
from membership.storage.sqlalchemy import clock
from membership.storage.sqlalchemy import database
from membership.storage.sqlalchemy import engine
from membership.storage.sqlalchemy import pagination
from membership.storage.sqlalchemy import tables
from membership.storage.sqlalchemy import usage

G = tables.groups
SORT = {'name': G.c.name, 'created_at': G.c.created_at}
# Once a group's due expiries are recorded (settled), its stored
# member_count is its live members: a read counts no rows.
_GET = database.settled_query(*(
    c for c in G.c if c.key not in ('id', 'revision', 'compacted_revision')))


def _group(values, member_count):
    return records.Group(
        name=values['name'], project_id=values['project_id'],
        description=values['description'],
        metadata=json.loads(values['metadata']),
        member_count=member_count, revision=values['revision'],
        created_at=values['created_at'], updated_at=values['updated_at'],
        etag=records.etag(values['id'], values['generation']))


def _locked(conn, project_id, name, conditions, limits):
    """``(row, now)`` of the group, locked (its project first when
    ``limits`` are to be checked); preconditions checked.
    """
    if limits.bounded:
        usage.lock_project(conn, project_id)
    row, now = changes.lock_group(conn, project_id, name)
    conditions.check(None if row is None
                     else records.etag(row.id, row.generation))
    return row, now


def _count(conn, row, now):
    return conn.execute(
        sa.select(changes.live_member_count(now))
        .select_from(G).where(G.c.id == row.id)).scalar()


def _replace(conn, row, now, description, metadata, limits):
    """The row's values once description/metadata are written (when
    they differ and the project's stored bytes allow).
    """
    values = dict(row._mapping)
    meta = canonical_json.dumps(metadata)
    limits.enforce(
        {quota.STORED_BYTES: usage.size(meta) - usage.size(row.metadata)},
        usage.counter(conn, row.project_id, now))
    if (row.description, row.metadata) != (description, meta):
        changed = dict(description=description, metadata=meta,
                       generation=row.generation + 1, updated_at=now)
        conn.execute(G.update().where(G.c.id == row.id).values(**changed))
        values.update(changed)
    return values


class Groups:

    def __init__(self, db):
        self.db = db

    @engine.translated()
    def get_group(self, project_id, name):
        row = self.db.settled_row(project_id, name, _GET)
        return _group(row._mapping, row.member_count)

    @engine.translated()
    def list_groups(self, project_id, page):
        mine = G.c.project_id == project_id
        now = clock.now()
        with self.db.tx.read() as conn:
            marker = pagination.marker_values(
                conn, sa.select(G).where(mine), page, SORT, G.c.name)
            query = pagination.paginate(
                sa.select(G, changes.expiry_due(now).label('due'))
                .where(mine),
                page, SORT, G.c.name, marker)
            rows = pagination.fetch(conn, query, page, G.c.metadata)
        due = [row.id for row in rows if row.due]
        if due:
            # With the read's connection back in the pool (see
            # Database.settled_row).
            for group_id in due:
                self.db.settle(group_id)
            with self.db.tx.read() as conn:
                rows = pagination.fetch(conn, query, page, G.c.metadata)
        return pagination.converted(
            rows, lambda row: _group(row._mapping, row.member_count))

    @engine.translated()
    def put_group(self, project_id, name, description, metadata,
                  conditions):
        while True:
            try:
                return self._put_group(project_id, name, description,
                                       metadata, conditions)
            except db_exc.DBDuplicateEntry:
                # Two creators raced: the loser fails its If-None-Match,
                # or retries and replaces.
                if conditions.create_only:
                    raise exceptions.PreconditionFailed('already exists')

    def _put_group(self, project_id, name, description, metadata,
                   conditions):
        limits = self.db.limits(project_id, quota.GROUPS, quota.STORED_BYTES)
        with self.db.tx.write() as conn:
            row, now = _locked(conn, project_id, name, conditions, limits)
            if row is not None:
                values = _replace(conn, row, now, description, metadata,
                                  limits)
                return _group(values, _count(conn, row, now)), False
            now = clock.read(conn)
            meta = canonical_json.dumps(metadata)
            limits.enforce({quota.GROUPS: 1,
                            quota.STORED_BYTES: usage.size(meta)},
                           usage.counter(conn, project_id, now))
            values = dict(project_id=project_id, name=name,
                          description=description, metadata=meta,
                          generation=1, revision=0, compacted_revision=0,
                          term=0, created_at=now, updated_at=now)
            result = conn.execute(G.insert().values(**values))
            values['id'] = result.inserted_primary_key[0]
            return _group(values, 0), True

    @engine.translated()
    def update_group(self, project_id, name, patch, conditions):
        limits = self.db.limits(project_id, quota.STORED_BYTES)
        with self.db.tx.write() as conn:
            row, now = _locked(conn, project_id, name, conditions, limits)
            if row is None:
                raise exceptions.GroupNotFound(name)
            count = _count(conn, row, now)
            description, metadata = patch(_group(row._mapping, count))
            return _group(_replace(conn, row, now, description, metadata,
                                   limits), count)

    @engine.translated()
    def delete_group(self, project_id, name, conditions):
        with self.db.tx.write() as conn:
            row, now = _locked(conn, project_id, name, conditions,
                               records.UNBOUNDED)
            if row is None:
                raise exceptions.GroupNotFound(name)
            count = _count(conn, row, now)
            if count:
                raise exceptions.GroupNotEmpty(name, count)
            for table in (tables.events, tables.candidates, tables.members):
                conn.execute(table.delete().where(table.c.group_id == row.id))
            conn.execute(G.delete().where(G.c.id == row.id))

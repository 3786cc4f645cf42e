"""What every part of the SQL driver shares: one per process.

The engine and its transactions, the retention of events, the write
transaction on one group (``changing``) that records due expiries
before its own change, the settle step, and who to tell after a commit.
"""
import contextlib
import logging

import sqlalchemy as sa

from membership.storage import exceptions
from membership.storage import records
from membership.storage.sqlalchemy import changes
from membership.storage.sqlalchemy import clock
from membership.storage.sqlalchemy import engine
from membership.storage.sqlalchemy import tables
from membership.storage.sqlalchemy import usage

LOG = logging.getLogger(__name__)
G = tables.groups


def settled_query(*columns):
    """The read of a group by project and name for
    :meth:`Database.settled_row`: its id, revision, compacted revision,
    ``columns`` and whether an expiry is due. Build it once, at import:
    built per call it costs several times its SQL.
    """
    return sa.select(
        G.c.id, G.c.revision, G.c.compacted_revision, *columns,
        changes.expiry_due(clock.now()).label('due')).where(
            G.c.project_id == sa.bindparam('p_project'),
            G.c.name == sa.bindparam('p_group'))


class Database:

    def __init__(self, conf, max_connections=None, quota=None):
        self.engine = engine.create_engine(conf, max_connections)
        self.quota = quota
        self.tx = engine.Transactions(self.engine)
        self.retention = conf.storage.event_retention
        self._subscribers = []
        self._session_enders = []

    def subscribe(self, callback):
        self._subscribers.append(callback)

    def notify(self, changesets):
        """Tell the subscribers of each committed change (a group's
        Changes, a lock's Queue) its watch key and revision.
        """
        for changeset in changesets:
            for callback in self._subscribers:
                callback(changeset.watch_key, changeset.revision)

    def on_session_end(self, release):
        """Have ``release(conn, session_id, now)`` end what a part binds
        to a session, in the transaction that deletes the session; it
        returns the changes to notify.
        """
        self._session_enders.append(release)

    def end_session(self, conn, session_id, now):
        changed = []
        for release in self._session_enders:
            changed.extend(release(conn, session_id, now))
        return changed

    def limits(self, project_id, *names):
        """The project's limits ``names`` (read before a transaction)."""
        if self.quota is None:
            return records.UNBOUNDED
        return self.quota.limits(project_id, names)

    def freeing(self, delete):
        """Run ``delete(frugal)``; when the database is full, run it
        again frugally: it then writes no event and drops the group's
        kept events (watchers get 410 and list again), so it frees space
        instead of needing it.
        """
        try:
            return delete(False)
        except Exception as e:
            if not engine.is_full(e):
                raise
            LOG.warning('The database is full: deleting without events, '
                        'and compacting the events of the groups changed.')
            return delete(True)

    @contextlib.contextmanager
    def changing(self, project_id=None, group=None, group_id=None,
                 limits=records.UNBOUNDED, frugal=False):
        """A write transaction on one group, locked, due expiries first
        (the project locked before it when ``limits`` are to be checked).

        Yields ``(conn, changes)``; flushes the changes before commit and
        notifies the subscribers after it.
        """
        with self.tx.write() as conn:
            if limits.bounded:
                usage.lock_project(conn, project_id)
            changeset = self.changes_of(conn, project_id, group, group_id,
                                        frugal)
            yield conn, changeset
            changeset.flush()
        self.notify([changeset])

    def changes_of(self, conn, project_id=None, group=None, group_id=None,
                   frugal=False):
        """The Changes of a group locked in ``conn``'s transaction, due
        expiries recorded (``frugal``: see Changes).
        """
        row, now, due = changes.lock_group_due(conn, project_id, group,
                                               group_id)
        if row is None:
            raise exceptions.GroupNotFound(
                group if group is not None else group_id)
        changeset = changes.Changes(conn, row, now, self.retention, frugal)
        if due:
            changeset.expire_due()
        return changeset

    def settle(self, group_id):
        """Record the group's due expiries now (Storage.settle)."""
        try:
            with self.changing(group_id=group_id):
                pass
        except exceptions.GroupNotFound:
            pass

    def settled_row(self, project_id, group, query):
        """The group's row as ``query`` (built by :func:`settled_query`)
        reads it, its due expiries recorded first.

        The read's connection goes back to the pool before settling, so
        a busy pool cannot starve on a read that needs a second one.
        """
        names = {'p_project': project_id, 'p_group': group}
        with self.tx.read_one() as conn:
            row = conn.execute(query, names).first()
        if row is not None and row.due:
            self.settle(row.id)
            with self.tx.read_one() as conn:
                row = conn.execute(query, names).first()
        if row is None:
            raise exceptions.GroupNotFound(group)
        return row

"""The SQL storage driver: one object per process, shared by threads."""
import contextlib

from membership.storage.sqlalchemy import changes
from membership.storage.sqlalchemy import election
from membership.storage.sqlalchemy import engine
from membership.storage.sqlalchemy import events
from membership.storage.sqlalchemy import groups
from membership.storage.sqlalchemy import members
from membership.storage.sqlalchemy import sessions


class Storage(groups.GroupStorage, members.MemberStorage,
              events.EventStorage, sessions.SessionStorage,
              election.ElectionStorage):

    def __init__(self, conf):
        self.conf = conf
        self.engine = engine.create_engine(conf)
        self.tx = engine.Transactions(self.engine)
        self._listeners = []

    def dispose(self):
        self.engine.dispose()

    def add_listener(self, listener):
        """Call ``listener(group_id, revision)`` after each committed
        change, so this process's watchers wake at once.
        """
        self._listeners.append(listener)

    def notify(self, changesets):
        for changeset in changesets:
            for listener in self._listeners:
                listener(changeset.group.id, changeset.revision)

    @contextlib.contextmanager
    def changing(self, project_id=None, group=None, group_id=None):
        """A write transaction on one group, locked, due expiries first.

        Yields the Changes; flushes them before commit and wakes this
        process's watchers after it.
        """
        with self.tx.write() as conn:
            changeset = self.changes_of(conn, project_id, group, group_id)
            yield conn, changeset
            changeset.flush()
        self.notify([changeset])

    def changes_of(self, conn, project_id=None, group=None, group_id=None):
        changeset = changes.Changes(
            conn, changes.lock_group(conn, project_id, group, group_id),
            self.conf.api.event_retention)
        changeset.expire_due()
        return changeset

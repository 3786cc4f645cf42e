"""The SQL storage driver: one object per process, shared by threads.

Each part (groups, members, events, sessions, election, locks) is a module of
its own over the shared :class:`~.database.Database`; this class is the
contract's face of them.
"""
import sqlalchemy as sa

from membership.storage import base
from membership.storage import records
from membership.storage.sqlalchemy import database
from membership.storage.sqlalchemy import election
from membership.storage.sqlalchemy import engine
from membership.storage.sqlalchemy import events
from membership.storage.sqlalchemy import groups
from membership.storage.sqlalchemy import locks
from membership.storage.sqlalchemy import members
from membership.storage.sqlalchemy import schema
from membership.storage.sqlalchemy import sessions

NO_CONDITIONS = records.NO_CONDITIONS


class Storage(base.Storage):

    def __init__(self, conf, max_connections=None, quota=None):
        self.db = database.Database(conf, max_connections, quota)
        self._groups = groups.Groups(self.db)
        self._members = members.Members(self.db)
        self._events = events.Events(self.db)
        self._sessions = sessions.Sessions(self.db)
        self._election = election.Election(self.db)
        self._locks = locks.Locks(self.db)

    def dispose(self):
        self.db.engine.dispose()

    def subscribe(self, callback):
        self.db.subscribe(callback)

    def check_schema(self):
        schema.check(self.db.engine)

    @engine.translated(retries=0)
    def ping(self):
        with self.db.tx.read() as conn:
            conn.execute(sa.text('SELECT 1'))

    def get_group(self, project_id, name):
        return self._groups.get_group(project_id, name)

    def list_groups(self, project_id, page):
        return self._groups.list_groups(project_id, page)

    def put_group(self, project_id, name, description, metadata,
                  conditions=NO_CONDITIONS):
        return self._groups.put_group(project_id, name, description,
                                      metadata, conditions)

    def update_group(self, project_id, name, patch,
                     conditions=NO_CONDITIONS):
        return self._groups.update_group(project_id, name, patch,
                                         conditions)

    def delete_group(self, project_id, name, conditions=NO_CONDITIONS):
        return self._groups.delete_group(project_id, name, conditions)

    def get_member(self, project_id, group, member_id):
        return self._members.get_member(project_id, group, member_id)

    def list_members(self, project_id, group, page):
        return self._members.list_members(project_id, group, page)

    def put_member(self, project_id, group, member_id, capabilities, ttl,
                   conditions=NO_CONDITIONS, session_id=None):
        return self._members.put_member(project_id, group, member_id,
                                        capabilities, ttl, conditions,
                                        session_id)

    def update_member(self, project_id, group, member_id, patch,
                      conditions=NO_CONDITIONS):
        return self._members.update_member(project_id, group, member_id,
                                           patch, conditions)

    def leave(self, project_id, group, member_id, conditions=NO_CONDITIONS):
        return self._members.leave(project_id, group, member_id, conditions)

    def heartbeat(self, project_id, group, member_id):
        return self._members.heartbeat(project_id, group, member_id)

    def events(self, project_id, group, since, limit, types=None):
        return self._events.events(project_id, group, since, limit, types)

    def watch_states(self, group_ids):
        return self._events.watch_states(group_ids)

    def settle(self, group_id):
        return self._events.settle(group_id)

    def create_session(self, project_id, ttl):
        return self._sessions.create_session(project_id, ttl)

    def get_session(self, project_id, session_id):
        return self._sessions.get_session(project_id, session_id)

    def list_sessions(self, project_id, page):
        return self._sessions.list_sessions(project_id, page)

    def heartbeat_session(self, project_id, session_id):
        return self._sessions.heartbeat_session(project_id, session_id)

    def delete_session(self, project_id, session_id):
        return self._sessions.delete_session(project_id, session_id)

    def put_candidate(self, project_id, group, candidate_id, ttl,
                      session_id=None):
        return self._election.put_candidate(project_id, group, candidate_id,
                                            ttl, session_id)

    def get_candidate(self, project_id, group, candidate_id):
        return self._election.get_candidate(project_id, group, candidate_id)

    def list_candidates(self, project_id, group, page):
        return self._election.list_candidates(project_id, group, page)

    def withdraw(self, project_id, group, candidate_id):
        return self._election.withdraw(project_id, group, candidate_id)

    def stand_down(self, project_id, group, candidate_id):
        return self._election.stand_down(project_id, group, candidate_id)

    def heartbeat_candidate(self, project_id, group, candidate_id):
        return self._election.heartbeat_candidate(project_id, group,
                                                  candidate_id)

    def get_leader(self, project_id, group):
        return self._election.get_leader(project_id, group)

    def acquire_lock(self, project_id, name, shared, ttl, session_id=None,
                     wait=0):
        return self._locks.acquire_lock(project_id, name, shared, ttl,
                                        session_id, wait)

    def waiter_state(self, project_id, name, waiter_id, session_id=None):
        return self._locks.waiter_state(project_id, name, waiter_id,
                                        session_id)

    def lock_queue(self, project_id, name):
        return self._locks.lock_queue(project_id, name)

    def leave_queue(self, project_id, name, waiter_id, session_id=None):
        return self._locks.leave_queue(project_id, name, waiter_id,
                                       session_id)

    def get_lock(self, project_id, name):
        return self._locks.get_lock(project_id, name)

    def list_locks(self, project_id, page):
        return self._locks.list_locks(project_id, page)

    def list_holders(self, project_id, name, page):
        return self._locks.list_holders(project_id, name, page)

    def get_holder(self, project_id, name, holder_id):
        return self._locks.get_holder(project_id, name, holder_id)

    def heartbeat_holder(self, project_id, name, holder_id):
        return self._locks.heartbeat_holder(project_id, name, holder_id)

    def release(self, project_id, name, holder_id):
        return self._locks.release(project_id, name, holder_id)

    def break_lock(self, project_id, name):
        return self._locks.break_lock(project_id, name)

    def lock_watch_states(self, lock_ids):
        return self._locks.lock_watch_states(lock_ids)

    def settle_lock(self, lock_id):
        return self._locks.settle_lock(lock_id)

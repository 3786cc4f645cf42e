"""The schema. Alembic migrations create it; these tables build queries.

Times are integer microseconds since the epoch (UTC), always taken from
the database's clock (:mod:`membership.storage.sqlalchemy.clock`), so
every API process compares expiry against the same clock, and arithmetic
such as ``now + ttl`` is portable across SQLite, PostgreSQL and MariaDB.
"""
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

metadata = sa.MetaData()

# Names are case-sensitive: MariaDB's default collation is not.
Name = sa.String(255).with_variant(
    mysql.VARCHAR(255, collation='utf8mb4_bin'), 'mysql', 'mariadb')
Uuid = sa.String(36).with_variant(
    mysql.VARCHAR(36, collation='utf8mb4_bin'), 'mysql', 'mariadb')
Time = sa.BigInteger

# One row a project, created by its first write that adds usage: the lock
# that serializes the count and the insert of a quota check (SQLite's one
# writer needs none; PostgreSQL and MariaDB lock this row FOR UPDATE).
projects = sa.Table(
    'projects', metadata,
    sa.Column('project_id', Name, primary_key=True),
)

groups = sa.Table(
    'groups', metadata,
    sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
    sa.Column('project_id', Name, nullable=False),
    sa.Column('name', Name, nullable=False),
    sa.Column('description', sa.String(255), nullable=False),
    sa.Column('metadata', sa.Text, nullable=False),
    # Bumped on every change of description/metadata: the ETag.
    sa.Column('generation', sa.Integer, nullable=False),
    # Last event revision of the group; the next change takes revision + 1.
    sa.Column('revision', sa.BigInteger, nullable=False),
    # Events up to this revision were purged (retention).
    sa.Column('compacted_revision', sa.BigInteger, nullable=False),
    # Election state: the current leader, its term and since when.
    sa.Column('leader_id', Name, nullable=True),
    sa.Column('term', sa.BigInteger, nullable=False),
    sa.Column('elected_at', Time, nullable=True),
    sa.Column('created_at', Time, nullable=False),
    sa.Column('updated_at', Time, nullable=False),
    # The group's member rows and the bytes of their capabilities, kept
    # by every change of its members (under its lock): once its due
    # expiries are recorded they are all live, so a quota check reads
    # them instead of counting the group (see usage).
    sa.Column('member_count', sa.Integer, nullable=False,
              server_default='0'),
    sa.Column('member_bytes', sa.BigInteger, nullable=False,
              server_default='0'),
    sa.UniqueConstraint('project_id', 'name', name='uniq_groups0project_name'),
    sa.Index('groups_project_created_idx', 'project_id', 'created_at'),
)

sessions = sa.Table(
    'sessions', metadata,
    sa.Column('id', Uuid, primary_key=True),
    sa.Column('project_id', Name, nullable=False),
    sa.Column('ttl', sa.Integer, nullable=False),
    sa.Column('created_at', Time, nullable=False),
    sa.Column('heartbeat_at', Time, nullable=False),
    sa.Column('expires_at', Time, nullable=False),
    sa.Index('sessions_project_created_idx', 'project_id', 'created_at'),
    sa.Index('sessions_expires_idx', 'expires_at'),
)

members = sa.Table(
    'members', metadata,
    sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
    sa.Column('group_id', sa.Integer,
              sa.ForeignKey('groups.id', ondelete='CASCADE'), nullable=False),
    sa.Column('member_id', Name, nullable=False),
    sa.Column('capabilities', sa.Text, nullable=False),
    sa.Column('ttl', sa.Integer, nullable=True),
    # A session-bound member lives as long as its session; its own
    # expires_at is then NULL and the session's applies.
    sa.Column('session_id', Uuid,
              sa.ForeignKey('sessions.id', ondelete='CASCADE'),
              nullable=True),
    sa.Column('generation', sa.Integer, nullable=False),
    sa.Column('joined_at', Time, nullable=False),
    sa.Column('updated_at', Time, nullable=False),
    sa.Column('heartbeat_at', Time, nullable=False),
    sa.Column('expires_at', Time, nullable=True),
    sa.UniqueConstraint('group_id', 'member_id',
                        name='uniq_members0group_member'),
    sa.Index('members_group_expires_idx', 'group_id', 'expires_at'),
    sa.Index('members_group_joined_idx', 'group_id', 'joined_at'),
    sa.Index('members_session_group_idx', 'session_id', 'group_id'),
)

candidates = sa.Table(
    'candidates', metadata,
    sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
    sa.Column('group_id', sa.Integer,
              sa.ForeignKey('groups.id', ondelete='CASCADE'), nullable=False),
    sa.Column('candidate_id', Name, nullable=False),
    sa.Column('ttl', sa.Integer, nullable=True),
    sa.Column('session_id', Uuid,
              sa.ForeignKey('sessions.id', ondelete='CASCADE'),
              nullable=True),
    # Election order: entry order, and stand-down moves to the back.
    sa.Column('position', sa.BigInteger, nullable=False),
    sa.Column('entered_at', Time, nullable=False),
    sa.Column('heartbeat_at', Time, nullable=False),
    sa.Column('expires_at', Time, nullable=True),
    sa.UniqueConstraint('group_id', 'candidate_id',
                        name='uniq_candidates0group_candidate'),
    sa.Index('candidates_group_position_idx', 'group_id', 'position'),
    sa.Index('candidates_session_group_idx', 'session_id', 'group_id'),
    sa.Index('candidates_group_expires_idx', 'group_id', 'expires_at'),
)

events = sa.Table(
    'events', metadata,
    sa.Column('group_id', sa.Integer,
              sa.ForeignKey('groups.id', ondelete='CASCADE'),
              primary_key=True),
    sa.Column('revision', sa.BigInteger, primary_key=True,
              autoincrement=False),
    sa.Column('type', sa.String(16), nullable=False),
    sa.Column('member_id', Name, nullable=False),
    sa.Column('at', Time, nullable=False),
    sa.Index('events_group_at_idx', 'group_id', 'at'),
)

# A lock's row is never deleted: it keeps the last fencing token issued,
# so a token is never handed out twice, also after the lock was free.
locks = sa.Table(
    'locks', metadata,
    sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
    sa.Column('project_id', Name, nullable=False),
    sa.Column('name', Name, nullable=False),
    # The last fencing token issued (0: none yet).
    sa.Column('fence', sa.BigInteger, nullable=False),
    # Bumped by every change of holders or waiters: what waiters watch.
    sa.Column('generation', sa.BigInteger, nullable=False),
    sa.Column('created_at', Time, nullable=False),
    sa.UniqueConstraint('project_id', 'name', name='uniq_locks0project_name'),
)

lock_holders = sa.Table(
    'lock_holders', metadata,
    sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
    sa.Column('lock_id', sa.Integer,
              sa.ForeignKey('locks.id', ondelete='CASCADE'), nullable=False),
    sa.Column('holder_id', Uuid, nullable=False),
    sa.Column('shared', sa.Boolean, nullable=False),
    sa.Column('fence', sa.BigInteger, nullable=False),
    sa.Column('ttl', sa.Integer, nullable=True),
    # A session-bound holder lives as long as its session (expires_at is
    # then NULL); a ttl-bound one until expires_at.
    sa.Column('session_id', Uuid,
              sa.ForeignKey('sessions.id', ondelete='CASCADE'),
              nullable=True),
    sa.Column('acquired_at', Time, nullable=False),
    sa.Column('expires_at', Time, nullable=True),
    sa.UniqueConstraint('holder_id', name='uniq_lock_holders0holder'),
    sa.Index('lock_holders_lock_fence_idx', 'lock_id', 'fence'),
    sa.Index('lock_holders_session_idx', 'session_id'),
)

# The queue of a lock: ``id`` is the arrival order (rows are inserted
# under the lock's row lock). A granted waiter keeps its row, naming its
# holder, for its request to read (purged a minute after its wait ends).
lock_waiters = sa.Table(
    'lock_waiters', metadata,
    sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
    sa.Column('lock_id', sa.Integer,
              sa.ForeignKey('locks.id', ondelete='CASCADE'), nullable=False),
    sa.Column('shared', sa.Boolean, nullable=False),
    sa.Column('ttl', sa.Integer, nullable=True),
    sa.Column('session_id', Uuid,
              sa.ForeignKey('sessions.id', ondelete='CASCADE'),
              nullable=True),
    sa.Column('arrived_at', Time, nullable=False),
    # The end of the request's wait: from then on it is out of the queue.
    sa.Column('expires_at', Time, nullable=False),
    sa.Column('holder_id', Uuid, nullable=True),
    sa.Index('lock_waiters_lock_idx', 'lock_id', 'id'),
    sa.Index('lock_waiters_session_idx', 'session_id'),
)

"""Locks (1.3): locks, their holders and their queues.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

Name = sa.String(255).with_variant(
    mysql.VARCHAR(255, collation='utf8mb4_bin'), 'mysql', 'mariadb')
Uuid = sa.String(36).with_variant(
    mysql.VARCHAR(36, collation='utf8mb4_bin'), 'mysql', 'mariadb')
Time = sa.BigInteger
TABLE_ARGS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'}


def _lock_id():
    return sa.Column('lock_id', sa.Integer,
                     sa.ForeignKey('locks.id', ondelete='CASCADE'),
                     nullable=False)


def _session_id():
    return sa.Column('session_id', Uuid,
                     sa.ForeignKey('sessions.id', ondelete='CASCADE'),
                     nullable=True)


def upgrade():
    op.create_table(
        'locks',
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
        sa.Column('project_id', Name, nullable=False),
        sa.Column('name', Name, nullable=False),
        sa.Column('fence', sa.BigInteger, nullable=False),
        sa.Column('generation', sa.BigInteger, nullable=False),
        sa.Column('created_at', Time, nullable=False),
        sa.UniqueConstraint('project_id', 'name',
                            name='uniq_locks0project_name'),
        **TABLE_ARGS)
    op.create_table(
        'lock_holders',
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
        _lock_id(),
        sa.Column('holder_id', Uuid, nullable=False),
        sa.Column('shared', sa.Boolean, nullable=False),
        sa.Column('fence', sa.BigInteger, nullable=False),
        sa.Column('ttl', sa.Integer, nullable=True),
        _session_id(),
        sa.Column('acquired_at', Time, nullable=False),
        sa.Column('expires_at', Time, nullable=True),
        sa.UniqueConstraint('holder_id', name='uniq_lock_holders0holder'),
        **TABLE_ARGS)
    op.create_index('lock_holders_lock_fence_idx', 'lock_holders',
                    ['lock_id', 'fence'])
    op.create_index('lock_holders_session_idx', 'lock_holders',
                    ['session_id'])
    op.create_table(
        'lock_waiters',
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
        _lock_id(),
        sa.Column('shared', sa.Boolean, nullable=False),
        sa.Column('ttl', sa.Integer, nullable=True),
        _session_id(),
        sa.Column('arrived_at', Time, nullable=False),
        sa.Column('expires_at', Time, nullable=False),
        sa.Column('holder_id', Uuid, nullable=True),
        **TABLE_ARGS)
    op.create_index('lock_waiters_lock_idx', 'lock_waiters',
                    ['lock_id', 'id'])
    op.create_index('lock_waiters_session_idx', 'lock_waiters',
                    ['session_id'])

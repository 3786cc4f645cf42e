"""The initial schema: groups, sessions, members, candidates, events.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None

Name = sa.String(255).with_variant(
    mysql.VARCHAR(255, collation='utf8mb4_bin'), 'mysql', 'mariadb')
Uuid = sa.String(36).with_variant(
    mysql.VARCHAR(36, collation='utf8mb4_bin'), 'mysql', 'mariadb')
Time = sa.BigInteger
TABLE_ARGS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'}


def upgrade():
    op.create_table(
        'groups',
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
        sa.Column('project_id', Name, nullable=False),
        sa.Column('name', Name, nullable=False),
        sa.Column('description', sa.String(255), nullable=False),
        sa.Column('metadata', sa.Text, nullable=False),
        sa.Column('generation', sa.Integer, nullable=False),
        sa.Column('revision', sa.BigInteger, nullable=False),
        sa.Column('compacted_revision', sa.BigInteger, nullable=False),
        sa.Column('leader_id', Name, nullable=True),
        sa.Column('term', sa.BigInteger, nullable=False),
        sa.Column('elected_at', Time, nullable=True),
        sa.Column('created_at', Time, nullable=False),
        sa.Column('updated_at', Time, nullable=False),
        sa.UniqueConstraint('project_id', 'name',
                            name='uniq_groups0project_name'),
        **TABLE_ARGS)
    op.create_index('groups_project_created_idx', 'groups',
                    ['project_id', 'created_at'])
    op.create_table(
        'sessions',
        sa.Column('id', Uuid, primary_key=True),
        sa.Column('project_id', Name, nullable=False),
        sa.Column('ttl', sa.Integer, nullable=False),
        sa.Column('created_at', Time, nullable=False),
        sa.Column('heartbeat_at', Time, nullable=False),
        sa.Column('expires_at', Time, nullable=False),
        **TABLE_ARGS)
    op.create_index('sessions_project_created_idx', 'sessions',
                    ['project_id', 'created_at'])
    op.create_index('sessions_expires_idx', 'sessions', ['expires_at'])
    op.create_table(
        'members',
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
        sa.Column('group_id', sa.Integer,
                  sa.ForeignKey('groups.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('member_id', Name, nullable=False),
        sa.Column('capabilities', sa.Text, nullable=False),
        sa.Column('ttl', sa.Integer, nullable=True),
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
        **TABLE_ARGS)
    op.create_index('members_group_expires_idx', 'members',
                    ['group_id', 'expires_at'])
    op.create_index('members_group_joined_idx', 'members',
                    ['group_id', 'joined_at'])
    op.create_index('members_session_idx', 'members', ['session_id'])
    op.create_table(
        'candidates',
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
        sa.Column('group_id', sa.Integer,
                  sa.ForeignKey('groups.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('candidate_id', Name, nullable=False),
        sa.Column('ttl', sa.Integer, nullable=True),
        sa.Column('session_id', Uuid,
                  sa.ForeignKey('sessions.id', ondelete='CASCADE'),
                  nullable=True),
        sa.Column('position', sa.BigInteger, nullable=False),
        sa.Column('entered_at', Time, nullable=False),
        sa.Column('heartbeat_at', Time, nullable=False),
        sa.Column('expires_at', Time, nullable=True),
        sa.UniqueConstraint('group_id', 'candidate_id',
                            name='uniq_candidates0group_candidate'),
        **TABLE_ARGS)
    op.create_index('candidates_group_position_idx', 'candidates',
                    ['group_id', 'position'])
    op.create_index('candidates_session_idx', 'candidates', ['session_id'])
    op.create_table(
        'events',
        sa.Column('group_id', sa.Integer,
                  sa.ForeignKey('groups.id', ondelete='CASCADE'),
                  primary_key=True),
        sa.Column('revision', sa.BigInteger, primary_key=True,
                  autoincrement=False),
        sa.Column('type', sa.String(16), nullable=False),
        sa.Column('member_id', Name, nullable=False),
        sa.Column('at', Time, nullable=False),
        **TABLE_ARGS)
    op.create_index('events_group_at_idx', 'events', ['group_id', 'at'])

"""Indexes that find due expiries without scanning a group.

A session-bound row is due when its session expired: the expired
sessions are found by ``sessions_expires_idx``, then their rows in the
group by ``(session_id, group_id)``, which also serves the foreign key
and the session's own lookups, so the ``session_id``-only indexes go.
Candidates get ``(group_id, expires_at)`` like members.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    # Created before the old ones are dropped: MariaDB keeps an index on
    # a foreign key's columns at every instant.
    op.create_index('members_session_group_idx', 'members',
                    ['session_id', 'group_id'])
    op.drop_index('members_session_idx', 'members')
    op.create_index('candidates_session_group_idx', 'candidates',
                    ['session_id', 'group_id'])
    op.drop_index('candidates_session_idx', 'candidates')
    op.create_index('candidates_group_expires_idx', 'candidates',
                    ['group_id', 'expires_at'])

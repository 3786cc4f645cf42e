"""Groups: the count of their members' rows, what members_per_group checks.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('groups', sa.Column('member_count', sa.Integer,
                                      nullable=False, server_default='0'))
    groups = sa.table('groups', sa.column('id'), sa.column('member_count'))
    members = sa.table('members', sa.column('group_id'))
    op.execute(groups.update().values(member_count=(
        sa.select(sa.func.count()).select_from(members)
        .where(members.c.group_id == groups.c.id).scalar_subquery())))

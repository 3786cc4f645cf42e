"""Groups: their member rows and the bytes of their capabilities, kept
by every change of the members, so quota checks need not count a group.

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
    op.add_column('groups', sa.Column('member_bytes', sa.BigInteger,
                                      nullable=False, server_default='0'))
    groups = sa.table('groups', sa.column('id'), sa.column('member_count'),
                      sa.column('member_bytes'))
    members = sa.table('members', sa.column('group_id'),
                       sa.column('capabilities'))
    rows = (sa.select(sa.func.count()).select_from(members)
            .where(members.c.group_id == groups.c.id))
    size = (sa.select(sa.func.coalesce(
        sa.func.sum(sa.func.length(members.c.capabilities)), 0))
        .where(members.c.group_id == groups.c.id))
    op.execute(groups.update().values(
        member_count=rows.scalar_subquery(),
        member_bytes=size.scalar_subquery()))

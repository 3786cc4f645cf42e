"""Projects: one row each, locked by every write that adds to its usage.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

Name = sa.String(255).with_variant(
    mysql.VARCHAR(255, collation='utf8mb4_bin'), 'mysql', 'mariadb')


def upgrade():
    op.create_table(
        'projects',
        sa.Column('project_id', Name, primary_key=True),
        mysql_engine='InnoDB', mysql_charset='utf8mb4')

"""Big groups in seconds: members inserted straight into the tables.

Joining 100,000 members through the API would take minutes before the
first measurement; the benchmark needs the rows, not their history. The
rows are what a join writes (no events: nobody watches these groups).
"""
import json
import time

import sqlalchemy as sa

from membership.storage.sqlalchemy import tables

SECOND = 1000000
BATCH = 5000


def members(url, project, group, count, prefix='m', ttl=3600):
    """Add ``count`` members ``{prefix}0..`` with ``ttl`` to ``group``."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            group_id = conn.execute(sa.select(tables.groups.c.id).where(
                tables.groups.c.project_id == project,
                tables.groups.c.name == group)).scalar_one()
            now = int(time.time() * SECOND)
            for start in range(0, count, BATCH):
                conn.execute(tables.members.insert(), [
                    {'group_id': group_id, 'member_id': f'{prefix}{n}',
                     'capabilities': json.dumps({}), 'ttl': ttl,
                     'session_id': None, 'generation': 1, 'joined_at': now,
                     'updated_at': now, 'heartbeat_at': now,
                     'expires_at': now + ttl * SECOND}
                    for n in range(start, min(count, start + BATCH))])
            # What a join keeps (groups.member_count), kept here too.
            conn.execute(tables.groups.update()
                         .where(tables.groups.c.id == group_id)
                         .values(member_count=tables.groups.c.member_count
                                 + count))
    finally:
        engine.dispose()

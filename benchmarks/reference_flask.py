"""The reference: member heartbeats as a plain Flask + SQLAlchemy app.

What a developer would write in an afternoon, without OpenStack's
pipeline: one route, one UPDATE on the same SQLite file, no auth, no
microversions, no request log. membership's heartbeat is measured
against it under the same server. ``MEMBERSHIP_BENCH_DB`` names the
database.
"""
import os
import time

import flask
import sqlalchemy as sa

app = flask.Flask(__name__)
engine = sa.create_engine(os.environ['MEMBERSHIP_BENCH_DB'],
                          connect_args={'timeout': 30})
HEARTBEAT = sa.text(
    'UPDATE members SET heartbeat_at = :now, '
    'expires_at = :now + ttl * 1000000 '
    'WHERE member_id = :member AND expires_at > :now AND group_id = '
    '(SELECT id FROM groups WHERE project_id = :project AND name = :group)')


@app.post('/v1/groups/<group>/members/<member>/heartbeat')
def heartbeat(group, member):
    now = int(time.time() * 1000000)
    with engine.begin() as conn:
        found = conn.execute(HEARTBEAT, {
            'now': now, 'member': member, 'group': group,
            'project': flask.request.headers.get('X-Project-Id')}).rowcount
    return ('', 204) if found else ('', 404)


application = app

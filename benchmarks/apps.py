"""The limits membership is measured against, under the same servers.

``bare``: a WSGI app answering 204 (benchmarks/bare.py) under gunicorn
with gevent workers (membership-api's server) and under uWSGI's
``--http11-socket`` with threads (the fastest bare-app server measured
for the serving-layer issue). ``flask``: the plain Flask + SQLAlchemy
heartbeat (benchmarks/reference_flask.py) under gunicorn-gevent, on a
SQLite file seeded like membership's.
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid

import requests

from benchmarks import load
from benchmarks import seed
from tests import apiservers

BIN = os.path.dirname(sys.executable)
WORKERS = 2


def _command(server, module, port):
    if server == 'uwsgi':
        return [os.path.join(BIN, 'uwsgi'), '--master', '--die-on-term',
                '--processes', str(WORKERS), '--threads', '8',
                '--http11-socket', f'127.0.0.1:{port}', '--module',
                f'{module}:application', '--disable-logging']
    return [os.path.join(BIN, 'gunicorn'), '-b', f'127.0.0.1:{port}',
            '-w', str(WORKERS), '-k', 'gevent', '--worker-connections',
            '10000', '--no-control-socket', f'{module}:application']


def serve(server, module, env):
    port = apiservers.free_port()
    process = subprocess.Popen(
        _command(server, module, port), env=dict(os.environ, **env),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    url = f'http://127.0.0.1:{port}'
    for _ in range(300):
        try:
            requests.post(url + '/', timeout=1)
            # Answered by this server, not another on a reused port.
            if apiservers.listens(process.pid, port):
                return process, url
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f'{server} did not start {module}')


def stop(process):
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def bare(server, duration):
    """wrk's figures for the bare app under ``server``, or None."""
    if server == 'uwsgi' and not os.path.exists(os.path.join(BIN, 'uwsgi')):
        return None
    process, url = serve(server, 'benchmarks.bare', {})
    try:
        return load.run(url, load.script('POST', '"/bare/" .. n', 204),
                        16, duration)
    finally:
        stop(process)


def flask_heartbeat(duration, members=1000):
    if shutil.which('flask', path=BIN) is None:
        return None
    project = uuid.uuid4().hex
    with tempfile.TemporaryDirectory() as tmp:
        servers = apiservers.ApiServers(1, connection='sqlite:///' + tmp +
                                        '/flask.sqlite').start()
        try:
            requests.put(servers.urls[0] + '/v1/groups/bench',
                         headers={'X-Project-Id': project}
                         ).raise_for_status()
        finally:
            servers.stop()
        seed.members(servers.connection, project, 'bench', members)
        process, url = serve('gunicorn', 'benchmarks.reference_flask',
                             {'MEMBERSHIP_BENCH_DB': servers.connection})
        try:
            return load.run(url, load.script(
                'POST', '"/v1/groups/bench/members/m" .. n .. "/heartbeat"',
                204, members, headers=(('X-Project-Id', project),)),
                16, duration)
        finally:
            stop(process)

"""Heartbeat throughput and latency: the hot path under wrk.

Starts one real ``membership-api`` (uWSGI, 2 processes x 8 threads) over
SQLite (or MEMBERSHIP_TEST_DB_URL), joins 1000 members, then drives
``POST .../heartbeat`` for random members with wrk on loopback and
prints requests/s and latency percentiles. Also times reads and joins.

    tox -e bench
"""
import os
import shutil
import subprocess
import sys
import tempfile
import uuid

import requests

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from tests import apiservers  # noqa: E402
from tests import dbserver  # noqa: E402

MEMBERS = 1000
DURATION = os.environ.get('BENCH_DURATION', '10s')

LUA = """
math.randomseed(os.time())
request = function()
  local id = math.random(0, %(members)d - 1)
  return wrk.format("%(method)s", "%(path)s" .. id .. "%(suffix)s",
                    {["X-Project-Id"] = "%(project)s"})
end
"""


def wrk(url, method, path, suffix, project, connections=16):
    script = tempfile.NamedTemporaryFile('w', suffix='.lua', delete=False)
    script.write(LUA % {'members': MEMBERS, 'method': method, 'path': path,
                        'suffix': suffix, 'project': project})
    script.close()
    try:
        out = subprocess.run(
            ['wrk', '-t2', f'-c{connections}', f'-d{DURATION}', '--latency',
             '-s', script.name, url], capture_output=True, text=True,
            check=True).stdout
    finally:
        os.unlink(script.name)
    return out


def summary(name, out):
    keep = [line.strip() for line in out.splitlines()
            if line.strip().startswith(('Requests/sec', '50%', '99%',
                                        'Non-2xx', 'Socket errors'))]
    print(f'{name:28s} ' + ' | '.join(keep), flush=True)


def main():
    if not shutil.which('wrk'):
        sys.exit('wrk is needed: apt-get install wrk')
    database = dbserver.fresh_database()
    servers = apiservers.ApiServers(
        1, connection=database.url if database else None, workers=2,
        threads=8).start()
    try:
        url = servers.urls[0]
        project = uuid.uuid4().hex
        http = requests.Session()
        http.headers['X-Project-Id'] = project
        http.put(f'{url}/v1/groups/bench').raise_for_status()
        for n in range(MEMBERS):
            http.put(f'{url}/v1/groups/bench/members/m{n}',
                     json={'ttl': 600}).raise_for_status()
        backend = (database.url.split(':')[0] if database else 'sqlite')
        print(f'backend {backend}; 1 membership-api = 2 uWSGI processes x '
              f'8 threads; wrk -t2 -c16 -d{DURATION}; {MEMBERS} members')
        summary('POST heartbeat', wrk(url, 'POST',
                                      '/v1/groups/bench/members/m',
                                      '/heartbeat', project))
        summary('GET member', wrk(url, 'GET', '/v1/groups/bench/members/m',
                                  '', project))
        summary('GET members?limit=10', wrk(
            url, 'GET', '/v1/groups/bench/members?limit=10&marker=m', '',
            project))
        summary('PUT member (replace)', wrk(
            url, 'PUT', '/v1/groups/bench/members/m', '', project))
    finally:
        servers.stop()
        if database:
            database.drop()


if __name__ == '__main__':
    main()

"""Python function calls and CPU time per hot request, in-process.

No server and no sockets: the whole paste pipeline (noauth) over a
SQLite file in a temporary directory, each hot request run ``-n`` times
under cProfile. The calls per request are deterministic, so they are
the figure to compare between commits even on a loaded machine; the CPU
microseconds (the median of process_time, measured in a second run
without the profiler) are indicative only, but show what the calls do
not: work inside SQLite's C code, such as a count over a whole group.

    python -m benchmarks.calls [-n 200] [--layers]
"""
import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
import warnings

from benchmarks import seed
from membership.api import app
from membership.storage.sqlalchemy import engine as db_engine
from membership.storage.sqlalchemy import migration
from tests.functional import fixtures

PROJECT = 'calls'
BIG = 10000
HEADERS = {'HTTP_X_PROJECT_ID': PROJECT,
           'HTTP_OPENSTACK_API_VERSION': 'membership 1.2'}


def _environ(method, path, body=None):
    path, _, query = path.partition('?')
    environ = dict(HEADERS, REQUEST_METHOD=method, PATH_INFO=path,
                   QUERY_STRING=query, SCRIPT_NAME='', SERVER_NAME='bench',
                   SERVER_PORT='80', SERVER_PROTOCOL='HTTP/1.1',
                   HTTP_HOST='bench', REMOTE_ADDR='127.0.0.1',
                   **{'wsgi.url_scheme': 'http', 'wsgi.errors': sys.stderr,
                      'wsgi.multithread': True, 'wsgi.multiprocess': False,
                      'wsgi.run_once': False, 'wsgi.version': (1, 0)})
    data = b'' if body is None else json.dumps(body).encode()
    environ['wsgi.input'] = io.BytesIO(data)
    environ['CONTENT_LENGTH'] = str(len(data))
    if body is not None:
        environ['CONTENT_TYPE'] = 'application/json'
    return environ


class Client:

    def __init__(self, application):
        self.application = application

    def call(self, method, path, body=None, expect=None):
        environ = _environ(method, path, body)
        status = []
        result = self.application(
            environ, lambda s, headers, exc_info=None: status.append(s))
        body = b''.join(result)
        if hasattr(result, 'close'):
            result.close()
        if expect is not None and not status[0].startswith(str(expect)):
            raise RuntimeError(f'{method} {path}: {status[0]} {body}')
        return body


def _requests(session):
    """``(name, setup, request)``: ``request(i)`` is measured, after
    ``setup(i)`` (not measured) put the state it needs in place.
    """
    g = '/v1/groups/hot'
    nothing = (lambda client, i: None)
    return [
        ('member heartbeat', nothing,
         lambda client, i: client.call(
             'POST', g + '/members/m1/heartbeat', expect=204)),
        ('session heartbeat', nothing,
         lambda client, i: client.call(
             'POST', f'/v1/sessions/{session}/heartbeat', expect=204)),
        ('GET member', nothing,
         lambda client, i: client.call('GET', g + '/members/m1',
                                       expect=200)),
        ('join', nothing,
         lambda client, i: client.call(
             'PUT', f'{g}/members/j{i}', {'ttl': 3600}, expect=201)),
        ('leave',
         lambda client, i: client.call(
             'PUT', f'{g}/members/l{i}', {'ttl': 3600}, expect=201),
         lambda client, i: client.call(
             'DELETE', f'{g}/members/l{i}', expect=204)),
        ('join (10k group)', nothing,
         lambda client, i: client.call(
             'PUT', f'/v1/groups/big/members/j{i}', {'ttl': 3600},
             expect=201)),
        ('GET members?limit=1000 (10k group)', nothing,
         lambda client, i: client.call(
             'GET', '/v1/groups/big/members?limit=1000', expect=200)),
    ]


def _layer(filename):
    """The package a profiled function belongs to."""
    if filename.startswith('~') or filename.startswith('<'):
        return 'builtins'
    parts = filename.replace(os.sep, '/').split('/')
    for anchor in ('site-packages', 'lib'):
        if anchor in parts:
            rest = parts[len(parts) - parts[::-1].index(anchor):]
            break
    else:
        rest = parts
    if 'membership' in rest:
        rest = rest[rest.index('membership'):]
        return '.'.join(rest[:2]).removesuffix('.py')
    return rest[0].removesuffix('.py') if rest else filename


def _profile(client, setup, request, n, offset):
    profiler = cProfile.Profile()
    for i in range(n):
        setup(client, offset + i)
        profiler.enable()
        request(client, offset + i)
        profiler.disable()
    stats = pstats.Stats(profiler)
    layers = {}
    for (filename, _, _), (_, calls, own, _, _) in stats.stats.items():
        layer = layers.setdefault(_layer(filename), [0, 0.0])
        layer[0] += calls
        layer[1] += own
    return stats.total_calls / n, layers


def _cpu(client, setup, request, n, offset):
    """The median CPU microseconds of a request (other jobs on the
    machine move the mean more than the median).
    """
    spent = []
    for i in range(n):
        setup(client, offset + i)
        start = time.process_time()
        request(client, offset + i)
        spent.append(time.process_time() - start)
    return statistics.median(spent) * 1e6


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('-n', type=int, default=200,
                        help='requests of each kind (default 200)')
    parser.add_argument('--layers', action='store_true',
                        help='also print the calls per request by package')
    args = parser.parse_args(argv)
    warnings.filterwarnings('ignore')
    with tempfile.TemporaryDirectory(prefix='membership-calls-') as tmp:
        conf = fixtures.make_conf(
            tmp, quota={'members_per_group': 100000})
        migration.upgrade(conf)
        services = app.Services(conf)
        client = Client(app.load_app(conf, services))
        client.call('PUT', '/v1/groups/hot', {}, expect=201)
        client.call('PUT', '/v1/groups/big', {}, expect=201)
        client.call('PUT', '/v1/groups/hot/members/m1', {'ttl': 3600},
                    expect=201)
        seed.members(db_engine.connection_url(conf), PROJECT, 'big', BIG)
        session = json.loads(client.call(
            'POST', '/v1/sessions', {'ttl': 3600}, expect=201))['id']
        print(f'{"request":<38} {"calls/req":>10} {"CPU us/req":>11}')
        offset = 0
        for name, setup, request in _requests(session):
            n = max(1, args.n // 10) if 'limit=1000' in name else args.n
            # Warm the caches (compiled statements, routes) first.
            for i in range(3):
                setup(client, offset + i)
                request(client, offset + i)
            offset += 3
            calls, layers = _profile(client, setup, request, n, offset)
            offset += n
            cpu = _cpu(client, setup, request, n, offset)
            offset += n
            print(f'{name:<38} {calls:>10.0f} {cpu:>11.0f}')
            if args.layers:
                for layer, (count, _) in sorted(
                        layers.items(), key=lambda kv: -kv[1][0])[:12]:
                    print(f'    {layer:<34} {count / n:>10.0f}')
        services.storage.dispose()


if __name__ == '__main__':
    main()

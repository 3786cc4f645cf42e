"""The fuzzer: thousands of hostile requests through the whole pipeline.

hypothesis draws requests (``fuzz_strategies``) over every route api-ref
documents, at every microversion and at some that are not, with bodies,
queries, names and headers a careless or hostile client sends. Each goes
through the in-process paste pipeline (noauth, SQLite in a temp dir, or
``MEMBERSHIP_TEST_DB_URL``), and every answer must hold:

- never a 5xx;
- a 4xx has an API-WG error body whose ``code`` api-ref documents, for
  that status, and whose ``request_id`` is the response's;
- a 4xx changed nothing: every row of every table is the same after it;
- the service logged no traceback and no ERROR or CRITICAL line.

Requests run one after another on one database, so each sees what the
successful ones before it made; hypothesis therefore only generates (a
shrunk example would replay over another state), and the message of a
failure names the very request that failed. Nothing expires during a
run (long ttls), so no read settles an expiry.

The seed is fixed (``MEMBERSHIP_FUZZ_SEED`` picks another); it is in
every failure message. The request count and the (status, code) pairs
seen are printed and attached as the ``fuzz-summary`` detail.
"""
import collections
import io
import json
import logging
import os
import urllib.parse

import fixtures
import hypothesis
from hypothesis import strategies as st
from oslo_middleware import sizelimit
import sqlalchemy as sa
import testtools
from testtools import content
import webob

from membership.api import app
from membership.storage.sqlalchemy import clock
from membership.storage.sqlalchemy import migration
from membership.storage.sqlalchemy import tables
from tests import apiref
from tests import dbserver
from tests.functional import fixtures as api_fixtures
from tests.functional import fuzz_strategies as fuzz

SEED = int(os.environ.get('MEMBERSHIP_FUZZ_SEED', '20261201'))
# hypothesis examples, each a batch of requests sent in turn (a batch
# costs hypothesis' bookkeeping of one example).
EXAMPLES = 100
BATCH = 20
PROJECT = 'fuzz-project'


class Records(logging.Handler):
    """Every record logged, at DEBUG and up."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)

    def bad(self, since):
        """The ERROR, CRITICAL and traceback lines logged since."""
        return [f'{r.levelname} {r.name} {r.getMessage()}'
                for r in self.records[since:]
                if r.levelno >= logging.ERROR or r.exc_info or
                'Traceback' in r.getMessage()]


def _wsgi(text):
    """A header value as a WSGI string (its UTF-8 bytes as latin-1)."""
    return text.encode('utf-8', errors='surrogatepass').decode('latin-1')


def environ_of(request):
    """The WSGI environ a server would build for ``request``."""
    path, _, query = request.target.partition('?')
    environ = webob.Request.blank('/').environ
    environ.update(
        REQUEST_METHOD=request.method, SCRIPT_NAME='', QUERY_STRING=query,
        PATH_INFO=urllib.parse.unquote_to_bytes(path).decode('latin-1'),
        REQUEST_URI=request.target, HTTP_X_PROJECT_ID=PROJECT)
    if request.version is not None:
        environ['HTTP_OPENSTACK_API_VERSION'] = _wsgi(request.version)
    for name, value in request.headers.items():
        key = name.upper().replace('-', '_')
        if key != 'CONTENT_TYPE':
            key = 'HTTP_' + key
        environ[key] = _wsgi(value)
    body = request.body or b''
    chunked = 'chunked' in request.headers.get('Transfer-Encoding', '')
    if request.length is not None:
        environ['CONTENT_LENGTH'] = str(request.length)
    elif chunked:
        environ['wsgi.input_terminated'] = True  # the server dechunked it
    elif request.body is not None:
        environ['CONTENT_LENGTH'] = str(len(body))
    environ['wsgi.input'] = io.BytesIO(body)
    return environ


def changes(before, after):
    """What differs between two dumps, table by table."""
    found = {}
    for name in before:
        old, new = set(before[name]), set(after[name])
        if old != new:
            found[name] = {'gone': sorted(old - new, key=repr),
                           'new': sorted(new - old, key=repr)}
    return found


class FuzzTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        tmp = self.useFixture(fixtures.TempDir()).path
        # Long ttls, also the default: nothing expires during the run, so
        # no read settles an expiry. Long-polls wait 1 s at most, and the
        # fuzz asks for 0 or a few hundredths.
        overrides = {'api': {'max_long_poll_timeout': 1,
                             'default_member_ttl': 3600}}
        database = dbserver.fresh_database()
        if database:
            self.addCleanup(database.drop)
            overrides['database'] = {'connection': database.url}
        conf = api_fixtures.make_conf(tmp, **overrides)
        conf.register_opts(sizelimit.OPTS, group='oslo_middleware')
        conf.set_override('max_request_body_size', fuzz.BODY_LIMIT,
                          group='oslo_middleware')
        migration.upgrade(conf)
        services = app.Services(conf)
        self.addCleanup(services.storage.dispose)
        self.engine = services.storage.db.engine
        self.spy = self.data_version_spy()
        self.app = app.load_app(conf, services)
        self.log = Records()
        root = logging.getLogger()
        self.addCleanup(root.setLevel, root.level)
        self.addCleanup(root.removeHandler, self.log)
        root.addHandler(self.log)
        root.setLevel(logging.DEBUG)
        self.codes = apiref.error_codes()
        self.pool = fuzz.Pool()
        self.seen = collections.Counter()
        self.covered = set()
        self.sent = 0
        self.state = self.dump()
        self.addDetail('fuzz-seed', content.text_content(str(SEED)))
        self.populate()
        # The spy saw every commit: the state kept is the one there is.
        self.assertEqual(self.dump(), self.state)
        self.assertEqual(4, len(self.state['groups']))

    def data_version_spy(self):
        """On SQLite, a connection of its own whose ``PRAGMA
        data_version`` changes when another connection commits: a dump
        is needed only then. None elsewhere (always dump).
        """
        if self.engine.dialect.name != 'sqlite':
            return None
        engine = sa.create_engine(self.engine.url,
                                  poolclass=sa.pool.StaticPool)
        self.addCleanup(engine.dispose)
        conn = engine.connect()
        self.addCleanup(conn.close)
        return conn

    def committed(self):
        """A value that changes whenever some write was committed."""
        if self.spy is None:
            return object()
        version = self.spy.exec_driver_sql('PRAGMA data_version').scalar()
        self.spy.rollback()
        return version

    def dump(self):
        """Every row of every table, by primary key, but for what a
        refused lock request that waited legitimately leaves: it bumped
        the lock's wake-up counter (``generation``), and its queue row
        outlives its wait, out of the queue, until the lock's next
        settling purges it. Requests here wait one at a time, and at most
        [api] max_long_poll_timeout (1 s): a queue row ending within it is
        one whose request has answered.
        """
        def query(table):
            columns = [c for c in table.columns
                       if (table.name, c.name) != ('locks', 'generation')]
            select = sa.select(*columns).order_by(
                *table.primary_key.columns)
            if table is tables.lock_waiters:
                select = select.where(
                    table.c.expires_at > clock.now() + clock.SECOND)
            return select

        with self.engine.connect() as conn:
            return {table.name: [tuple(row) for row in conn.execute(
                query(table))] for table in tables.metadata.sorted_tables}

    def populate(self):
        """Groups with members, sessions, candidates and held locks, for
        the fuzz to find.
        """
        def made(method, target, body):
            request = fuzz.Request(method, None, 'membership 1.3', target,
                                   {'Content-Type': 'application/json'},
                                   json.dumps(body).encode())
            response = self.check(request)
            self.assertEqual(201, response.status_int, response.body)
            return response.json

        for group in self.pool.names['group']:
            made('PUT', f'/v1/groups/{group}', {'metadata': {'k': 1}})
        for session in range(2):
            self.pool.add('session', made('POST', '/v1/sessions',
                                          {'ttl': 3600})['id'])
        first = self.pool.names['session'][0]
        for member, body in (('m0', {'ttl': 3600}), ('m1', {'ttl': None}),
                             ('m2', {'session': first})):
            made('PUT', f'/v1/groups/g0/members/{member}', body)
        made('PUT', '/v1/groups/g0/candidates/c0', {'ttl': 3600})
        made('PUT', '/v1/groups/g0/candidates/c1', {'session': first})
        for lock, body in (('l0', {'ttl': 3600}),
                           ('l1', {'session': first, 'shared': True}),
                           ('l1', {'ttl': 3600, 'shared': True})):
            made('POST', f'/v1/locks/{lock}/holders', body)

    def send(self, request):
        return webob.Request(environ_of(request)).get_response(self.app)

    def check(self, request):
        """Send ``request``; fail unless the answer and the state after
        it are what the module docstring says.
        """
        mark = len(self.log.records)
        version = self.committed()
        response = self.send(request)
        self.sent += 1
        status = response.status_int
        where = (f'seed {SEED}: {request!r}\n-> {response.status} '
                 f'{response.headers.items()!r} {response.body[:800]!r}')
        self.assertLess(status, 500, where)
        code = None
        if status >= 400 and not request.target.startswith('/healthcheck'):
            code = self.assertApiError(request, response, where)
        self.seen[(status, code)] += 1
        after = self.dump() if self.committed() != version else self.state
        if status >= 400:
            self.assertEqual({}, changes(self.state, after), where)
        self.state = after
        self.assertEqual([], self.log.bad(mark), where)
        self.learn(request, response)
        return response

    def assertApiError(self, request, response, where):
        """The API-WG body of an error; returns its code."""
        if request.method == 'HEAD':
            self.assertEqual(b'', response.body, where)
            return '(HEAD: no body)'
        self.assertEqual('application/json', response.content_type, where)
        errors = json.loads(response.body)['errors']
        self.assertEqual(1, len(errors), where)
        error = errors[0]
        self.assertEqual(
            {'status', 'code', 'title', 'detail', 'request_id', 'links'},
            set(error), where)
        self.assertEqual(response.status_int, error['status'], where)
        self.assertEqual(response.headers['x-openstack-request-id'],
                         error['request_id'], where)
        self.assertIsInstance(error['title'], str, where)
        self.assertIsInstance(error['detail'], str, where)
        self.assertIn(error['code'], self.codes, where)
        statuses = self.codes[error['code']]
        if statuses is not None:
            self.assertIn(response.status_int, statuses, where)
        return error['code']

    def learn(self, request, response):
        """Add the ids the service handed out to the pool."""
        if response.status_int != 201 or request.method != 'POST':
            return
        kind = 'holder' if '/holders' in request.target else 'session'
        self.pool.add(kind, response.json['id'])

    def sweep(self):
        """Every documented route at every microversion, plainly."""
        for route in fuzz.ROUTES:
            for version in fuzz.VERSIONS:
                self.check(fuzz.valid_request(self.pool, route, version))
                self.covered.add((route, version))

    def test_fuzz(self):
        self.sweep()
        fuzzed = []
        batches = st.lists(fuzz.requests(self.pool), min_size=BATCH,
                           max_size=BATCH)

        @hypothesis.seed(SEED)
        @hypothesis.settings(
            max_examples=EXAMPLES, database=None, deadline=None,
            derandomize=False, phases=[hypothesis.Phase.generate],
            suppress_health_check=list(hypothesis.HealthCheck),
            print_blob=False)
        @hypothesis.given(st.data())
        def one(data):
            for request in data.draw(batches, label='requests'):
                self.check(request)
                fuzzed.append(request.route)

        one()
        summary = {
            'seed': SEED, 'requests': self.sent, 'fuzzed': len(fuzzed),
            'routes fuzzed': len(set(fuzzed)),
            'status, code': {f'{status} {code}': count for (status, code),
                             count in sorted(self.seen.items(), key=str)}}
        text = json.dumps(summary, indent=1)
        print(text)
        self.addDetail('fuzz-summary', content.text_content(text))
        self.assertGreaterEqual(len(fuzzed), 2000)
        self.assertEqual(set(fuzz.ROUTES), set(fuzzed))
        self.assertEqual({(route, version) for route in fuzz.ROUTES
                          for version in fuzz.VERSIONS}, self.covered)

"""hypothesis strategies of hostile requests to every documented route.

A :class:`Request` is what a client puts on the wire: a method, the raw
request target (percent-encoded as sent), headers, a body and the
Content-Length it claims. Names are drawn mostly from a :class:`Pool` of
resources that exist, so requests reach the handlers and the storage,
and otherwise from hostile text: encoded slashes, dot segments, control
characters, invalid UTF-8, encoded surrogates.
"""
import dataclasses
import json
import urllib.parse

from hypothesis import strategies as st

from tests import apiref

# [oslo_middleware] max_request_body_size of the fuzz configuration: just
# over the 16 KiB of a metadata document, so both limits are in reach.
BODY_LIMIT = 20 * 1024
MAX_DOCUMENT = 16 * 1024
VALID_TTLS = (600, 3600)  # long: nothing expires during a run

ROUTES = sorted(apiref.routes())
VERSIONS = ('1.0', '1.1', '1.2', '1.3')
ODD_METHODS = ('HEAD', 'OPTIONS', 'TRACE', 'BREW', 'CONNECT', 'PROPFIND',
               'get', 'PATCH', 'PUT', 'POST', 'DELETE', 'GET')
# What the segment after each literal names.
KIND_AFTER = {'groups': 'group', 'members': 'member',
              'candidates': 'candidate', 'sessions': 'session',
              'locks': 'lock', 'holders': 'holder'}
FIELDS = {
    ('PUT', 'group'): ('description', 'metadata'),
    ('PATCH', 'group'): ('description', 'metadata'),
    ('PUT', 'member'): ('capabilities', 'ttl', 'session'),
    ('PATCH', 'member'): ('capabilities', 'ttl'),
    ('PUT', 'candidate'): ('ttl', 'session'),
    ('POST', 'sessions'): ('ttl',),
    ('POST', 'holders'): ('ttl', 'session', 'shared', 'wait'),
}

HOSTILE_NAMES = (
    '', 'a%2Fb', '%2F', '%2f..%2f', '.', '..', '%2e', '%2E%2e', 'a%00b',
    '%0a', 'a%0d%0aX-Forged:%201', '%1b%5b2J', '%7f', 'a%20b', '%ff',
    '%c3%28', '%ed%a0%80', '%ed%bf%bf', '%c0%af', '%e2%80%ae', '%ef%bc%8f',
    '%f0%9f%98%80', 'caf%c3%a9', '%25', '%', '%zz', '%u002e', '-a', '_a',
    'a' * 255, 'b' * 256, 'a.json', 'a.xml', 'a.html', 'CON', 'a;b=c',
    'a%3Fb', 'a%23b', 'heartbeat', 'stand-down', 'holders', 'members',
    '00000000-0000-0000-0000-000000000000',
    'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
)
VERSION_HEADERS = (
    'membership latest', 'membership LATEST', 'membership 1.4',
    'membership 2.0', 'membership 0.9', 'membership', 'membership ',
    'membership 1', 'membership 1.', 'membership .1', 'membership abc',
    'membership 1.01', 'membership -1.0', 'membership 1.2.3',
    'membership 99999999999999999999.0', 'membership 1.0, membership 1.3',
    'compute 2.1', 'compute 2.1, membership 1.2', '', ',', 'membership\t1.1',
    'membership 1.\u0661', 'MEMBERSHIP 1.1',
)
ACCEPTS = ('application/json', '*/*', 'text/html', 'application/xml',
           'application/json;q=0', 'application/*', 'text/*', ';;;', '',
           'application/json, text/html;q=0.1', 'image/png;q=0.5')
CONTENT_TYPES = ('application/json', 'application/json; charset=utf-8',
                 'application/json; charset=UTF-8', 'application/json;'
                 ' charset=latin-1', 'application/merge-patch+json',
                 'text/plain', 'multipart/form-data; boundary=x',
                 'application/x-www-form-urlencoded', '', 'application/json;;',
                 'APPLICATION/JSON', 'application/json; charset="utf-8"',
                 'application/json-patch+json')
ETAGS = ('*', '"x"', 'W/"x"', 'x', '"', ',,', '"a", "b"', '*, "x"',
         'W/', '"' + 'e' * 300 + '"', '""', 'W/"1-1"', '"1-1"')
ROLES = ('admin', 'member', 'reader', '', 'nobody', 'admin,reader',
         ' member ', 'Admin')
QUERY_KEYS = ('limit', 'marker', 'sort_key', 'sort_dir', 'since', 'wait',
              'bogus', '', 'LIMIT', 'limit[]', '%ff')
QUERY_VALUES = (
    '', '0', '1', '2', '3', '1000', '1001', '-1', '+1', ' 1', '1 ', '01',
    '1e3', '0x10', '1.5', '\u0661', '%d9%a1', '9' * 30, '-' + '9' * 30,
    '2147483648', '4611686018427387904', 'asc', 'desc', 'DESC', 'name',
    'created_at', 'id', 'joined_at', 'fence', 'position', 'null', '%00',
    '%ff', '%ed%a0%80', 'a%2Fb', '..', 'g0', 'm0', 'l0', 'true', '[]',
)
# Query strings sent as they are.
RAW_QUERIES = ('&&&', '=', 'limit', 'limit=1&limit=2', 'a=b=c', '%', '?',
               'limit=%', 'marker=%zz', 'since=1&since=1', ';limit=1')


@dataclasses.dataclass
class Request:
    method: str
    route: tuple  # the documented (method, template) it was made from
    version: object  # OpenStack-API-Version value, None: not sent
    target: str  # the request target as sent: path and query
    headers: dict
    body: object = None  # bytes, or None: no body
    length: object = None  # a Content-Length that lies, or None

    def __repr__(self):
        body = self.body if self.body is None or len(self.body) < 300 \
            else self.body[:300] + b'...(%d bytes)' % len(self.body)
        return (f'{self.method} {self.target} version={self.version!r} '
                f'headers={self.headers!r} length={self.length!r} '
                f'body={body!r}')


class Pool:
    """Names of resources that exist now, by kind; the fuzz adds the
    ids servers hand out (sessions, holders) as they appear.
    """

    def __init__(self):
        self.names = {'group': ['g0', 'g1', 'g2', 'fz.json'],
                      'member': ['m0', 'm1', 'm2'],
                      'candidate': ['c0', 'c1'],
                      'lock': ['l0', 'l1', 'l2'],
                      'session': [], 'holder': []}

    def add(self, kind, name):
        if name not in self.names[kind]:
            self.names[kind].append(name)

    def drawn(self, kind):
        """A name of ``kind``, chosen when drawn (the pool grows)."""
        def pick(index):
            names = self.names[kind] or ['none-yet']
            return names[index % len(names)]
        return st.integers(0, 63).map(pick)


def quoted(text):
    return urllib.parse.quote(text, safe='', errors='surrogatepass')


def segments(pool, kind):
    known = pool.drawn(kind)
    return st.one_of(*[known] * 10, st.sampled_from(HOSTILE_NAMES),
                     st.text(min_size=1, max_size=20).map(quoted))


def path_of(template, pool):
    """The raw path of ``template`` with a name drawn for each part."""
    parts = template.split('/')
    drawn = []
    for index, part in enumerate(parts):
        if part.startswith('{'):
            drawn.append(segments(pool, KIND_AFTER[parts[index - 1]]))
        else:
            drawn.append(st.just(part))
    tail = st.sampled_from(('',) * 30 + ('/', '/x', '/%2e%2e', '/..', '//'))
    return st.tuples(st.tuples(*drawn), tail).map(
        lambda p: '/'.join(p[0]) + p[1])


def queries(pool):
    value = st.one_of(st.sampled_from(QUERY_VALUES), pool.drawn('group'),
                      pool.drawn('session'), pool.drawn('holder'),
                      st.integers(-2 ** 70, 2 ** 70).map(str),
                      st.text(max_size=8).map(quoted))
    # A valid timeout holds the request that long: 0 only (the fuzz
    # configuration's [api] max_long_poll_timeout is 1).
    timeout = st.sampled_from(('0', '2', '-1', '61', '0.1', 'x', '', '00',
                               '9' * 30))
    others = st.tuples(st.sampled_from(QUERY_KEYS), value)
    pair = st.one_of(*[others] * 10, st.tuples(st.just('timeout'), timeout)
                     ).map('='.join)
    return st.one_of(st.just(''), st.just(''), st.just(''),
                     st.sampled_from(RAW_QUERIES),
                     st.lists(pair, min_size=1, max_size=3).map('&'.join))


def json_values(pool):
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(-2 ** 64, 2 ** 64),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=12), st.sampled_from(
            ('\ud800', 'a\x00b', '\u202e', '\x1b[2J', 'a' * 256)))
    return st.recursive(scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=6), inner, max_size=4)),
        max_leaves=6)


def field_values(pool, name):
    anything = json_values(pool)
    if name == 'ttl':
        return st.one_of(st.sampled_from(VALID_TTLS + (
            None, 0, -1, 3601, 2 ** 31, 2 ** 63, 10 ** 30, -10 ** 30, 1.5,
            600.0, '600', True, False, [], {})), anything)
    if name == 'session':
        return st.one_of(pool.drawn('session'), pool.drawn('session'),
                         st.sampled_from((
                             '', 'x', '00000000-0000-0000-0000-000000000000',
                             'a' * 36, 'a' * 37, 1, None, [], '\x00')),
                         anything)
    if name == 'shared':
        return st.one_of(st.sampled_from((True, False, None, 0, 1, 'true')),
                         anything)
    if name == 'wait':
        # Valid waits stay tiny: a held lock makes the request wait them.
        return st.sampled_from((0, 0.01, 0.05, 0.0, -0.0, -1, 1.5, 61,
                                1e308, -1e308, 1e-300, 'x', True, None, []))
    if name == 'description':
        return st.one_of(st.text(max_size=300), anything)
    return anything  # metadata, capabilities


def bodies(pool, fields):
    """A dict of the route's fields, sometimes with one it does not know."""
    known = st.fixed_dictionaries({}, optional={
        name: field_values(pool, name) for name in fields})
    unknown = st.fixed_dictionaries({}, optional={
        name: json_values(pool) for name in ('bogus', 'Ttl', 'session_id')})
    return st.one_of(*[known] * 5, st.tuples(known, unknown).map(
        lambda v: {**v[0], **v[1]}))


def encoded(document, ascii_only):
    text = json.dumps(document, ensure_ascii=ascii_only)
    return text.encode('utf-8', errors='surrogatepass')


def nested(depth, field):
    inner = b'[' * depth + b']' * depth
    return b'{"%s": {"a": %s}}' % (field.encode(), inner)


def padded(field, size):
    """A body of exactly ``size`` bytes: ``field`` holds the padding."""
    head = b'{"%s": {"pad": "' % field.encode()
    return head + b'x' * (size - len(head) - 3) + b'"}}'


MALFORMED = (
    b'', b' ', b'{', b'}', b'{"a":}', b'[1,]', b"{'ttl': 1}", b'NaN',
    b'{"ttl": NaN}', b'{"ttl": Infinity}', b'{"ttl": -Infinity}',
    b'{"ttl": 1e400}', b'{"wait": 1e-400}', b'null', b'[]', b'"x"', b'1',
    b'true', b'{"ttl": 600, "ttl": "x"}', b'{"metadata": {}, "metadata": 5}',
    b'{"description": "a", "description": null}',
    b'{"ttl": ' + b'9' * 5000 + b'}', b'{"capabilities": ' + b'1' * 4000 +
    b'}', b'{"capabilities": "\\ud800"}', b'{"description": "\\u0000"}',
    b'{"metadata": {"\\udfff": 1}}', b'\xef\xbb\xbf{}', b'\xff\xfe{\x00}\x00',
    '{"description": "é"}'.encode('utf-16'), b'{"description": "\xff"}',
    b'{"description": "\xed\xa0\x80"}', b'{}garbage', b'{} {}', b'\x00',
    b'{"ttl": 600}\x00', b'{"a": ' * 2000 + b'1' + b'}' * 2000,
    b'[' * 100000,
)


def raw_bodies(pool, fields):
    valid = st.tuples(bodies(pool, fields), st.booleans()).map(
        lambda v: encoded(*v))
    return st.one_of(
        valid, valid, valid, valid,
        st.sampled_from(MALFORMED),
        st.tuples(valid, st.integers(0, 200)).map(
            lambda v: v[0][:v[1]]),  # truncated
        st.tuples(st.sampled_from((10, 500, 900, 990, 1000, 1100, 5000,
                                   9000)),
                  st.sampled_from(fields or ('metadata',))).map(
            lambda v: nested(*v)),
        st.tuples(st.sampled_from(fields or ('metadata',)),
                  st.sampled_from((MAX_DOCUMENT - 2, MAX_DOCUMENT + 16,
                                   BODY_LIMIT - 1, BODY_LIMIT,
                                   BODY_LIMIT + 1, 3 * BODY_LIMIT))).map(
            lambda v: padded(*v)))


def headers(pool):
    """Mostly none: each may refuse the request before its body is read."""
    some = st.fixed_dictionaries({}, optional={
        'Accept': st.sampled_from(ACCEPTS),
        'If-Match': st.one_of(st.sampled_from(ETAGS), st.text(max_size=8)),
        'If-None-Match': st.sampled_from(ETAGS),
        'X-Roles': st.sampled_from(ROLES),
        'X-Project-Id': st.sampled_from(('other-project', 'p\x1b[2J', '',
                                         'p' * 256)),
        'Transfer-Encoding': st.sampled_from(('chunked', 'gzip', 'identity')),
    })
    return st.one_of(st.just({}), st.just({}), st.just({}), some)


def since(template):
    """The microversion a route appeared in."""
    for segment, version in (('locks', '1.3'), ('sessions', '1.2'),
                             ('candidates', '1.2'), ('leader', '1.2'),
                             ('events', '1.1')):
        if segment in template.split('/'):
            return version
    return '1.0'


def versions(template):
    """Mostly one the route exists at; any, none, or one that is not."""
    present = st.sampled_from(
        [v for v in VERSIONS if v >= since(template)]).map(
        'membership '.__add__)
    return st.one_of(*[present] * 12, st.just('membership latest'),
                     st.sampled_from(VERSIONS).map('membership '.__add__),
                     st.none(), st.sampled_from(VERSION_HEADERS))


def requests(pool):
    """Requests over every documented route and many undocumented
    methods, at every microversion and some that are not.
    """
    return st.one_of([_request(pool, route) for route in ROUTES])


def _kind(template):
    parts = template.strip('/').split('/')
    if parts[-1].startswith('{'):
        return KIND_AFTER[parts[-2]]
    return parts[-1]


def _request(pool, route):
    documented, template = route
    fields = FIELDS.get((documented, _kind(template)), ())
    method = st.one_of(*[st.just(documented)] * 10,
                       st.sampled_from(ODD_METHODS))
    body = st.one_of(st.none(), *[raw_bodies(pool, fields)] * 4) \
        if fields else st.one_of(*[st.none()] * 4,
                                 raw_bodies(pool, ('metadata',)))
    content_type = st.one_of(*[st.just('application/json')] * 6,
                             st.sampled_from(CONTENT_TYPES), st.none())
    length = st.one_of(*[st.none()] * 10,
                       st.sampled_from((0, 1, 10 ** 6, BODY_LIMIT + 1)))
    return st.builds(
        _assembled, st.just(route), method, versions(template),
        path_of(template, pool), queries(pool), headers(pool), body,
        content_type, length)


def _assembled(route, method, version, path, query, headers_, body,
               content_type, length):
    headers_ = dict(headers_)
    if body is not None and content_type is not None:
        headers_['Content-Type'] = content_type
    target = path + ('?' + query if query else '')
    return Request(method, route, version, target, headers_, body, length)


def valid_request(pool, route, version):
    """The plain request of ``route`` at ``version``: known names, a
    valid body where it takes one.
    """
    documented, template = route
    path = []
    parts = template.split('/')
    for index, part in enumerate(parts):
        if part.startswith('{'):
            names = pool.names[KIND_AFTER[parts[index - 1]]] or ['none-yet']
            part = names[0]
        path.append(part)
    body = {('POST', 'holders'): {'ttl': 600, 'shared': True},
            ('POST', 'sessions'): {'ttl': 600},
            ('PUT', 'member'): {'ttl': 600},
            ('PUT', 'candidate'): {'ttl': 600},
            ('PUT', 'group'): {'description': 'swept'}}.get(
        (documented, _kind(template)))
    headers_ = {'Content-Type': 'application/json'} if body else {}
    return Request(documented, route, 'membership ' + version,
                   '/'.join(path), headers_,
                   None if body is None else json.dumps(body).encode())

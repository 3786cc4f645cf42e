"""The HTTP layer of the client: one keystoneauth1 session, microversions,
timeouts, retries and error mapping.

Every call goes through :meth:`Transport.request`. Calls that are safe to
repeat (GET, HEAD, PUT, DELETE and the heartbeats, which callers flag
with ``idempotent=True``) are retried on a connection failure and on 502,
503 and 504, waiting as long as ``Retry-After`` says when the service
sends it; any other call is sent once.
"""
import email.utils
import logging
import time
import urllib.parse

from keystoneauth1 import adapter as ks_adapter
from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import session as ks_session

from membership.client import exceptions

SERVICE_TYPE = 'membership'
HEADER = 'OpenStack-API-Version'
# The newest microversion this client implements (locks, 1.3, come next).
CLIENT_MIN = (1, 0)
CLIENT_MAX = (1, 3)
IDEMPOTENT = frozenset(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'])
RETRY_STATUS = frozenset([502, 503, 504])
MAX_RETRY_AFTER = 30.0
LOG = logging.getLogger(__name__)


def parse_version(text):
    """'1.2' -> (1, 2); raises ValueError."""
    major, _, minor = str(text).strip().partition('.')
    return int(major), int(minor or 0)


def format_version(version):
    return '%d.%d' % version


def retry_after(response):
    """Seconds the service asked us to wait, or None."""
    value = response.headers.get('Retry-After')
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


class Transport:
    """Sends requests to one membership endpoint.

    :param session: a keystoneauth1 Session (authenticated), or None to
        build an unauthenticated one (``endpoint`` is then required).
    :param endpoint: the service's URL, overriding the catalog.
    :param api_version: '1.x' to pin a microversion; None (or '1' or
        'latest') negotiates the highest both sides know.
    :param timeout: seconds each call may take (long-polls add their wait).
    :param retries: how often an idempotent call is repeated.
    """

    def __init__(self, session=None, endpoint=None, interface=None,
                 region_name=None, api_version=None, headers=None,
                 timeout=30.0, retries=3, retry_delay=0.5, user_agent=None):
        if session is None:
            if not endpoint:
                raise ValueError('membership.client needs a keystoneauth1 '
                                 'session or an endpoint URL')
            session = ks_session.Session()
        self.adapter = ks_adapter.Adapter(
            session, service_type=SERVICE_TYPE, interface=interface,
            region_name=region_name, endpoint_override=endpoint,
            additional_headers=headers or {},
            user_agent=user_agent or 'python-membership-client')
        self.timeout = timeout
        self.retries = retries
        self.retry_delay = retry_delay
        self._requested = api_version
        self._version = None
        self._root = None
        self.server_range = None

    @property
    def root(self):
        """The service's root URL (without /v1)."""
        if self._root is None:
            try:
                url = self.adapter.get_endpoint()
            except ks_exc.ClientException as e:
                raise exceptions.ConnectionFailed(
                    f'No membership endpoint found: {e}') from e
            if not url:
                raise exceptions.ConnectionFailed(
                    'No membership endpoint in the catalog')
            url = url.rstrip('/')
            if url.endswith('/v1'):
                url = url[:-3]
            self._root = url
        return self._root

    @property
    def api_version(self):
        """The negotiated microversion as a (major, minor) tuple."""
        if self._version is None:
            self._version = self._negotiate()
        return self._version

    def _negotiate(self):
        versions = self.request('GET', self.root + '/', versioned=False)
        doc = versions.json()['versions'][0]
        low = parse_version(doc['min_version'])
        high = parse_version(doc['max_version'])
        self.server_range = (low, high)
        wanted = self._requested
        if wanted in (None, '', '1', 'latest'):
            best = min(high, CLIENT_MAX)
            if best < max(low, CLIENT_MIN):
                raise exceptions.UnsupportedVersion(
                    f'The service speaks {format_version(low)} to '
                    f'{format_version(high)}, this client '
                    f'{format_version(CLIENT_MIN)} to '
                    f'{format_version(CLIENT_MAX)}')
            return best
        try:
            version = parse_version(wanted)
        except ValueError:
            raise exceptions.UnsupportedVersion(
                f'Invalid microversion {wanted!r}: expected 1.N') from None
        if not low <= version <= high:
            raise exceptions.UnsupportedVersion(
                f'Microversion {wanted} is outside the service\'s range '
                f'{format_version(low)} to {format_version(high)}')
        return version

    def require(self, version, what):
        """Raise UnsupportedVersion when the session's version is older."""
        if self.api_version < version:
            raise exceptions.UnsupportedVersion(
                f'{what} needs microversion {format_version(version)} or '
                f'later; this client talks '
                f'{format_version(self.api_version)}')

    def url(self, *parts, query=None):
        path = '/'.join(urllib.parse.quote(str(p), safe='') for p in parts)
        url = f'{self.root}/v1/{path}'
        if query:
            url += '?' + urllib.parse.urlencode(query)
        return url

    def request(self, method, url, json=None, params=None, headers=None,
                timeout=None, idempotent=None, versioned=True):
        """Send one call (retried if idempotent); raise on 4xx/5xx."""
        headers = dict(headers or {})
        if versioned:
            headers[HEADER] = ('membership '
                               + format_version(self.api_version))
        if idempotent is None:
            idempotent = method in IDEMPOTENT
        attempts = 1 + (self.retries if idempotent else 0)
        for attempt in range(1, attempts + 1):
            last = attempt == attempts
            backoff = min(self.retry_delay * 2 ** (attempt - 1), 5.0)
            try:
                response = self.adapter.request(
                    url, method, json=json, params=params, headers=headers,
                    raise_exc=False, timeout=timeout or self.timeout,
                    connect_retries=0)
            except ks_exc.ConnectTimeout as e:
                if last:
                    raise exceptions.Timeout(
                        f'{method} {url} timed out: {e}') from e
                self._wait(method, url, 'timed out', backoff, 'backoff')
            except (ks_exc.ConnectionError, ks_exc.SSLError) as e:
                if last:
                    raise exceptions.ConnectionFailed(
                        f'{method} {url} failed: {e}') from e
                self._wait(method, url, 'connection failed', backoff,
                           'backoff')
            else:
                if response.status_code < 400:
                    return response
                if last or response.status_code not in RETRY_STATUS:
                    raise exceptions.from_response(response)
                delay = retry_after(response)
                self._wait(method, url, f'HTTP {response.status_code}',
                           backoff if delay is None else delay,
                           'backoff' if delay is None else 'Retry-After')

    @staticmethod
    def _wait(method, url, why, delay, source):
        LOG.debug('%s %s: %s, retrying in %.1f s (%s)', method, url, why,
                  delay, source)
        time.sleep(delay)

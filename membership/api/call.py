"""What one request hands its handler, built once and passed along.

A handler (see ``method.route``) receives a :class:`Call`: the process's
services (config, storage, waiting), this request's microversion, its
authorized context, its parsed body and preconditions, and the response
it fills in. Nothing below a handler reads a thread-local.
"""
import functools

from membership.api import bodies
from membership.api import microversion
from membership.storage import records


class Call:

    def __init__(self, services, request, response):
        self.services = services
        self.conf = services.conf
        self.storage = services.storage
        self.watcher = services.watcher
        self.request = request
        self.response = response
        # Set by method.route once policy allowed the request.
        self.context = None

    @functools.cached_property
    def query(self):
        """The query's parameters (parsed by the lists that read them)."""
        return self.request.GET

    @functools.cached_property
    def version(self):
        return self.request.environ.get(microversion.ENVIRON_KEY,
                                        microversion.MIN_VERSION)

    def at_least(self, version):
        return self.version >= version

    @property
    def project_id(self):
        return self.context.project_id

    @functools.cached_property
    def base_url(self):
        """Where links point: the configured public endpoint or this
        host (computed once: a list renders it per item).
        """
        public = self.conf.api.public_endpoint
        if public:
            return public.rstrip('/')
        return self.request.application_url

    def body(self, wstype):
        """The checked fields of the request body (``{}`` if empty)."""
        return bodies.fields(self.request, wstype)

    def patch_body(self, wstype):
        """A JSON merge patch (RFC 7396): null removes a field."""
        return bodies.fields(self.request, wstype, nullable=True)

    @functools.cached_property
    def conditions(self):
        """If-Match / If-None-Match of the request, for the storage."""
        headers = self.request.headers
        return records.Conditions(
            if_match=_tags(headers.get('If-Match'), weak_ok=False),
            if_none_match=_tags(headers.get('If-None-Match'), weak_ok=True))

    def etag(self, value):
        self.response.headers['ETag'] = value

    def created(self, location, etag=None):
        self.response.status = 201
        self.response.location = location
        if etag:
            self.etag(etag)


def _tags(value, weak_ok):
    if value is None:
        return None
    tags = []
    for tag in value.split(','):
        tag = tag.strip()
        if tag.startswith('W/'):
            if not weak_ok:
                continue  # a weak tag never matches strongly
            tag = tag[2:]
        if tag:
            tags.append(tag)
    return tuple(tags)

"""Query parameters of lists, and their ``next`` links."""
import urllib.parse

import pecan

from membership.api import errors
from membership.api import method
from membership.api import types
from membership.storage import base as storage

PARAMS = ('limit', 'marker', 'sort_key', 'sort_dir')


def page(sort_keys, extra=(), marker_pattern=types.NAME):
    """The validated Page of this request; ``sort_keys[0]`` is the
    default. ``extra`` names other query parameters the route accepts.
    """
    query = pecan.request.GET
    check_params(PARAMS + tuple(extra))
    max_limit = method.conf().api.max_limit
    limit = integer('limit', 1, max_limit, max_limit)
    sort_key = query.get('sort_key', sort_keys[0])
    if sort_key not in sort_keys:
        raise errors.bad_request(
            f"Invalid sort_key {sort_key!r}: use one of "
            f"{', '.join(sort_keys)}.", errors.INVALID_QUERY)
    sort_dir = query.get('sort_dir', 'asc')
    if sort_dir not in ('asc', 'desc'):
        raise errors.bad_request(
            f"Invalid sort_dir {sort_dir!r}: use asc or desc.",
            errors.INVALID_QUERY)
    marker = query.get('marker')
    if marker is not None and not marker_pattern.fullmatch(marker):
        raise errors.bad_request(f'Invalid marker {marker!r}.',
                                 errors.INVALID_MARKER)
    return storage.Page(limit=limit, marker=marker, sort_key=sort_key,
                        sort_dir=sort_dir)


def check_params(allowed):
    """Refuse unknown and repeated query parameters."""
    query = pecan.request.GET
    unknown = sorted(set(query) - set(allowed))
    if unknown:
        raise errors.bad_request(
            'Unknown query parameter(s): %s.' % ', '.join(unknown),
            errors.INVALID_QUERY)
    for name in query:
        if len(query.getall(name)) > 1:
            raise errors.bad_request(
                f"Query parameter '{name}' is given more than once.",
                errors.INVALID_QUERY)


def integer(name, low, high, default):
    value = pecan.request.GET.get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or not low <= number <= high or not (
            value.isascii() and value.isdigit()):
        raise errors.bad_request(
            f"Invalid {name} {value!r}: an integer from {low} to {high}.",
            errors.INVALID_QUERY)
    return number


def links(page_, items, last_marker, url):
    """``next`` when the page is full, with the same query."""
    if len(items) < page_.limit or not items:
        return []
    query = dict(pecan.request.GET)
    query['marker'] = last_marker
    query = urllib.parse.urlencode(sorted(query.items()))
    return [{'rel': 'next', 'href': url + '?' + query}]

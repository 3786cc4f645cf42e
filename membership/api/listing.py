"""Query parameters of lists, and their ``next`` links."""
import urllib.parse

from membership.api import errors
from membership.api import types
from membership.storage import records

PARAMS = ('limit', 'marker', 'sort_key', 'sort_dir')


def page(call, sort_keys, marker_pattern=types.NAME, sortable=True):
    """The validated Page of this request; ``sort_keys[0]`` is the
    default (the only one when not ``sortable``).
    """
    query = call.query
    check_params(call, PARAMS if sortable else ('limit', 'marker'))
    max_limit = call.conf.api.max_limit
    limit = integer(call, 'limit', 1, max_limit, max_limit)
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
    return records.Page(limit=limit, marker=marker, sort_key=sort_key,
                        sort_dir=sort_dir,
                        max_bytes=call.conf.api.max_page_bytes)


def check_params(call, allowed):
    """Refuse unknown and repeated query parameters."""
    query = call.query
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


def integer(call, name, low, high, default):
    value = call.query.get(name)
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


def document(call, key, items, view, marker_of, url, page_):
    """A list's body: its items and, when the page is full (``limit``
    items, or cut at ``[api] max_page_bytes``), a ``next`` link with the
    same query.
    """
    links = []
    cut = isinstance(items, records.Items) and items.cut
    if items and (len(items) >= page_.limit or cut):
        query = dict(call.query)
        query['marker'] = marker_of(items[-1])
        links.append({'rel': 'next', 'href': url + '?' + urllib.parse.
                      urlencode(sorted(query.items()))})
    return {key: [view(call, item) for item in items], 'links': links}

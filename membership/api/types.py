"""WSME types of request bodies, and how a body is checked against one.

WSME's own types cannot say "any JSON" and convert loosely (``true`` and
``1.5`` become ints), so the user types below check strictly. Bodies are
parsed here rather than by ``wsexpose`` so every failure leaves as an
API-WG 400 naming the field, never as WSME's fault body.
"""
import re

from wsme import exc as wsme_exc
from wsme import rest as _rest  # noqa: F401  (registers the json protocol)
from wsme.rest import json as wsme_json
from wsme import types as wtypes

from membership.api import errors
from membership import canonical_json

NAME = re.compile(r'^[A-Za-z0-9][A-Za-z0-9._:@-]{0,254}$')
SESSION_ID = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-'
                        r'[0-9a-f]{12}$')
MAX_DOCUMENT = 16 * 1024


def storable(value):
    """Refuse strings no database stores: NUL, lone surrogates."""
    if isinstance(value, str):
        if '\x00' in value:
            raise ValueError('must not contain NUL characters')
        try:
            value.encode('utf-8')
        except UnicodeEncodeError:
            raise ValueError('must be valid Unicode (a lone surrogate)')
    elif isinstance(value, dict):
        for key, item in value.items():
            storable(key)
            storable(item)
    elif isinstance(value, list):
        for item in value:
            storable(item)
    return value


class JsonValue(wtypes.UserType):
    """Any JSON value, at most 16 KiB once serialized."""
    basetype = wtypes.text
    name = 'json'

    def validate(self, value):
        storable(value)
        if len(canonical_json.dumps(value).encode()) > MAX_DOCUMENT:
            raise ValueError(f'must be at most {MAX_DOCUMENT} bytes once '
                             'serialized')
        return value

    frombasetype = validate


class JsonObject(JsonValue):
    """A JSON object, at most 16 KiB once serialized."""
    name = 'json_object'

    def validate(self, value):
        if not isinstance(value, dict):
            raise ValueError('must be a JSON object')
        return super().validate(value)

    frombasetype = validate


class _Scalar(wtypes.UserType):
    """A JSON value of ``kinds`` only: JSON's booleans are no numbers,
    and no string stands for either.
    """
    basetype = wtypes.text
    kinds = ()
    expected = ''

    def validate(self, value):
        if isinstance(value, bool) != (bool in self.kinds) or \
                not isinstance(value, self.kinds):
            raise ValueError('must be ' + self.expected)
        return value

    frombasetype = validate


class Integer(_Scalar):
    name = 'integer'
    kinds = (int,)
    expected = 'an integer'


class Number(_Scalar):
    name = 'number'
    kinds = (int, float)
    expected = 'a number'


class Boolean(_Scalar):
    name = 'boolean'
    kinds = (bool,)
    expected = 'true or false'


class GroupBody(wtypes.Base):
    description = wtypes.wsattr(wtypes.StringType(max_length=255))
    metadata = wtypes.wsattr(JsonObject())


class MemberBody(wtypes.Base):
    capabilities = wtypes.wsattr(JsonValue())
    ttl = wtypes.wsattr(Integer())


class SessionBound(MemberBody):
    """A member at 1.2: bound to a ttl or to a session."""
    session = wtypes.wsattr(wtypes.StringType(min_length=1, max_length=36))


class SessionBody(wtypes.Base):
    ttl = wtypes.wsattr(Integer())


class CandidateBody(wtypes.Base):
    ttl = wtypes.wsattr(Integer())
    session = wtypes.wsattr(wtypes.StringType(min_length=1, max_length=36))


class HolderBody(wtypes.Base):
    """A lock request (1.3)."""
    ttl = wtypes.wsattr(Integer())
    session = wtypes.wsattr(wtypes.StringType(min_length=1, max_length=36))
    shared = wtypes.wsattr(Boolean())
    wait = wtypes.wsattr(Number())


NOT_NULL = {GroupBody: ('description', 'metadata'),
            SessionBound: ('session',), SessionBody: ('ttl',),
            CandidateBody: ('session',),
            HolderBody: ('ttl', 'session', 'shared', 'wait')}


def check(wstype, data, nullable=False):
    """Check decoded JSON ``data`` against ``wstype``.

    Returns ``{field: value}`` for the fields present. Fields may be null
    only where the type allows it.
    """
    if not isinstance(data, dict):
        raise errors.bad_request('The request body must be a JSON object.')
    fields = {a.name: a for a in wtypes.list_attributes(wstype)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise errors.bad_request(
            'Unknown field(s): %s. Allowed: %s.' % (
                ', '.join(repr(u) for u in unknown),
                ', '.join(sorted(fields))))
    result = {}
    for name, value in data.items():
        if value is None:
            if not nullable and name in NOT_NULL.get(wstype, ()):
                raise errors.bad_request(f"Field '{name}' may not be null.")
            result[name] = None
            continue
        try:
            datatype = fields[name].datatype
            result[name] = storable(wtypes.validate_value(
                datatype, wsme_json.fromjson(datatype, value)))
        except (wsme_exc.InvalidInput, ValueError, TypeError) as e:
            reason = getattr(e, 'msg', None) or str(e)
            raise errors.bad_request(
                f"Invalid value for field '{name}': {reason}.")
    return result


def check_name(kind, value):
    if not NAME.fullmatch(value):
        raise errors.bad_request(
            f"Invalid {kind} {value!r}: 1 to 255 characters matching "
            f"{NAME.pattern}.", errors.INVALID_NAME)
    return value


def merge_patch(target, patch):
    """RFC 7396 JSON merge patch of ``target`` by ``patch``."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def patched(wstype, name, current, fields):
    """Field ``name`` of a resource after a merge-patch body ``fields``:
    unchanged when absent, emptied by null, else merged and checked.
    """
    if name not in fields:
        return current
    patch = fields[name]
    value = {} if patch is None else merge_patch(current, patch)
    check(wstype, {name: value})
    return value

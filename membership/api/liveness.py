"""What keeps a member or a candidate alive: a ttl or a session.

The rules members, candidates and sessions share, checked before the
storage is asked.
"""
from membership.api import errors
from membership.api import types
from membership.storage import exceptions as storage


def checked_ttl(call, fields, default, nullable=True):
    """The ttl of a body: absent → ``default``; null → never expires
    (where ``nullable``).
    """
    if 'ttl' not in fields:
        return default
    ttl = fields['ttl']
    limit = call.conf.api.max_member_ttl
    if (ttl is None and not nullable) or (
            ttl is not None and not 1 <= ttl <= limit):
        raise errors.bad_request(
            f"Invalid value for field 'ttl': {ttl} is not from 1 to "
            f"{limit} ([api] max_member_ttl)"
            + (", nor null." if nullable else "."))
    return ttl


def ttl_or_session(call, fields):
    """(ttl, session) of a body that names a ttl or a session, not
    both.
    """
    if 'session' in fields and 'ttl' in fields:
        raise errors.bad_request(
            "Give either 'ttl' or 'session', not both.")
    session = fields.get('session')
    if session is not None and not types.SESSION_ID.fullmatch(session):
        raise errors.bad_request(f"Session {session!r} does not exist or "
                                 "has expired.", errors.SESSION_NOT_FOUND)
    ttl = None if session else checked_ttl(
        call, fields, call.conf.api.default_member_ttl)
    return ttl, session


def session_bound(operation, *args, **kwargs):
    """Run ``operation``; an unknown session named in the body is a 400
    (the request is wrong, not the resource missing).
    """
    try:
        return operation(*args, **kwargs)
    except storage.SessionNotFound as e:
        raise errors.bad_request(str(e), errors.SESSION_NOT_FOUND)

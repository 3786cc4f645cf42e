"""The request context each log line carries, per request.

oslo.log tags a line with oslo.context's current context, which lives in
a ``threading.local`` made when oslo_context is first imported. Under
membership-api that is in the master, before gunicorn's gevent worker
patches ``threading``: every greenlet of a worker would share one
context, and a line of one request carry the request id and project of
another. A ``contextvars.ContextVar`` is per thread and, with greenlet
1.0 and later, per greenlet; a filter on the root logger's handlers
hands its value to oslo.log (as the ``context`` a record may carry).
"""
import contextvars
import logging

_CURRENT = contextvars.ContextVar('membership_request_context', default=None)


def set_current(context):
    """``context`` for this thread's or greenlet's lines from now on; the
    token to :func:`reset` it with.
    """
    return _CURRENT.set(context)


def reset(token):
    _CURRENT.reset(token)


class _Current(logging.Filter):

    def filter(self, record):
        # A line logged with an explicit context keeps it; None: no
        # request, whatever oslo.context's shared store holds.
        record.__dict__.setdefault('context', _CURRENT.get())
        return True


_FILTER = _Current()


def install():
    """Once oslo.log has set up the root logger's handlers."""
    for handler in logging.getLogger().handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)

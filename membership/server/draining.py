"""The process is stopping: a signal from the server to the application.

``membership-api`` calls :func:`start` in a worker process as soon as it
gets SIGTERM, before it waits for in-flight requests. Code that parks
requests (long-polls, lock waits) subscribes a callback that wakes them,
and checks :func:`is_draining` before it parks another, so that each is
answered at once with its current result instead of being cut when the
grace period ends.

The callbacks run once, in the server's own thread or greenlet, never in
a signal handler; they must not block. Nothing here creates a lock or an
event at import, so the module is safe to import before a cooperative
server patches the standard library.
"""
import logging
import weakref

LOG = logging.getLogger(__name__)

_state = {'draining': False}
_callbacks = []


def is_draining():
    return _state['draining']


def subscribe(callback):
    """Call ``callback()`` when draining starts (at once if it has).

    A bound method is held weakly: subscribing does not keep its object
    (an application built by a test, say) alive.
    """
    ref = (weakref.WeakMethod(callback) if hasattr(callback, '__self__')
           else lambda: callback)
    _callbacks.append(ref)
    if _state['draining']:
        _call(callback)


def start():
    if _state['draining']:
        return
    _state['draining'] = True
    for ref in list(_callbacks):
        callback = ref()
        if callback is not None:
            _call(callback)


def _call(callback):
    try:
        callback()
    except Exception:
        LOG.exception('Draining callback %r failed', callback)


def reset():
    """For tests only: forget that draining started, keep subscribers."""
    _state['draining'] = False

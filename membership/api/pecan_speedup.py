"""Memoize pecan's argspec look-ups.

pecan 1.8 inspects the controller's signature on every request (and the
``_route`` hook's on every traversal), building a new namedtuple class
each time: about a millisecond a request, a third of a heartbeat. A
function's signature never changes, so it is computed once per function.
"""
from pecan import core
from pecan import routing


def _memoized(getargspec):
    cache = {}

    def memoized(method):
        key = getattr(method, '__func__', method)
        spec = cache.get(key)
        if spec is None:
            spec = cache[key] = getargspec(method)
        return spec
    memoized.memoized = True
    return memoized


def install():
    for module in (core, routing):
        if not getattr(module.getargspec, 'memoized', False):
            module.getargspec = _memoized(module.getargspec)

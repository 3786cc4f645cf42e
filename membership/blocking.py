"""Calls that block the OS thread, made without stopping the server.

Under a cooperative server (membership-api's gevent workers) a call that
blocks in C -- a ``flock`` waiting for another process -- would stop
every connection of the worker. Such calls go through :func:`call`; the
server installs a runner that makes them in a real thread and waits for
it cooperatively (``membership.server.worker``). Without one (threads,
as under Apache mod_wsgi) the call is made in the caller's thread.
"""

_runner = {'run': None}


def call(fn, *args):
    run = _runner['run']
    return fn(*args) if run is None else run(fn, args)


def install(run):
    """``run(fn, args)`` makes the call in a real thread and returns its
    result (or raises its exception) to the waiting caller.
    """
    _runner['run'] = run

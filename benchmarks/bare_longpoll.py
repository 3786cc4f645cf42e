"""The waiting floor: a WSGI app whose long-polls do nothing but wait.

A ``GET`` parks on a gevent event until the file named by
``BENCH_WAKE_FILE`` exists, then answers 200 with a short JSON body, as
an events long-poll would; anything else answers 204 at once. Served by
membership-api's server (gunicorn, gevent workers) and parked and woken
by the same client as membership's waiters (benchmarks/waiters.py), it
is what parking and waking cost the server itself: the least any app
can cost under it on this machine.
"""
import os

import gevent
import gevent.event

BODY = b'{"events": [], "revision": 0}'
_woken = gevent.event.Event()
_watching = []


def _watch(path):
    # Every worker process waits for the same file: one wake-up for all.
    while not os.path.exists(path):
        gevent.sleep(0.01)
    _woken.set()


def application(environ, start_response):
    if environ['REQUEST_METHOD'] != 'GET':
        start_response('204 No Content', [])
        return []
    if not _watching:
        _watching.append(gevent.spawn(_watch, os.environ['BENCH_WAKE_FILE']))
    _woken.wait(60)
    start_response('200 OK', [('Content-Type', 'application/json'),
                              ('Content-Length', str(len(BODY)))])
    return [BODY]

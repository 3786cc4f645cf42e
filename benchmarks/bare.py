"""The bare-app limit: a WSGI app that answers 204 and does nothing.

Served by the same server as membership-api, it is the most any app can
get from that server on this machine, and proves the load generator is
not the bottleneck.
"""


def application(environ, start_response):
    start_response('204 No Content', [])
    return []

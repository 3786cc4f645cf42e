"""Entry point for oslo-config-generator (``oslo.config.opts``)."""
from membership.conf import api
from membership.conf import default
from membership.conf import quota
from membership.conf import server
from membership.conf import storage


def list_opts():
    return [
        ('DEFAULT', default.OPTS),
        (api.GROUP, api.OPTS),
        (server.GROUP, server.OPTS),
        (storage.GROUP, storage.OPTS),
        (quota.GROUP, quota.OPTS),
    ]

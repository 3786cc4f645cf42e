"""The database, as a backend of oslo.middleware's /healthcheck.

Registered as the ``membership_database`` entry point of
``oslo.middleware.healthcheck`` and named in api-paste.ini's
``[app:healthcheck] backends``: /healthcheck then answers 503 while the
database does not (within ``[storage] timeout``), so a load balancer
takes the process out instead of sending it requests that would get 503.
"""
from oslo_middleware.healthcheck import pluginbase

from membership.api import app
from membership.storage import exceptions as storage


class DatabaseCheck(pluginbase.HealthcheckBaseExtension):

    def __init__(self, oslo_conf, conf):
        super().__init__(oslo_conf, conf)
        self.storage = app.services_of(conf).storage

    def healthcheck(self, server_port):
        try:
            self.storage.ping()
        except storage.StorageUnavailable:
            return pluginbase.HealthcheckResult(
                available=False, reason='The database is unavailable.')
        return pluginbase.HealthcheckResult(available=True,
                                            reason='The database answers.')

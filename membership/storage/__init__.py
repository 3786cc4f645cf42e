"""Storage: the contract the API speaks (``base``), and its SQL driver."""


def get_storage(conf, max_connections=None, quota=None):
    """The storage driver for ``conf``, built once per process.

    ``max_connections`` caps the pooled database connections (a process
    never needs more than it has threads). ``quota``
    (``membership.quota.enforcers``) says what a project may hold; None:
    no limits. Raises InvalidConnection when [database] connection names
    no database it can open.
    """
    from membership.storage.sqlalchemy import api
    return api.Storage(conf, max_connections, quota)

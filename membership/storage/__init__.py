"""Storage: the domain interface the API speaks, and its SQL driver."""


def get_storage(conf):
    """Return the storage driver for ``conf``, built once per process."""
    from membership.storage.sqlalchemy import api
    return api.Storage(conf)

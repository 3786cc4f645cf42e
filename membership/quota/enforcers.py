"""Who says what a project may hold, and the check of one write.

The storage asks, before its transaction, for the limits of the
project (:meth:`Quota.limits`; Keystone is never asked while a row is
locked, and heartbeats never ask), then, in the transaction, with the
project's usage locked, calls :meth:`Limits.enforce` with a callback
that counts that usage on its own connection: the count and the insert
commit together, so concurrent writers on any API process cannot both
take the last unit.
"""
import logging
import threading
import time

from oslo_config import cfg
from oslo_limit import limit
from oslo_limit import opts as limit_opts

from membership.quota import limits as registry
from membership.storage import exceptions

LOG = logging.getLogger(__name__)


class Limits:
    """The limits of one project for one write."""

    def __init__(self, quota, project_id, values):
        self.quota = quota
        self.project_id = project_id
        self.values = values

    @property
    def bounded(self):
        """Whether any of these limits is finite (else nothing to lock)."""
        return any(value >= 0 for value in self.values.values())

    def enforce(self, deltas, usage):
        """Raise QuotaExceeded unless ``usage(names) + deltas`` fits.

        Only growth is checked: a write that shrinks usage always passes,
        so a project over a lowered limit can still clean up.
        """
        deltas = {name: delta for name, delta in deltas.items()
                  if delta > 0 and self.values.get(name, -1) >= 0}
        if deltas:
            self.quota.enforce(self.project_id, self.values, deltas, usage)


class Quota:
    """Limits from the ``[quota]`` options, the same for every project."""

    def __init__(self, conf):
        self.conf = conf

    def limits(self, project_id, names):
        return Limits(self, project_id,
                      {name: getattr(self.conf.quota, name)
                       for name in names})

    def enforce(self, project_id, values, deltas, usage):
        current = usage(sorted(deltas))
        for name in sorted(deltas):
            if current[name] + deltas[name] > values[name]:
                raise exceptions.QuotaExceeded(name, values[name],
                                               current[name], deltas[name])


class UnifiedLimits(Quota):
    """Keystone unified limits of the ``membership`` service, read with
    oslo.limit: registered limits are the defaults, project limits the
    overrides (-1 unlimited; a resource with no registered limit is 0).

    Each project's limits are kept ``[quota] cache_time`` seconds. The
    check itself is :meth:`Quota.enforce`, in the storage's transaction:
    oslo.limit's ``Enforcer.enforce`` would ask Keystone again there
    whenever a project has no override (it caches only the limits it
    found), with the project's row locked.
    """

    def __init__(self, conf):
        super().__init__(conf)
        _load_oslo_limit_conf(conf)
        self._lock = threading.Lock()
        self._enforcer = None
        self._cache = {}

    def _read(self, project_id):
        with self._lock:
            if self._enforcer is None:
                # Looks the service's endpoint up once per process.
                self._enforcer = limit.Enforcer(_usage_in_storage,
                                                cache=False)
            enforcer = self._enforcer
        return dict(enforcer.get_project_limits(project_id,
                                                registry.NAMES))

    def limits(self, project_id, names):
        now = time.monotonic()
        cached = self._cache.get(project_id)
        if cached is None or now - cached[0] >= self.conf.quota.cache_time:
            try:
                values = self._read(project_id)
            except Exception as e:
                LOG.warning('Cannot read the limits of project %s from '
                            'Keystone: %s', project_id, e)
                raise exceptions.LimitsUnavailable(str(e)) from e
            self._forget_expired(now)
            cached = self._cache[project_id] = (now, values)
        return Limits(self, project_id,
                      {name: cached[1][name] for name in names})

    def _forget_expired(self, now):
        if len(self._cache) > 10000:
            for project_id, (read_at, _) in list(self._cache.items()):
                if now - read_at >= self.conf.quota.cache_time:
                    self._cache.pop(project_id, None)


def _usage_in_storage(project_id, names):
    # The usage is counted by the storage, in its transaction.
    raise NotImplementedError('usage is counted by the storage')


def _load_oslo_limit_conf(conf):
    """oslo.limit reads its options from the global ``cfg.CONF`` only:
    parse this service's own configuration files into it, once, here.
    """
    limit_opts.register_opts(cfg.CONF)
    cfg.CONF.set_default('endpoint_service_type', 'membership',
                         group='oslo_limit')
    cfg.CONF([], project='membership',
             default_config_files=list(conf.config_file or []),
             default_config_dirs=_dirs(conf.config_dir))
    # The auth plugin's options are known once auth_type is read.
    limit_opts.register_opts(cfg.CONF)


def _dirs(value):
    if not value:
        return []
    return [value] if isinstance(value, str) else list(value)


def for_conf(conf):
    """The process's Quota: Keystone's limits, or the [quota] options."""
    if (conf.auth_strategy == 'keystone'
            and conf.quota.driver == 'unified_limits'):
        return UnifiedLimits(conf)
    return Quota(conf)

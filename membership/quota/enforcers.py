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
from oslo_limit import exception as limit_exc
from oslo_limit import limit
from oslo_limit import opts as limit_opts

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


def _exceeded(info):
    return exceptions.QuotaExceeded(info.resource_name, info.limit,
                                    info.current_usage, info.delta)


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
    """Keystone unified limits of the ``membership`` service, through
    oslo.limit: registered limits are the defaults, project limits the
    overrides. oslo.limit caches what it read for the life of its
    Enforcer; a new Enforcer every ``[quota] cache_time`` seconds bounds
    how stale a limit may be.
    """

    def __init__(self, conf):
        super().__init__(conf)
        _load_oslo_limit_conf(conf)
        self._lock = threading.Lock()
        self._enforcer = None
        self._born = 0.0
        # The usage callback of the write this thread enforces: oslo.limit
        # takes one callback per Enforcer, and the Enforcer is shared.
        self._counting = threading.local()

    def _current(self):
        with self._lock:
            age = time.monotonic() - self._born
            if self._enforcer is None or age >= self.conf.quota.cache_time:
                self._enforcer = limit.Enforcer(self._usage, cache=True)
                self._born = time.monotonic()
            return self._enforcer

    def _usage(self, project_id, names):
        return self._counting.usage(names)

    def limits(self, project_id, names):
        try:
            values = dict(self._current().get_project_limits(
                project_id, sorted(names)))
        except Exception as e:
            LOG.warning('Cannot read the limits of project %s from '
                        'Keystone: %s', project_id, e)
            raise exceptions.LimitsUnavailable(str(e)) from e
        return Limits(self, project_id, values)

    def enforce(self, project_id, values, deltas, usage):
        self._counting.usage = usage
        try:
            self._current().enforce(project_id, deltas)
        except limit_exc.ProjectOverLimit as e:
            raise _exceeded(e.over_limit_info_list[0]) from None
        finally:
            self._counting.usage = None


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

"""The policy enforcer, built once per process from the rules in code."""
import os
import threading
import time

from oslo_config import cfg
from oslo_policy import policy

from membership import conf as membership_conf
from membership import policies

# How often a changed policy file is looked for, at most.
RECHECK_SECONDS = 1.0


def enforcer(conf):
    result = policy.Enforcer(conf)
    result.register_defaults(policies.list_rules())
    result.load_rules()
    return result


def get_enforcer():
    """For the oslopolicy-* command line tools (``oslo.policy.enforcer``)."""
    conf = cfg.ConfigOpts()
    membership_conf.register_opts(conf)
    conf([], project='membership')
    return enforcer(conf)


class Authorizer:
    """oslo.policy decisions, remembered until a policy file changes.

    oslo.policy inspects every check's signature and stats its files on
    each call, about a millisecond a request. A decision depends only on
    the rule and the caller's credentials (the target is always the
    caller's own project), so it is cached per (rule, credentials), and
    the cache is dropped when a policy file or directory changes: a
    changed policy file applies within a second, without a restart.
    """

    def __init__(self, conf):
        self.conf = conf
        self.enforcer = enforcer(conf)
        self._decisions = {}
        self._lock = threading.Lock()
        self._stamp = self._policy_stamp()
        self._checked = time.monotonic()

    def _policy_stamp(self):
        paths = [self.conf.oslo_policy.policy_file]
        paths += list(self.conf.oslo_policy.policy_dirs)
        stamp = []
        for path in paths:
            found = path if os.path.isabs(path) else self.conf.find_file(path)
            if found:
                try:
                    stamp.append((found, os.stat(found).st_mtime_ns))
                except OSError:
                    pass
                if os.path.isdir(found):
                    stamp.extend(
                        (entry.path, entry.stat().st_mtime_ns)
                        for entry in os.scandir(found))
        return tuple(stamp)

    def _expire(self, force=False):
        now = time.monotonic()
        if not force and now - self._checked < RECHECK_SECONDS:
            return
        self._checked = now
        stamp = self._policy_stamp()
        if stamp != self._stamp:
            # A new enforcer: oslo.policy keeps the rules of a policy
            # file after the file is removed.
            fresh = enforcer(self.conf)
            with self._lock:
                self._stamp = stamp
                self.enforcer = fresh
                self._decisions = {}

    def authorize(self, rule, context):
        self._expire()
        creds = context.to_policy_values()
        key = (rule, tuple(sorted(
            (k, tuple(v) if isinstance(v, list) else v)
            for k, v in creds.items())))
        decision = self._decisions.get(key)
        if decision is None:
            # The enforcer may read a changed file now: note its stamp
            # first, so the cache never outlives what it was made from.
            self._expire(force=True)
            decision = self.enforcer.authorize(
                rule, {'project_id': context.project_id}, creds,
                do_raise=False)
            if len(self._decisions) > 10000:
                self._decisions = {}
            self._decisions[key] = decision
        return decision

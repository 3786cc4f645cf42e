"""openstack membership lock acquire|list|show|release|break (1.3)."""
import logging
import time

from cliff import command
from cliff import lister
from cliff import show as cliff_show
from osc_lib import exceptions as osc_exceptions

from membership.client import exceptions
from membership.client import locks as client_locks
from membership.osc.v1 import common

LOG = logging.getLogger(__name__)
LIST_COLUMNS = ('name', 'mode', 'fence', 'waiters')


def _non_negative(text):
    value = float(text)
    if value < 0:
        raise ValueError(text)
    return value


class AcquireLock(common.Positionals, cliff_show.ShowOne):
    """Acquire a lock; show the holder (its id releases it).

    Fails when the lock is held (after --wait seconds, if given). With
    --keep-alive it stays in the foreground, heartbeating the holder at a
    third of its ttl, until SIGINT or SIGTERM; then it releases the lock
    and exits 0 (1 if the lock was lost meanwhile).
    """

    POSITIONALS = ('lock',)

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--shared', action='store_true',
                            help='A shared holder (default: exclusive)')
        parser.add_argument('--wait', type=_non_negative, default=0,
                            metavar='<seconds>',
                            help='Wait this long for the lock (asked of '
                                 'the service 60 s at a time; default 0)')
        common.add_liveness(parser, 'holder')
        parser.add_argument('--keep-alive', action='store_true',
                            help='Hold it in the foreground until '
                                 'SIGINT/SIGTERM, then release it')
        return parser

    def take_action(self, parsed_args):
        client = common.client(self)
        deadline = time.monotonic() + parsed_args.wait
        while True:
            wait = min(max(deadline - time.monotonic(), 0),
                       client_locks.MAX_WAIT)
            try:
                self.holder = client.acquire_lock(
                    parsed_args.lock, session=parsed_args.session,
                    ttl=parsed_args.ttl, shared=parsed_args.shared,
                    wait=wait)
                break
            except exceptions.LockHeld as e:
                if time.monotonic() >= deadline:
                    raise osc_exceptions.CommandError(
                        f'Lock {parsed_args.lock} not acquired: {e}') from e
        return common.show(self.holder)

    def run(self, parsed_args):
        if not parsed_args.keep_alive:
            return super().run(parsed_args)
        return common.in_foreground(
            self, lambda: super(AcquireLock, self).run(parsed_args),
            self._keep_alive)

    def _keep_alive(self, stop):
        client = common.client(self)
        lock, holder_id = self.holder['lock'], self.holder['id']
        ttl = self.holder['ttl']
        if ttl is None and self.holder.get('session'):
            ttl = client.get_session(self.holder['session'])['ttl']
        interval = max(ttl / 3.0, 0.2) if ttl else None
        while not stop.wait(interval):
            try:
                client.heartbeat_holder(lock, holder_id)
            except exceptions.HolderNotFound:
                # Never take it again behind the user's back: another
                # holder may have it now.
                LOG.error('Lock %s lost (expired or broken)', lock)
                return 1
            except exceptions.MembershipError as e:
                LOG.warning('Heartbeat failed, will retry: %s', e)
        try:
            client.release_lock(lock, holder_id)
        except exceptions.HolderNotFound:
            LOG.error('Lock %s was lost before the release', lock)
            return 1
        return 0


class ListLocks(lister.Lister):
    """List the locks held or waited for now, by name."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--limit', type=int, metavar='<n>',
                            help='Page size asked of the service (every '
                                 'page is listed)')
        parser.add_argument('--marker', metavar='<name>',
                            help='Start after this lock name')
        parser.add_argument('--sort-dir', choices=('asc', 'desc'),
                            help='Sort direction (by name)')
        return parser

    def take_action(self, parsed_args):
        found = common.client(self).list_locks(
            limit=parsed_args.limit, marker=parsed_args.marker,
            sort_dir=parsed_args.sort_dir)
        return common.rows(found, LIST_COLUMNS)


class ShowLock(common.Positionals, cliff_show.ShowOne):
    """Show a lock: mode, last fencing token, holders, waiters."""

    POSITIONALS = ('lock',)

    def take_action(self, parsed_args):
        return common.show(common.client(self).get_lock(parsed_args.lock))


class ReleaseLock(common.Positionals, command.Command):
    """Release holders of a lock (named one by one)."""

    POSITIONALS = ('lock', 'holders')

    def take_action(self, parsed_args):
        client = common.client(self)
        common.each(parsed_args.holders,
                    lambda h: client.release_lock(parsed_args.lock, h),
                    'releases')


class BreakLock(common.Positionals, command.Command):
    """Break locks: every holder of each is released at once."""

    POSITIONALS = ('locks',)

    def take_action(self, parsed_args):
        common.each(parsed_args.locks, common.client(self).break_lock,
                    'breaks')

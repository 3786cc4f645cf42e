"""openstack membership event list|watch (1.1)."""
import signal

from cliff import lister
from cliff import show as cliff_show

from membership.osc.v1 import common

COLUMNS = ('revision', 'type', 'member_id', 'at')


def _add_since(parser):
    parser.add_argument('--since', type=int, metavar='<revision>',
                        help='Events after this revision (default: from '
                             'now on for watch, from 0 for list)')


class ListEvents(common.Positionals, lister.Lister):
    """List a group's events after a revision (one request)."""

    POSITIONALS = ('group',)

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _add_since(parser)
        parser.add_argument('--wait', type=int, default=0,
                            metavar='<seconds>',
                            help='With no event yet, wait up to this long '
                                 '(0 to 60; default 0)')
        parser.add_argument('--limit', type=int, metavar='<n>',
                            help='At most this many events')
        return parser

    def take_action(self, parsed_args):
        page = common.client(self).list_events(
            parsed_args.group,
            since=0 if parsed_args.since is None else parsed_args.since,
            timeout=parsed_args.wait, limit=parsed_args.limit)
        return common.rows(page['events'], COLUMNS)


class _Stop(Exception):
    pass


def _raise_stop(*_):
    raise _Stop()


class WatchEvents(common.Positionals, cliff_show.ShowOne):
    """Print a group's events as they happen, until interrupted.

    Each event is printed (and flushed) on its own in the chosen format;
    it resumes from the last revision it printed, so none is lost between
    two requests. Ends on SIGINT/SIGTERM (exit 0) or after --timeout.
    """

    POSITIONALS = ('group',)

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _add_since(parser)
        parser.add_argument('--timeout', type=float, metavar='<seconds>',
                            help='Stop after this long (default: never)')
        return parser

    def take_action(self, parsed_args):  # pragma: no cover - see run
        raise NotImplementedError

    def run(self, parsed_args):
        self.formatter = self._formatter_plugins[parsed_args.formatter].obj
        previous = {sig: signal.signal(sig, _raise_stop)
                    for sig in (signal.SIGINT, signal.SIGTERM)}
        events = common.client(self).watch(
            parsed_args.group, since=parsed_args.since,
            timeout=parsed_args.timeout)
        try:
            for event in events:
                self.produce_output(parsed_args, COLUMNS,
                                    tuple(event.get(c) for c in COLUMNS))
                self.app.stdout.flush()
        except _Stop:
            pass
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return 0

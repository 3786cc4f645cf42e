"""Helpers shared by the membership commands."""
import argparse
import json
import signal
import threading

from cliff import columns
from osc_lib import exceptions

from membership.client import exceptions as client_exceptions


class JsonColumn(columns.FormattableColumn):
    """A JSON value: raw for -f json/yaml, JSON text for table/value."""

    def human_readable(self):
        return json.dumps(self._value, sort_keys=True)

    def machine_readable(self):
        return self._value


def _cell(value):
    return JsonColumn(value) if isinstance(value, (dict, list)) else value


def show(resource):
    """(columns, values) of one resource, without its links."""
    names = tuple(sorted(k for k in resource if k != 'links'))
    return names, tuple(_cell(resource[k]) for k in names)


def rows(items, names):
    return names, (tuple(_cell(item.get(k)) for k in names) for item in items)


def client(command):
    return command.app.client_manager.membership


# The positional arguments of the commands: help and metavar. A plural
# name takes one or more values.
POSITIONAL_HELP = {
    'name': 'Group name', 'names': 'Group name(s)', 'group': 'Group name',
    'member': 'Member id', 'members': 'Member id(s)',
    'candidate': 'Candidate id',
    'session': 'Session id', 'sessions': 'Session id(s)',
    'lock': 'Lock name', 'locks': 'Lock name(s)', 'holders': 'Holder id(s)',
}
METAVARS = {'names': '<name>', 'members': '<member>',
            'session': '<session-id>', 'sessions': '<session-id>',
            'locks': '<lock>', 'holders': '<holder-id>'}
PLURALS = frozenset(['names', 'members', 'sessions', 'locks', 'holders'])


class Positionals:
    """Mixin of a cliff command: its parser takes the positional
    arguments named in ``POSITIONALS``, in that order.
    """

    POSITIONALS = ()

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        for name in self.POSITIONALS:
            parser.add_argument(
                name, metavar=METAVARS.get(name, f'<{name}>'),
                nargs='+' if name in PLURALS else None,
                help=POSITIONAL_HELP[name])
        return parser


def json_value(text):
    try:
        return json.loads(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f'not valid JSON: {e}') from None


def key_value(text):
    key, sep, value = text.partition('=')
    if not sep or not key:
        raise argparse.ArgumentTypeError(f'expected KEY=VALUE, got {text!r}')
    return key, value


def add_pagination(parser, sort_keys):
    """--limit, --marker, --sort-key, --sort-dir and --long."""
    parser.add_argument('--limit', type=int, metavar='<n>',
                        help='Page size asked of the service (every page is '
                             'listed)')
    parser.add_argument('--marker', metavar='<name>',
                        help='Start after this item')
    parser.add_argument('--sort-key', choices=sort_keys,
                        help='Sort by this field')
    parser.add_argument('--sort-dir', choices=('asc', 'desc'),
                        help='Sort direction')
    parser.add_argument('--long', action='store_true',
                        help='Show more columns')


def pagination(parsed_args):
    return dict(limit=parsed_args.limit, marker=parsed_args.marker,
                sort_key=parsed_args.sort_key,
                sort_dir=parsed_args.sort_dir)


def add_liveness(parser, what):
    """--ttl N | --no-ttl | --session ID."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument('--ttl', type=int, metavar='<seconds>',
                       help=f'Seconds the {what} lives without a heartbeat '
                            '(default: the service\'s)')
    group.add_argument('--session', metavar='<session-id>',
                       help=f'Bind the {what} to this session (1.2)')
    return group


def each(items, action, what):
    """Run action(item) for every item; report every failure at the end
    (OSC's convention for commands taking several names).
    """
    failed = []
    for item in items:
        try:
            action(item)
        except client_exceptions.MembershipError as e:
            failed.append(f'{item}: {e}')
    if failed:
        raise exceptions.CommandError(
            f'{len(failed)} of {len(items)} {what} failed:\n'
            + '\n'.join(failed))


def in_foreground(command, run, keep_alive):
    """run(), then keep_alive(stop) until SIGINT or SIGTERM sets stop.

    The signals are caught before run(): one that comes at any point
    from there on still ends in keep_alive's clean-up. Returns run()'s
    status, or keep_alive's when run() succeeded and it returns one.
    """
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        status = run()
        command.app.stdout.flush()
        if status == 0:
            status = keep_alive(stop) or 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return status

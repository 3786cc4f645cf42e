"""openstack membership session create|list|show|heartbeat|delete (1.2)."""
from cliff import command
from cliff import lister
from cliff import show as cliff_show

from membership.client import client as mclient
from membership.osc.v1 import common

LIST_COLUMNS = ('id', 'ttl', 'created_at', 'expires_at')


class CreateSession(cliff_show.ShowOne):
    """Create a session: a lease that one heartbeat keeps alive."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--ttl', type=int, metavar='<seconds>',
                            help='Seconds it lives without a heartbeat '
                                 '(default: the service\'s)')
        return parser

    def take_action(self, parsed_args):
        ttl = mclient.UNSET if parsed_args.ttl is None else parsed_args.ttl
        return common.show(common.client(self).create_session(ttl=ttl))


class ListSessions(lister.Lister):
    """List the live sessions of the project."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--limit', type=int, metavar='<n>',
                            help='Page size asked of the service')
        parser.add_argument('--marker', metavar='<session-id>',
                            help='Start after this session')
        return parser

    def take_action(self, parsed_args):
        sessions = common.client(self).list_sessions(
            limit=parsed_args.limit, marker=parsed_args.marker)
        return common.rows(sessions, LIST_COLUMNS)


class ShowSession(common.Positionals, cliff_show.ShowOne):
    """Show a session."""

    POSITIONALS = ('session',)

    def take_action(self, parsed_args):
        return common.show(common.client(self).get_session(
            parsed_args.session))


class HeartbeatSession(common.Positionals, command.Command):
    """Heartbeat a session (and so all it holds)."""

    POSITIONALS = ('session',)

    def take_action(self, parsed_args):
        common.client(self).heartbeat_session(parsed_args.session)


class DeleteSession(common.Positionals, command.Command):
    """Delete sessions: their memberships and candidacies end at once."""

    POSITIONALS = ('sessions',)

    def take_action(self, parsed_args):
        common.each(parsed_args.sessions,
                    common.client(self).delete_session, 'session deletions')

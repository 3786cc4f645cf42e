"""openstack membership member join|list|show|set|leave|heartbeat."""
import logging

from cliff import command
from cliff import lister
from cliff import show as cliff_show

from membership.client import client as mclient
from membership.client import exceptions
from membership.osc.v1 import common

LOG = logging.getLogger(__name__)
LIST_COLUMNS = ('id', 'capabilities', 'ttl', 'expires_at')
LONG_COLUMNS = LIST_COLUMNS + ('session', 'joined_at', 'heartbeat_at')


def _ttl(parsed_args):
    if parsed_args.no_ttl:
        return None
    return mclient.UNSET if parsed_args.ttl is None else parsed_args.ttl


MEMBER = ('group', 'member')


class JoinMember(common.Positionals, cliff_show.ShowOne):
    """Join a group (or refresh a live member's capabilities and ttl).

    With --keep-alive it stays in the foreground, heartbeating at a third
    of the ttl, until SIGINT or SIGTERM; then it leaves and exits 0.
    """

    POSITIONALS = MEMBER

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--capabilities', metavar='<json>',
                            type=common.json_value,
                            help='Capabilities, any JSON value')
        liveness = common.add_liveness(parser, 'member')
        liveness.add_argument('--no-ttl', action='store_true',
                              help='A member that never expires')
        parser.add_argument('--exclusive', action='store_true',
                            help='Fail if it is already a live member')
        parser.add_argument('--keep-alive', action='store_true',
                            help='Heartbeat in the foreground until '
                                 'SIGINT/SIGTERM, then leave')
        return parser

    def _join(self, parsed_args, exclusive):
        return common.client(self).join(
            parsed_args.group, parsed_args.member,
            capabilities=(mclient.UNSET if parsed_args.capabilities is None
                          else parsed_args.capabilities),
            ttl=_ttl(parsed_args),
            session=parsed_args.session or mclient.UNSET,
            exclusive=exclusive)

    def take_action(self, parsed_args):
        self.member = self._join(parsed_args, parsed_args.exclusive)
        return common.show(self.member)

    def run(self, parsed_args):
        if not parsed_args.keep_alive:
            return super().run(parsed_args)
        return common.in_foreground(
            self, lambda: super(JoinMember, self).run(parsed_args),
            lambda stop: self._keep_alive(parsed_args, stop))

    def _keep_alive(self, parsed_args, stop):
        client = common.client(self)
        ttl = self.member['ttl']
        if ttl is None and self.member.get('session'):
            ttl = client.get_session(self.member['session'])['ttl']
        interval = max(ttl / 3.0, 0.2) if ttl else None
        while not stop.wait(interval):
            try:
                client.heartbeat_member(parsed_args.group,
                                        parsed_args.member)
            except exceptions.NotFound:
                LOG.warning('Membership lost (expired?): joining again')
                self._join(parsed_args, exclusive=False)
            except exceptions.MembershipError as e:
                LOG.warning('Heartbeat failed, will retry: %s', e)
        try:
            client.leave(parsed_args.group, parsed_args.member)
        except exceptions.NotFound:
            pass


class ListMembers(common.Positionals, lister.Lister):
    """List the live members of a group."""

    POSITIONALS = ('group',)

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        common.add_pagination(parser, ('id', 'joined_at'))
        return parser

    def take_action(self, parsed_args):
        members = common.client(self).list_members(
            parsed_args.group, **common.pagination(parsed_args))
        return common.rows(members, LONG_COLUMNS if parsed_args.long
                           else LIST_COLUMNS)


class ShowMember(common.Positionals, cliff_show.ShowOne):
    """Show a live member."""

    POSITIONALS = MEMBER

    def take_action(self, parsed_args):
        return common.show(common.client(self).get_member(
            parsed_args.group, parsed_args.member))


class SetMember(common.Positionals, cliff_show.ShowOne):
    """Change a member's capabilities (a JSON merge patch) or ttl."""

    POSITIONALS = MEMBER

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--capabilities', metavar='<json>',
                            type=common.json_value,
                            help='JSON merge patch of the capabilities '
                                 '(objects merge; other values replace)')
        ttl = parser.add_mutually_exclusive_group()
        ttl.add_argument('--ttl', type=int, metavar='<seconds>',
                         help='New ttl (expiry pushed to now + ttl)')
        ttl.add_argument('--no-ttl', action='store_true',
                         help='Never expire')
        parser.add_argument('--if-match', metavar='<etag>',
                            help='Only if the member\'s ETag is this one')
        return parser

    def take_action(self, parsed_args):
        capabilities = parsed_args.capabilities
        return common.show(common.client(self).update_member(
            parsed_args.group, parsed_args.member,
            capabilities=(mclient.UNSET if capabilities is None
                          else capabilities),
            ttl=_ttl(parsed_args), if_match=parsed_args.if_match))


class LeaveGroup(common.Positionals, command.Command):
    """Leave a group (members named one by one)."""

    POSITIONALS = ('group', 'members')

    def take_action(self, parsed_args):
        client = common.client(self)
        common.each(parsed_args.members,
                    lambda m: client.leave(parsed_args.group, m), 'leaves')


class HeartbeatMember(common.Positionals, command.Command):
    """Heartbeat a member: its expiry moves to now + ttl."""

    POSITIONALS = MEMBER

    def take_action(self, parsed_args):
        common.client(self).heartbeat_member(parsed_args.group,
                                             parsed_args.member)

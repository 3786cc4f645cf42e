"""openstack membership candidate enter|list|stand-down|withdraw and
leader show (1.2)."""
from cliff import command
from cliff import lister
from cliff import show as cliff_show

from membership.client import client as mclient
from membership.osc.v1 import common

LIST_COLUMNS = ('id', 'leader', 'session', 'ttl', 'entered_at',
                'expires_at')


def _add_ids(parser):
    parser.add_argument('group', metavar='<group>', help='Group name')
    parser.add_argument('candidate', metavar='<candidate>',
                        help='Candidate id')


class EnterElection(cliff_show.ShowOne):
    """Enter a group's leader election (or refresh a candidacy)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _add_ids(parser)
        common.add_liveness(parser, 'candidacy')
        return parser

    def take_action(self, parsed_args):
        candidate = common.client(self).enter_election(
            parsed_args.group, parsed_args.candidate,
            session=parsed_args.session or mclient.UNSET,
            ttl=mclient.UNSET if parsed_args.ttl is None else parsed_args.ttl)
        return common.show(candidate)


class ListCandidates(lister.Lister):
    """List a group's candidates in election order (the first leads)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('group', metavar='<group>', help='Group name')
        return parser

    def take_action(self, parsed_args):
        return common.rows(common.client(self).list_candidates(
            parsed_args.group), LIST_COLUMNS)


class StandDown(command.Command):
    """The leader moves to the back of the order; the next one leads."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _add_ids(parser)
        return parser

    def take_action(self, parsed_args):
        common.client(self).stand_down(parsed_args.group,
                                       parsed_args.candidate)


class Withdraw(command.Command):
    """Leave a group's election."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _add_ids(parser)
        return parser

    def take_action(self, parsed_args):
        common.client(self).withdraw(parsed_args.group,
                                     parsed_args.candidate)


class ShowLeader(cliff_show.ShowOne):
    """Show a group's leader and its term."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('group', metavar='<group>', help='Group name')
        return parser

    def take_action(self, parsed_args):
        return common.show(common.client(self).get_leader(parsed_args.group))

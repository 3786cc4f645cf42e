"""openstack membership candidate enter|list|stand-down|withdraw and
leader show (1.2)."""
from cliff import command
from cliff import lister
from cliff import show as cliff_show

from membership.client import client as mclient
from membership.osc.v1 import common

LIST_COLUMNS = ('id', 'leader', 'session', 'ttl', 'entered_at',
                'expires_at')
CANDIDATE = ('group', 'candidate')


class EnterElection(common.Positionals, cliff_show.ShowOne):
    """Enter a group's leader election (or refresh a candidacy)."""

    POSITIONALS = CANDIDATE

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        common.add_liveness(parser, 'candidacy')
        return parser

    def take_action(self, parsed_args):
        candidate = common.client(self).enter_election(
            parsed_args.group, parsed_args.candidate,
            session=parsed_args.session or mclient.UNSET,
            ttl=mclient.UNSET if parsed_args.ttl is None else parsed_args.ttl)
        return common.show(candidate)


class ListCandidates(common.Positionals, lister.Lister):
    """List a group's candidates in election order (the first leads)."""

    POSITIONALS = ('group',)

    def take_action(self, parsed_args):
        return common.rows(common.client(self).list_candidates(
            parsed_args.group), LIST_COLUMNS)


class StandDown(common.Positionals, command.Command):
    """The leader moves to the back of the order; the next one leads."""

    POSITIONALS = CANDIDATE

    def take_action(self, parsed_args):
        common.client(self).stand_down(parsed_args.group,
                                       parsed_args.candidate)


class Withdraw(common.Positionals, command.Command):
    """Leave a group's election."""

    POSITIONALS = CANDIDATE

    def take_action(self, parsed_args):
        common.client(self).withdraw(parsed_args.group,
                                     parsed_args.candidate)


class ShowLeader(common.Positionals, cliff_show.ShowOne):
    """Show a group's leader and its term."""

    POSITIONALS = ('group',)

    def take_action(self, parsed_args):
        return common.show(common.client(self).get_leader(parsed_args.group))

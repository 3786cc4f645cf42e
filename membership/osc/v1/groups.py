"""openstack membership group create|list|show|set|delete."""
from cliff import command
from cliff import lister
from cliff import show as cliff_show

from membership.client import client as mclient
from membership.osc.v1 import common

LIST_COLUMNS = ('name', 'description', 'member_count', 'created_at')
LONG_COLUMNS = LIST_COLUMNS + ('metadata', 'updated_at', 'project_id')


def _add_fields(parser):
    parser.add_argument('--description', metavar='<text>',
                        help='Description (at most 255 characters)')
    parser.add_argument('--metadata', metavar='<key=value>', action='append',
                        type=common.key_value, default=[],
                        help='A metadata string (repeat for more)')
    parser.add_argument('--metadata-json', metavar='<json-object>',
                        type=common.json_value,
                        help='Metadata as one JSON object')


def _metadata(parsed_args):
    if parsed_args.metadata_json is None and not parsed_args.metadata:
        return mclient.UNSET
    metadata = dict(parsed_args.metadata_json or {})
    metadata.update(parsed_args.metadata)
    return metadata


class CreateGroup(common.Positionals, cliff_show.ShowOne):
    """Create a group (fails if it exists, unless --replace)."""

    POSITIONALS = ('name',)

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _add_fields(parser)
        parser.add_argument('--replace', action='store_true',
                            help='Replace an existing group\'s description '
                                 'and metadata instead of failing')
        return parser

    def take_action(self, parsed_args):
        description = parsed_args.description
        group = common.client(self).create_group(
            parsed_args.name,
            description=mclient.UNSET if description is None else description,
            metadata=_metadata(parsed_args),
            exclusive=not parsed_args.replace)
        return common.show(group)


class ListGroups(lister.Lister):
    """List the groups of the project."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        common.add_pagination(parser, ('name', 'created_at'))
        return parser

    def take_action(self, parsed_args):
        groups = common.client(self).list_groups(
            **common.pagination(parsed_args))
        return common.rows(groups, LONG_COLUMNS if parsed_args.long
                           else LIST_COLUMNS)


class ShowGroup(common.Positionals, cliff_show.ShowOne):
    """Show a group."""

    POSITIONALS = ('name',)

    def take_action(self, parsed_args):
        return common.show(common.client(self).get_group(parsed_args.name))


class SetGroup(common.Positionals, cliff_show.ShowOne):
    """Change a group's description or metadata (a JSON merge patch)."""

    POSITIONALS = ('name',)

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _add_fields(parser)
        parser.add_argument('--unset-metadata', metavar='<key>',
                            action='append', default=[],
                            help='Remove a metadata key (repeat for more)')
        parser.add_argument('--if-match', metavar='<etag>',
                            help='Only if the group\'s ETag is this one')
        return parser

    def take_action(self, parsed_args):
        metadata = _metadata(parsed_args)
        if parsed_args.unset_metadata:
            if metadata is mclient.UNSET:
                metadata = {}
            metadata.update(dict.fromkeys(parsed_args.unset_metadata))
        description = parsed_args.description
        group = common.client(self).update_group(
            parsed_args.name,
            description=mclient.UNSET if description is None else description,
            metadata=metadata, if_match=parsed_args.if_match)
        return common.show(group)


class DeleteGroup(common.Positionals, command.Command):
    """Delete groups (a group with live members cannot be deleted)."""

    POSITIONALS = ('names',)

    def take_action(self, parsed_args):
        common.each(parsed_args.names, common.client(self).delete_group,
                    'group deletions')

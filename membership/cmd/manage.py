"""membership-manage: database administration."""
import sys

from oslo_config import cfg

from membership import conf as membership_conf
from membership.storage.sqlalchemy import migration


def _db_sync(conf):
    migration.upgrade(conf)
    print(migration.version(conf))


def _db_version(conf):
    print(migration.version(conf) or 'None')


def _add_commands(subparsers):
    db = subparsers.add_parser('db', help='Database schema commands.')
    db_commands = db.add_subparsers(dest='action')
    db_commands.required = True
    sync = db_commands.add_parser('sync', help='Upgrade the schema to the '
                                  'latest version (alembic head).')
    sync.set_defaults(func=_db_sync)
    version = db_commands.add_parser('version', help='Print the schema '
                                     'version.')
    version.set_defaults(func=_db_version)


def main(argv=None):
    conf = cfg.ConfigOpts()
    conf.register_cli_opt(cfg.SubCommandOpt(
        'command', title='Commands', handler=_add_commands))
    membership_conf.prepare(conf, sys.argv[1:] if argv is None else argv)
    conf.command.func(conf)
    return 0


if __name__ == '__main__':
    sys.exit(main())

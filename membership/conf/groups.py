"""Registering an option group on one configuration."""
from oslo_config import cfg


def register(conf, group, opts):
    """Register ``opts`` under a copy of ``group`` of ``conf``'s own:
    oslo.config keeps option state (overrides included) in the group
    object, so sharing one would share overrides between configurations
    in one process.
    """
    conf.register_group(cfg.OptGroup(group.name, title=group.title,
                                     help=group.help))
    conf.register_opts(opts, group=group.name)

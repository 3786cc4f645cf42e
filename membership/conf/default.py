from oslo_config import cfg

OPTS = [
    cfg.StrOpt('auth_strategy', default='keystone',
               choices=[('keystone', 'Validate X-Auth-Token with '
                         'keystonemiddleware auth_token.'),
                        ('noauth', 'Development only: trust the X-Project-Id, '
                         'X-User-Id and X-Roles headers.')],
               help='How API callers are authenticated.'),
    cfg.StrOpt('state_path', default='/var/lib/membership',
               help='Directory for state files. The embedded SQLite '
                    'database lives here when [database] connection is '
                    'not set; then it must be a directory the service '
                    'can write, or it refuses to start.'),
    cfg.StrOpt('api_paste_config', default='api-paste.ini',
               help='The paste-deploy file that defines the WSGI pipeline. '
                    'A relative path is looked up next to the config files '
                    'and then in the installed etc/membership.'),
]


def register_opts(conf):
    conf.register_opts(OPTS)


def list_opts():
    return {'DEFAULT': OPTS}

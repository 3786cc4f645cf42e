"""membership-api: serve the API with uWSGI (processes x threads).

uWSGI parses HTTP in C and keeps connections alive; each process builds
the application itself after the fork (``--lazy-apps``), so no database
connection or thread crosses a fork. Its own request log is off: the API
logs one line per request, with the request id, through oslo.log.
"""
import os
import shutil
import sys

from oslo_config import cfg

from membership.api import wsgi
from membership import conf as membership_conf


def uwsgi_command(conf, config_files):
    binary = (shutil.which('uwsgi', path=os.path.dirname(sys.executable))
              or shutil.which('uwsgi'))
    if binary is None:
        raise SystemExit('uwsgi is not installed: pip install uWSGI')
    return [
        binary,
        '--http11-socket', f'{conf.api.host}:{conf.api.port}',
        '--master', '--die-on-term', '--need-app', '--lazy-apps',
        '--single-interpreter',
        '--processes', str(conf.api.workers),
        '--threads', str(conf.api.threads),
        '--thunder-lock',
        '--module', 'membership.api.wsgi:application',
        '--env', f'{wsgi.CONFIG_ENV}={os.pathsep.join(config_files)}',
        # Keystone tokens make long headers.
        '--buffer-size', '65535',
        '--disable-logging', '--log-master',
        '--listen', '128',
        '--procname-prefix-spaced', 'membership-api',
    ]


def main(argv=None):
    conf = membership_conf.prepare(
        cfg.ConfigOpts(), sys.argv[1:] if argv is None else argv)
    files = [os.path.abspath(f) for f in conf.config_file]
    command = uwsgi_command(conf, files)
    print(f'membership-api listening on http://{conf.api.host}:'
          f'{conf.api.port}/ ({conf.api.workers} processes x '
          f'{conf.api.threads} threads, auth_strategy = '
          f'{conf.auth_strategy})', flush=True)
    os.execv(command[0], command)

"""Write an httpd.conf for tests from etc/membership/apache-membership.conf.

    python tools/apache_conf.py DIR NAME:PORT:CONFIG[:PROCESSES[:WAITERS]] ...

The sample vhost is the template: each NAME gets a copy of its
<VirtualHost> on PORT (loopback only) with its own two daemon process
groups (PROCESSES x 8 threads for the API, default 2; one process of
WAITERS threads for the long-polls, default the sample's) and
MEMBERSHIP_CONFIG_FILE = CONFIG, with CONFIG's "-waiters.conf" sibling
on top for the waiters group; paths, user (www-data) and the
Python home (this interpreter's virtualenv) are filled in, and the server
directives a Debian apache2.conf would give (modules, pid, logs) are
added. The body read timeout is 3 s instead of 20, for the tests. Logs
go to DIR/NAME-access.log and DIR/error.log.
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(HERE, '..', 'etc', 'membership',
                      'apache-membership.conf')
MODULES = '/usr/lib/apache2/modules'


def vhost(template, name, port, config, processes, waiters, wsgi_py):
    text = template.replace('<VirtualHost *:9860>',
                            f'<VirtualHost 127.0.0.1:{port}>')
    text = re.sub(r'(WSGIDaemonProcess membership-api) processes=\d+ '
                  r'threads=\d+',
                  rf'\1 processes={processes} threads=8', text)
    if waiters:
        text = re.sub(r'(WSGIDaemonProcess membership-waiters '
                      r'processes=1) threads=\d+',
                      rf'\1 threads={waiters}', text)
    text = text.replace('user=membership group=membership',
                        f'user=www-data group=www-data '
                        f'python-home={sys.prefix}')
    text = text.replace('/usr/lib/python3/dist-packages/membership/api/'
                        'wsgi.py', wsgi_py)
    text = text.replace('/usr/lib/python3/dist-packages/membership/api',
                        os.path.dirname(wsgi_py))
    text = text.replace('/etc/membership/membership.conf', config)
    text = text.replace('/etc/membership/membership-waiters.conf',
                        config[:-len('.conf')] + '-waiters.conf')
    text = text.replace('${APACHE_LOG_DIR}/membership-error.log',
                        '${APACHE_LOG_DIR}/error.log')
    text = text.replace('${APACHE_LOG_DIR}/membership-access.log',
                        f'${{APACHE_LOG_DIR}}/{name}-access.log')
    # The tests wait for a short body's read timeout: 3 s, not 20.
    text = text.replace('body=20,MinRate=500', 'body=3,MinRate=500')
    # Group names last: the waiters' config path contains one.
    for group in ('api', 'waiters'):
        text = text.replace(f'membership-{group}',
                            f'membership-{name}-{group}')
    return text


def main(directory, *sites):
    with open(SAMPLE) as f:
        sample = f.read()
    header, _, rest = sample.partition('<VirtualHost')
    template = '<VirtualHost' + rest
    header = re.sub(r'^Listen \d+\n', '', header, flags=re.M)
    module = subprocess.run(
        [os.path.join(sys.prefix, 'bin', 'mod_wsgi-express'),
         'module-location'], capture_output=True, text=True,
        check=True).stdout.strip()
    import membership.api.wsgi as wsgi_module  # noqa: E402
    wsgi_py = os.path.abspath(wsgi_module.__file__)
    lines = [
        f'ServerRoot "{directory}"',
        'ServerName 127.0.0.1',
        f'PidFile {directory}/httpd.pid',
        f'DefaultRuntimeDir {directory}',
        f'Define APACHE_LOG_DIR {directory}',
        f'ErrorLog {directory}/error.log',
        'LogLevel warn',
        'User www-data',
        'Group www-data',
    ]
    for mod in ('mpm_event', 'authz_core', 'env',
                'reqtimeout', 'unique_id'):
        lines.append(f'LoadModule {mod}_module {MODULES}/mod_{mod}.so')
    lines += [f'LoadModule wsgi_module {module}',
              'WSGIRestrictEmbedded On',
              f'WSGISocketPrefix {directory}/wsgi',
              f'WSGIPythonHome {sys.prefix}']
    for site in sites:
        name, port, config, *rest = site.split(':')
        lines.append(f'Listen 127.0.0.1:{port}')
    lines.append(header)
    for site in sites:
        name, port, config, *rest = site.split(':')
        processes = rest[0] if rest else '2'
        waiters = rest[1] if len(rest) > 1 else None
        lines.append(vhost(template, name, port, config, processes,
                           waiters, wsgi_py))
    path = os.path.join(directory, 'httpd.conf')
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    print(path)


if __name__ == '__main__':
    main(*sys.argv[1:])

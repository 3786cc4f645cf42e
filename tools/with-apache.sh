#!/usr/bin/env bash
# Run a command against the API served by a real Apache httpd + mod_wsgi.
#
#   tools/with-apache.sh COMMAND...
#
# Installs apache2/apache2-dev (apt) and mod_wsgi (pip, into the current
# virtualenv) when missing (tools/apache.sh), then starts one httpd on
# loopback whose config is generated from etc/membership/apache-membership.conf
# (tools/apache_conf.py), with these sites, each its own two daemon
# groups (the API's; one process for the long-polls, NAME-waiters.conf
# on top of NAME.conf) over its own SQLite database:
#   main       2 processes x 8 threads, noauth; long-polls: 1,100
#              threads, [api] max_waiters = 1000 -> MEMBERSHIP_TEST_URL
#   short      [api] max_limit=3 (lists.yaml); long-polls: 16 threads,
#              max_waiters = 6                   -> MEMBERSHIP_TEST_URL_SHORT
#   retention  [storage] event_retention=1, proxy header parsing off
#                                                -> MEMBERSHIP_TEST_URL_RETENTION
#   quota      small [quota] limits (quotas.yaml)  -> MEMBERSHIP_TEST_URL_QUOTA
#   page_bytes [api] max_page_bytes=100            -> MEMBERSHIP_TEST_URL_PAGE_BYTES
#   keystone   auth_strategy=keystone, 1 process, on MEMBERSHIP_TEST_API_PORT,
#              when run inside tools/with-keystone.sh
#                                                -> MEMBERSHIP_TEST_KEYSTONE_API_URL
# The sites other than main have 16 long-poll threads and max_waiters = 6.
# Exports MEMBERSHIP_TEST_APACHE_DIR (logs, httpd.conf), runs COMMAND and
# stops httpd by PID, whatever COMMAND returned.
set -euo pipefail
here=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
python=$(command -v python)
venv=$("$python" -c 'import sys; print(sys.prefix)')
# mod_wsgi's daemons run as www-data: they must traverse to the venv and
# the source tree (tox makes .tox 0700). Grant traversal (o+x) only.
for path in "$venv" "$(readlink -f "$here/..")"; do
    while [ "$path" != / ]; do
        if [ -d "$path" ] && [ "$(stat -c %A "$path" | cut -c10)" = - ]; then
            echo "with-apache: chmod o+x $path (www-data must traverse it)" >&2
            chmod o+x "$path"
        fi
        path=$(dirname "$path")
    done
done
"$here/apache.sh" install "$venv" >/dev/null
free_port() {
    "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
dir=$(mktemp -d /tmp/membership-apache.XXXXXX)
chmod 755 "$dir"
stop() {
    if [ -f "$dir/httpd.pid" ]; then
        pid=$(cat "$dir/httpd.pid")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -rf "$dir"
}
trap stop EXIT

site_conf() {   # NAME EXTRA-SECTIONS [MAX-WAITERS] -> writes DIR/NAME.conf,
                # DIR/NAME-waiters.conf and the database
    mkdir -p "$dir/$1"
    cat >"$dir/$1.conf" <<CONF
[DEFAULT]
auth_strategy = noauth
state_path = $dir/$1
[oslo_middleware]
enable_proxy_headers_parsing = true
$2
CONF
    # The tests park their long-polls from one project: its share is all.
    printf '[api]\nmax_waiters = %s\nproject_waiter_share = 1.0\nthreads = 16\n' \
        "${3:-6}" >"$dir/$1-waiters.conf"
    membership-manage --config-file "$dir/$1.conf" db sync >/dev/null 2>&1
    chown -R www-data:www-data "$dir/$1"
}
site_conf main '' 1000
site_conf short $'[api]\nmax_limit = 3\nmax_member_ttl = 100\ndefault_member_ttl = 30'
site_conf retention $'[storage]\nevent_retention = 1'
sed -i 's/^enable_proxy_headers_parsing = true/enable_proxy_headers_parsing = false/' "$dir/retention.conf"
site_conf quota $'[quota]\ngroups = 3\nmembers_per_group = 2\nsessions = 2\nstored_bytes = 64'
site_conf page_bytes $'[api]\nmax_page_bytes = 100'
main=$(free_port); short=$(free_port); retention=$(free_port); quota=$(free_port)
page_bytes=$(free_port)
sites=("main:$main:$dir/main.conf:2" "short:$short:$dir/short.conf:1:16"
       "retention:$retention:$dir/retention.conf:1:16" "quota:$quota:$dir/quota.conf:1:16"
       "page_bytes:$page_bytes:$dir/page_bytes.conf:1:16")
if [ -n "${MEMBERSHIP_TEST_KEYSTONE_DIR:-}" ]; then
    # shellcheck disable=SC1091
    . "$MEMBERSHIP_TEST_KEYSTONE_DIR/keystone.env"
    site_conf keystone "[oslo_policy]
policy_file = $dir/keystone/policy.yaml
[keystone_authtoken]
www_authenticate_uri = $KEYSTONE_URL
auth_url = $KEYSTONE_URL
auth_type = password
username = membership
password = svcpass
user_domain_id = default
project_name = service
project_domain_id = default
service_token_roles_required = true
token_cache_time = 300
[oslo_limit]
auth_url = $KEYSTONE_URL
auth_type = password
username = membership
password = svcpass
user_domain_id = default
system_scope = all
endpoint_region_name = RegionOne"
    sed -i 's/^auth_strategy = noauth/auth_strategy = keystone/' "$dir/keystone.conf"
    sites+=("keystone:$MEMBERSHIP_TEST_API_PORT:$dir/keystone.conf:1:16")
    export MEMBERSHIP_TEST_KEYSTONE_API_URL=http://127.0.0.1:$MEMBERSHIP_TEST_API_PORT
    export MEMBERSHIP_TEST_POLICY_FILE=$dir/keystone/policy.yaml
fi
conf=$("$python" "$here/apache_conf.py" "$dir" "${sites[@]}")
apache2 -t -f "$conf" >/dev/null 2>&1 || { apache2 -t -f "$conf"; exit 1; }
apache2 -f "$conf" -k start
for port in "$main" "$short" "$retention" "$quota" "$page_bytes" ${MEMBERSHIP_TEST_API_PORT:+"$MEMBERSHIP_TEST_API_PORT"}; do
    for _ in $(seq 1 150); do
        curl -s -m 2 -o /dev/null "http://127.0.0.1:$port/" && break
        sleep 0.1
    done
done
echo "with-apache: $(apache2 -v | sed -n 's/^Server version: //p'), mod_wsgi $("$python" -c 'from importlib.metadata import version; print(version("mod_wsgi"))') on ports $main $short $retention $quota $page_bytes ${MEMBERSHIP_TEST_API_PORT:-}" >&2
MEMBERSHIP_TEST_APACHE_DIR=$dir \
MEMBERSHIP_TEST_URL=http://127.0.0.1:$main \
MEMBERSHIP_TEST_URL_SHORT=http://127.0.0.1:$short \
MEMBERSHIP_TEST_URL_RETENTION=http://127.0.0.1:$retention \
MEMBERSHIP_TEST_URL_QUOTA=http://127.0.0.1:$quota \
MEMBERSHIP_TEST_URL_PAGE_BYTES=http://127.0.0.1:$page_bytes "$@"

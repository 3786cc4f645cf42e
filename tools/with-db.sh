#!/usr/bin/env bash
# Run a command with a throwaway database server, then stop it.
#
#   tools/with-db.sh postgresql|mysql COMMAND...
#
# Starts PostgreSQL (tools/pg.sh) or MariaDB (tools/mariadb.sh) in a new
# directory under /tmp on a free loopback port, exports its URL as
# MEMBERSHIP_TEST_DB_URL (the tests create and drop a database of their
# own on it), runs COMMAND and stops the server by PID, whatever COMMAND
# returned. Exits with COMMAND's status. Fault tests stop and start the
# server themselves: MEMBERSHIP_TEST_DB_CONTROL holds "SCRIPT DIR PORT".
set -euo pipefail
here=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
backend=${1:?usage: with-db.sh postgresql|mysql COMMAND...}
shift
case "$backend" in
    postgresql) script=$here/pg.sh ;;
    mysql|mariadb) script=$here/mariadb.sh ;;
    *) echo "unknown backend $backend" >&2; exit 2 ;;
esac
dir=$(mktemp -d /tmp/membership-db.XXXXXX)
chmod 755 "$dir"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
stop() { "$script" stop "$dir/server" >&2 || true; rm -rf "$dir"; }
trap stop EXIT
url=$("$script" start "$dir/server" "$port" | tail -n 1)
echo "with-db: $backend on $url" >&2
MEMBERSHIP_TEST_DB_URL=$url \
MEMBERSHIP_TEST_DB_CONTROL="$script $dir/server $port" "$@"

#!/usr/bin/env bash
# Run a command with a real Keystone, then stop it.
#
#   tools/with-keystone.sh COMMAND...
#
# Starts Keystone (tools/keystone.sh: its own virtualenv, cached in
# ~/.cache/membership; fernet tokens; SQLite) in a new directory under
# /tmp on a free loopback port, with the membership endpoint registered
# at a free port the tests then serve the API on. Exports
# MEMBERSHIP_TEST_KEYSTONE_DIR (holding keystone.env and access.log) and
# MEMBERSHIP_TEST_API_PORT, runs COMMAND, and stops Keystone by PID,
# whatever COMMAND returned. Exits with COMMAND's status.
set -euo pipefail
here=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
dir=$(mktemp -d /tmp/membership-keystone.XXXXXX)
stop() { "$here/keystone.sh" stop "$dir" >&2 || true; rm -rf "$dir"; }
trap stop EXIT
api_port=$(free_port)
started=$(date +%s)
# Tests only: an in-process cache (one worker) and cheap bcrypt make
# provisioning and tokens ~10x faster; see tools/keystone.sh.
MEMBERSHIP_ENDPOINT=http://127.0.0.1:$api_port KEYSTONE_CACHE=memory \
KEYSTONE_PASSWORD_HASH_ROUNDS=4 \
    "$here/keystone.sh" start "$dir" "$(free_port)" >/dev/null
echo "with-keystone: Keystone ready in $(( $(date +%s) - started )) s; API port $api_port" >&2
MEMBERSHIP_TEST_KEYSTONE_DIR=$dir MEMBERSHIP_TEST_API_PORT=$api_port "$@"

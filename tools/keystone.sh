#!/usr/bin/env bash
# A real Keystone (30.0.0, fernet, SQLite) for tests, on 127.0.0.1 only.
#
#   tools/keystone.sh start DIR PORT -> last line of stdout: KEYSTONE_URL
#                                       (http://127.0.0.1:PORT/v3)
#   tools/keystone.sh stop DIR       -> stops the gunicorn master by PID and
#                                       waits; a no-op when not running
#
# start:
#   * creates or reuses a virtualenv at ${KEYSTONE_VENV:-$HOME/.cache/membership/keystone-venv}
#     (pip install keystone==30.0.0 gunicorn; reused when it already imports them;
#     the interpreter is ${KEYSTONE_PYTHON:-python3}, which must be >= 3.11);
#   * writes DIR/keystone.conf as in RECIPES, runs db_sync, fernet_setup,
#     credential_setup (these three in parallel) and bootstrap (admin/adminpass;
#     once per DIR);
#     opt-in speed-ups for tests (measured on the project's 2-core machine):
#       KEYSTONE_CACHE=memory              in-process dogpile cache (safe: one
#                                          worker process); authenticated calls
#                                          and token validation get ~3-100x faster
#       KEYSTONE_PASSWORD_HASH_ROUNDS=4    bcrypt cost 4 instead of 12: user
#                                          creation and each token ~0.5 s -> ~0.05 s
#     (the cache applies from the next launch; the hash rounds only to passwords
#     set afterwards, so use them on a new DIR);
#   * serves it with gunicorn gthread (1 worker, 8 threads) and waits for /v3;
#   * provisions, idempotently:
#       project service, user membership/svcpass with role service on it;
#       service type/name membership with a public endpoint in RegionOne at
#         ${MEMBERSHIP_ENDPOINT:-http://127.0.0.1:9860}; reader on the system
#         for membership (oslo.limit reads endpoints and limits); registered
#         limits groups, members_per_group, sessions (1000 each) and
#         stored_bytes (64 MiB) of the membership service;
#       projects project-a and project-b, each with users <p>-admin,
#         <p>-member, <p>-reader (password <username>-pass) holding the
#         roles admin / member / reader on their project;
#   * writes DIR/keystone.env (KEYSTONE_URL, PROJECT_A_ID, PROJECT_B_ID,
#     SERVICE_PROJECT_ID, MEMBERSHIP_SERVICE_ID, MEMBERSHIP_ENDPOINT),
#     sourceable by sh.
# Running start again reuses DIR and a keystone already running from it.
# Progress and timings go to stderr.
set -euo pipefail
# shellcheck source=tools/common.sh source-path=SCRIPTDIR
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/common.sh"

USAGE="usage: $PROG start DIR PORT | $PROG stop DIR   (env: KEYSTONE_VENV, KEYSTONE_PYTHON, MEMBERSHIP_ENDPOINT, KEYSTONE_START_TIMEOUT, KEYSTONE_CACHE, KEYSTONE_PASSWORD_HASH_ROUNDS)"
VENV=${KEYSTONE_VENV:-$HOME/.cache/membership/keystone-venv}
PYTHON=${KEYSTONE_PYTHON:-python3}
ENDPOINT=${MEMBERSHIP_ENDPOINT:-http://127.0.0.1:9860}
START_TIMEOUT=${KEYSTONE_START_TIMEOUT:-60}
CACHE=${KEYSTONE_CACHE:-off}          # off (as in RECIPES) | memory
case "$CACHE" in off|memory) ;; *) die "KEYSTONE_CACHE must be off or memory, not '$CACHE'" ;; esac
HASH_ROUNDS=${KEYSTONE_PASSWORD_HASH_ROUNDS:-}   # empty: keystone's default (bcrypt 12)
[[ "$HASH_ROUNDS" =~ ^([0-9]+)?$ ]] || die "KEYSTONE_PASSWORD_HASH_ROUNDS must be a number"
KEYSTONE_VERSION=30.0.0

ks_pid() {   # prints the gunicorn master's PID when it runs from DIR
    local pid
    pid=$(cat "$D/keystone.pid" 2>/dev/null) || return 1
    pid_alive "$pid" "gunicorn.*ks_wsgi:application" && echo "$pid"
}

venv_ok() {
    [ -x "$VENV/bin/keystone-manage" ] && [ -x "$VENV/bin/gunicorn" ] &&
        "$VENV/bin/python" - "$KEYSTONE_VERSION" 2>/dev/null <<'PY'
import sys
from importlib.metadata import version
import keystone, keystoneauth1, gunicorn  # noqa: F401
sys.exit(version("keystone") != sys.argv[1])
PY
}

ensure_venv() {
    local t
    t=$(now)
    mkdir -p "$(dirname "$VENV")"
    # One builder at a time when several starts share the venv.
    exec 8>"$VENV.lock"
    flock -w 900 8 || die "timed out waiting for $VENV.lock"
    if venv_ok; then
        log "reusing keystone venv $VENV"
    else
        "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
            die "$PYTHON is $("$PYTHON" -V 2>&1); keystone $KEYSTONE_VERSION needs >= 3.11 (set KEYSTONE_PYTHON)"
        if ! "$VENV/bin/python" -c '' 2>/dev/null; then
            log "creating keystone venv $VENV with $("$PYTHON" -V 2>&1)"
            "$PYTHON" -m venv --clear "$VENV"
        fi
        log "pip install keystone==$KEYSTONE_VERSION gunicorn into $VENV (log: $VENV.pip.log)"
        "$VENV/bin/pip" install "keystone==$KEYSTONE_VERSION" gunicorn >"$VENV.pip.log" 2>&1 ||
            { tail_log "$VENV.pip.log"; die "pip install failed (log: $VENV.pip.log)"; }
        venv_ok || die "$VENV still does not import keystone $KEYSTONE_VERSION, keystoneauth1 and gunicorn"
    fi
    flock -u 8
    exec 8>&-
    log "step venv: $(since "$t") s"
}

write_conf() {
    local CACHE_CONF="enabled = false"
    # Opt-in: an in-process cache (safe with the one gunicorn worker) cuts
    # each authenticated request from ~0.2 s to ~0.07 s.
    [ "$CACHE" = memory ] && CACHE_CONF=$'enabled = true\nbackend = dogpile.cache.memory'
    cat >"$D/keystone.conf" <<CONF
[DEFAULT]
use_stderr = true
[database]
connection = sqlite:///$D/keystone.db
[token]
provider = fernet
expiration = 3600
[fernet_tokens]
key_repository = $D/fernet-keys
[fernet_receipts]
key_repository = $D/fernet-keys
[credential]
key_repository = $D/credential-keys
[cache]
$CACHE_CONF
[oslo_policy]
enforce_new_defaults = true
enforce_scope = true
CONF
    if [ -n "$HASH_ROUNDS" ]; then
        printf '[identity]\npassword_hash_rounds = %s\n' "$HASH_ROUNDS" >>"$D/keystone.conf"
    fi
    # gunicorn's argv would reach keystone's oslo.config and kill the worker
    # ("unrecognized arguments"), which gunicorn then respawns forever.
    cat >"$D/ks_wsgi.py" <<'PY'
import sys
sys.argv = sys.argv[:1]          # hide the server's argv from keystone's oslo.config
from keystone.server import wsgi  # noqa: E402
application = wsgi.initialize_public_application()
PY
}

manage() {   # manage STEP ARGS...: one timed keystone-manage call, log DIR/manage-STEP.log
    local step=$1 t
    shift
    t=$(now)
    "$VENV/bin/keystone-manage" --config-file "$D/keystone.conf" "$@" >"$D/manage-$step.log" 2>&1 ||
        { tail_log "$D/manage-$step.log"; die "keystone-manage $step failed"; }
    log "step $step: $(since "$t") s"
}

setup() {
    local url="http://127.0.0.1:$PORT/v3" t pids=() p rc=0
    if [ "$(cat "$D/.bootstrapped" 2>/dev/null)" = "$PORT" ]; then
        log "reusing keystone database, keys and bootstrap in $D"
        return 0
    fi
    if [ ! -f "$D/.bootstrapped" ]; then
        # Each keystone-manage call spends ~2 s importing; these three are
        # independent (the DB schema; two key repositories), so run them at once.
        t=$(now)
        manage db_sync db_sync & pids+=($!)
        manage fernet_setup fernet_setup --keystone-user root --keystone-group root & pids+=($!)
        manage credential_setup credential_setup --keystone-user root --keystone-group root & pids+=($!)
        for p in "${pids[@]}"; do wait "$p" || rc=1; done
        [ "$rc" -eq 0 ] || die "keystone setup failed"
        log "step db_sync + fernet_setup + credential_setup (in parallel): $(since "$t") s"
    fi
    # bootstrap is idempotent; when DIR was bootstrapped for another port it
    # updates the identity endpoints to the new URL.
    manage bootstrap bootstrap --bootstrap-password adminpass --bootstrap-username admin \
        --bootstrap-project-name admin --bootstrap-role-name admin \
        --bootstrap-service-name keystone --bootstrap-region-id RegionOne \
        --bootstrap-admin-url "$url" --bootstrap-public-url "$url" --bootstrap-internal-url "$url"
    echo "$PORT" >"$D/.bootstrapped"
}

http_code() { curl -s -m 2 -o /dev/null -w '%{http_code}' "$1" 2>/dev/null || true; }

serve() {
    local t pid deadline code
    t=$(now)
    port_in_use "$PORT" && die "127.0.0.1:$PORT is already in use by another process"
    rm -f "$D/gunicorn.pid"
    OS_KEYSTONE_CONFIG_FILES="$D/keystone.conf" \
        setsid "$VENV/bin/gunicorn" -k gthread --workers 1 --threads 8 -b "127.0.0.1:$PORT" \
        --chdir "$D" --pid "$D/gunicorn.pid" --no-control-socket --graceful-timeout 5 \
        --access-logfile "$D/access.log" ks_wsgi:application \
        >"$D/gunicorn.log" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$D/keystone.pid"
    cleanup_on_failure stop
    echo "$PORT" >"$D/port"
    deadline=$(( $(date +%s) + START_TIMEOUT ))
    while :; do
        code=$(http_code "http://127.0.0.1:$PORT/v3")
        [ "$code" = 200 ] && break
        if ! kill -0 "$pid" 2>/dev/null; then
            tail_log "$D/gunicorn.log"; die "gunicorn exited during startup"
        fi
        if [ "$(date +%s)" -ge "$deadline" ]; then
            kill -TERM -- "-$pid" 2>/dev/null || true
            wait_gone "$pid" 10 || kill -KILL -- "-$pid" 2>/dev/null || true
            tail_log "$D/gunicorn.log"
            die "keystone not answering 200 on /v3 after ${START_TIMEOUT} s (last: $code); killed pid $pid"
        fi
        sleep 0.1
    done
    log "started keystone (gunicorn gthread 1x8): pid $pid on http://127.0.0.1:$PORT/v3, log $D/gunicorn.log"
    log "step serve (launch until /v3 -> 200): $(since "$t") s"
}

write_provision() {
    cat >"$D/provision.py" <<'PY'
"""Idempotent provisioning of the test identities (run with the keystone venv).

Keystone answers each authenticated request in about 0.2 s (token validation
without a cache), so this lists each collection once and only writes what is
missing.
"""
import os
import sys

from keystoneauth1 import session
from keystoneauth1.identity import v3

URL = os.environ["KS_URL"]
ENDPOINT = os.environ["MEMBERSHIP_ENDPOINT"]
DOMAIN = "default"
REGION = "RegionOne"

s = session.Session(auth=v3.Password(
    auth_url=URL, username="admin", password="adminpass",
    user_domain_id=DOMAIN, system_scope="all"),
    app_name="membership-provision")


def get(path, **params):
    return s.get(URL + path, params=params).json()


def post(collection, singular, body):
    print(f"created {singular} {body.get('name', '')}".rstrip(), file=sys.stderr)
    return s.post(f"{URL}/{collection}", json={singular: body}).json()[singular]


roles = {r["name"]: r["id"] for r in get("/roles")["roles"]}
missing = {"admin", "member", "reader", "service"} - set(roles)
if missing:
    sys.exit(f"roles missing after bootstrap: {sorted(missing)}")
projects = {p["name"]: p["id"] for p in get("/projects", domain_id=DOMAIN)["projects"]}
users = {u["name"]: u["id"] for u in get("/users", domain_id=DOMAIN)["users"]}
assigned = {(a["scope"]["project"]["id"], a["user"]["id"], a["role"]["id"])
            for a in get("/role_assignments")["role_assignments"]
            if "project" in a.get("scope", {}) and "user" in a}


def project(name):
    if name not in projects:
        projects[name] = post("projects", "project",
                              {"name": name, "domain_id": DOMAIN, "enabled": True})["id"]
    return projects[name]


def user_with_role(name, password, project_id, role):
    if name not in users:
        users[name] = post("users", "user",
                           {"name": name, "password": password, "domain_id": DOMAIN,
                            "default_project_id": project_id, "enabled": True})["id"]
    if (project_id, users[name], roles[role]) not in assigned:
        s.put(f"{URL}/projects/{project_id}/users/{users[name]}/roles/{roles[role]}")
        print(f"granted {role} on {project_id} to {name}", file=sys.stderr)


# The service user keystonemiddleware authenticates as.
service_project = project("service")
user_with_role("membership", "svcpass", service_project, "service")

# The catalog entry for the membership service.
services = [x for x in get("/services", type="membership")["services"]
            if x["name"] == "membership"]
service = services[0] if services else post(
    "services", "service", {"type": "membership", "name": "membership", "enabled": True})
endpoints = [e for e in get("/endpoints", service_id=service["id"], interface="public")["endpoints"]
             if e.get("region_id") == REGION]
if not endpoints:
    post("endpoints", "endpoint", {"service_id": service["id"], "interface": "public",
                                   "region_id": REGION, "url": ENDPOINT, "enabled": True})
elif endpoints[0]["url"] != ENDPOINT:
    s.patch(f"{URL}/endpoints/{endpoints[0]['id']}", json={"endpoint": {"url": ENDPOINT}})
    print(f"updated endpoint membership public {REGION} -> {ENDPOINT}", file=sys.stderr)

# oslo.limit reads the service's endpoint and limits as the service user:
# it needs reader on the system.
system_roles = {r["id"] for r in
                get(f"/system/users/{users['membership']}/roles")["roles"]}
if roles["reader"] not in system_roles:
    s.put(f"{URL}/system/users/{users['membership']}/roles/{roles['reader']}")
    print("granted reader on the system to membership", file=sys.stderr)

# Default limits of the membership service (unified limits), as an
# operator registers them; tests override them per project.
registered = {r["resource_name"] for r in get(
    "/registered_limits", service_id=service["id"])["registered_limits"]}
missing = [{"service_id": service["id"], "region_id": REGION,
            "resource_name": name, "default_limit": default}
           for name, default in (("groups", 1000),
                                 ("members_per_group", 1000),
                                 ("sessions", 1000),
                                 ("stored_bytes", 64 * 1024 * 1024))
           if name not in registered]
if missing:
    s.post(f"{URL}/registered_limits", json={"registered_limits": missing})
    print(f"registered limits {[m['resource_name'] for m in missing]}",
          file=sys.stderr)

ids = {"SERVICE_PROJECT_ID": service_project,
       "MEMBERSHIP_SERVICE_ID": service["id"]}
for p in ("project-a", "project-b"):
    pid = project(p)
    ids[p.upper().replace("-", "_") + "_ID"] = pid
    for role in ("admin", "member", "reader"):
        name = f"{p}-{role}"
        user_with_role(name, f"{name}-pass", pid, role)

for k, v in ids.items():
    print(f"{k}={v}")
PY
}

provision() {
    local t out
    t=$(now)
    write_provision
    out=$(KS_URL="http://127.0.0.1:$PORT/v3" MEMBERSHIP_ENDPOINT="$ENDPOINT" \
        timeout 300 "$VENV/bin/python" "$D/provision.py" 2>"$D/provision.log") ||
        { tail_log "$D/provision.log"; die "provisioning failed"; }
    sed 's/^/  /' "$D/provision.log" >&2
    {
        echo "KEYSTONE_URL=http://127.0.0.1:$PORT/v3"
        echo "$out"
        echo "MEMBERSHIP_ENDPOINT=$ENDPOINT"
    } >"$D/keystone.env.tmp"
    mv "$D/keystone.env.tmp" "$D/keystone.env"
    log "step provision: $(since "$t") s; wrote $D/keystone.env"
}

start() {
    local t0 pid
    t0=$(now)
    mkdir -p "$D"
    ensure_venv
    if pid=$(ks_pid); then
        [ "$(cat "$D/port" 2>/dev/null)" = "$PORT" ] ||
            die "a keystone from $D already runs on port $(cat "$D/port" 2>/dev/null) (pid $pid); stop it first"
        [ "$(http_code "http://127.0.0.1:$PORT/v3")" = 200 ] ||
            die "keystone pid $pid from $D runs but /v3 does not answer 200; stop it first"
        log "already running: pid $pid on http://127.0.0.1:$PORT/v3"
    else
        # Fail before the ~10 s of setup, not after it.
        port_in_use "$PORT" && die "127.0.0.1:$PORT is already in use by another process"
        write_conf
        setup
        serve
    fi
    provision
    log "start took $(since "$t0") s"
    ready "http://127.0.0.1:$PORT/v3"
}

stop() {
    local pid t0
    t0=$(now)
    pid=$(ks_pid) || { log "not running (no live gunicorn for $D)"; return 0; }
    terminate "$pid" TERM 20 group   # graceful; --graceful-timeout 5
    # Workers share the master's process group (setsid); none should remain.
    kill -KILL -- "-$pid" 2>/dev/null || true
    rm -f "$D/keystone.pid"
    log "stopped keystone pid $pid ($D) in $(since "$t0") s"
}

dispatch "$@"

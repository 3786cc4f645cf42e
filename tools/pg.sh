#!/usr/bin/env bash
# Throwaway PostgreSQL 15 server for tests, on 127.0.0.1 only.
#
#   tools/pg.sh start DIR PORT   -> last line of stdout: the SQLAlchemy URL
#        postgresql+psycopg2://membership:secret@127.0.0.1:PORT/membership
#   tools/pg.sh stop DIR         -> fast shutdown; a no-op when not running
#
# start installs postgresql-15 when missing, runs initdb into DIR/data (once),
# starts the server (fsync off: data is throwaway; max_connections 400: the
# suites run several API processes of 16 threads at once) and makes sure the role
# `membership` (password `secret`, CREATEDB: tests create a database each)
# and the database `membership` exist.  Running start again is harmless: it
# reuses DIR and a server that already runs there.  DIR must be reachable by
# the user postgres; prefer a directory under /tmp.  Messages go to stderr.
set -euo pipefail
# shellcheck source=tools/common.sh source-path=SCRIPTDIR
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/common.sh"

PGBIN=/usr/lib/postgresql/15/bin
USAGE="usage: $PROG start DIR PORT | $PROG stop DIR"

as_pg() { runuser -u postgres -- "$@"; }

pg_pid() {   # prints the postmaster's PID when it runs from DIR/data
    local pid
    pid=$(head -n 1 "$D/data/postmaster.pid" 2>/dev/null) || return 1
    pid_alive "$pid" 'postgres|postmaster' && echo "$pid"
}

start() {
    local t0 t pid
    t0=$(now)
    require_root
    if [ ! -x "$PGBIN/initdb" ]; then
        apt_install postgresql-15 postgresql-client-15
    fi
    [ -x "$PGBIN/initdb" ] || die "$PGBIN/initdb still missing after the install"

    mkdir -p "$D"
    chown postgres:postgres "$D"
    ensure_reachable postgres "$D"
    check_socket_path "$D/.s.PGSQL.$PORT"

    if pid=$(pg_pid); then
        local running_port
        running_port=$(sed -n 4p "$D/data/postmaster.pid")
        [ "$running_port" = "$PORT" ] ||
            die "a server from $D already runs on port $running_port (pid $pid); stop it first"
        log "already running: pid $pid on 127.0.0.1:$PORT (data $D/data)"
    else
        port_in_use "$PORT" && die "127.0.0.1:$PORT is already in use by another process"
        if [ ! -f "$D/data/PG_VERSION" ]; then
            if [ -d "$D/data" ] && [ -n "$(ls -A "$D/data")" ]; then
                die "$D/data is not empty but holds no cluster (a failed initdb?); remove it"
            fi
            t=$(now)
            as_pg "$PGBIN/initdb" -D "$D/data" -U postgres -E UTF8 --locale=C.UTF-8 \
                --auth-local=trust --auth-host=scram-sha-256 >"$D/initdb.log" 2>&1 ||
                { tail_log "$D/initdb.log"; die "initdb failed"; }
            log "initdb into $D/data: $(since "$t") s"
        fi
        t=$(now)
        # -w -t 60: pg_ctl waits (bounded) until the server accepts connections.
        as_pg "$PGBIN/pg_ctl" -D "$D/data" -l "$D/pg.log" -w -t 60 start -o \
            "-p $PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$D -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" \
            >/dev/null || { tail_log "$D/pg.log"; die "pg_ctl start failed"; }
        cleanup_on_failure stop
        pid=$(pg_pid) || die "server started but $D/data/postmaster.pid names no live postmaster"
        log "started PostgreSQL 15: pid $pid on 127.0.0.1:$PORT, socket dir $D, log $D/pg.log ($(since "$t") s)"
    fi

    t=$(now)
    as_pg psql -X -q -h "$D" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
SELECT 'CREATE ROLE membership' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'membership')\gexec
ALTER ROLE membership LOGIN CREATEDB PASSWORD 'secret';
SELECT 'CREATE DATABASE membership OWNER membership' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'membership')\gexec
SQL
    # Check the URL's way in: TCP + password.
    PGPASSWORD=secret PGCONNECT_TIMEOUT=5 psql -X -q -h 127.0.0.1 -p "$PORT" -U membership \
        -d membership -tAc 'SELECT 1' >/dev/null || die "cannot log in as membership over TCP"
    log "role membership (CREATEDB) and database membership ready ($(since "$t") s); start took $(since "$t0") s"
    ready "postgresql+psycopg2://membership:secret@127.0.0.1:$PORT/membership"
}

stop() {
    local pid t0
    t0=$(now)
    pid=$(pg_pid) || { log "not running (no live postmaster for $D/data)"; return 0; }
    require_root
    if ! as_pg "$PGBIN/pg_ctl" -D "$D/data" -m fast -w -t 30 stop >/dev/null 2>&1; then
        log "pg_ctl stop failed; sending SIGQUIT to pid $pid"
        kill -QUIT "$pid" 2>/dev/null || true
    fi
    wait_gone "$pid" 30 || { kill -KILL "$pid" 2>/dev/null || true; wait_gone "$pid" 10 ||
        die "pid $pid still alive"; }
    log "stopped PostgreSQL pid $pid ($D) in $(since "$t0") s"
}

# initdb/pg_ctl run as postgres, who may not be able to read the caller's cwd.
FROM_ROOT=1 dispatch "$@"

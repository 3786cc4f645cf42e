#!/usr/bin/env bash
# Throwaway MariaDB server for tests, on 127.0.0.1 only.
#
#   tools/mariadb.sh start DIR PORT  -> last line of stdout: the SQLAlchemy URL
#        mysql+pymysql://membership:secret@127.0.0.1:PORT/membership?charset=utf8mb4
#   tools/mariadb.sh stop DIR        -> SIGTERM to the PID file's process (a clean
#                                       shutdown), waits until it has exited;
#                                       a no-op when not running
#
# start installs mariadb-server when mariadbd is missing, initialises
# DIR/data (once), starts mariadbd (no /etc/mysql config, no binlog, relaxed
# flushing: data is throwaway) and makes sure the users membership@'%' and
# membership@'localhost' (password `secret`, GRANT ALL ON *.*: tests create a
# database each) and the database `membership` exist.  Running start again
# is harmless.  DIR must be reachable by the user mysql; prefer /tmp.
# Messages go to stderr.
set -euo pipefail
# shellcheck source=tools/common.sh source-path=SCRIPTDIR
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/common.sh"

USAGE="usage: $PROG start DIR PORT | $PROG stop DIR"
START_TIMEOUT=${MARIADB_START_TIMEOUT:-60}

db_pid() {   # prints mariadbd's PID when it runs from DIR
    local pid
    pid=$(cat "$D/mariadbd.pid" 2>/dev/null) || return 1
    pid_alive "$pid" "mariadbd|mysqld" && echo "$pid"
}

root_sql() {
    mariadb --no-defaults --socket="$D/mysql.sock" --connect-timeout=5 -uroot
}

start() {
    local t0 t pid
    t0=$(now)
    require_root
    command -v mariadbd >/dev/null || apt_install mariadb-server
    command -v mariadbd >/dev/null || die "mariadbd still missing after the install"

    mkdir -p "$D"
    chown mysql:mysql "$D"
    ensure_reachable mysql "$D"
    check_socket_path "$D/mysql.sock"

    if pid=$(db_pid); then
        local running_port
        running_port=$(cat "$D/port" 2>/dev/null || echo '?')
        [ "$running_port" = "$PORT" ] ||
            die "a server from $D already runs on port $running_port (pid $pid); stop it first"
        log "already running: pid $pid on 127.0.0.1:$PORT (data $D/data)"
    else
        port_in_use "$PORT" && die "127.0.0.1:$PORT is already in use by another process"
        if [ ! -d "$D/data/mysql" ]; then
            if [ -d "$D/data" ] && [ -n "$(ls -A "$D/data")" ]; then
                die "$D/data is not empty but holds no database (a failed install?); remove it"
            fi
            t=$(now)
            mariadb-install-db --no-defaults --user=mysql --datadir="$D/data" \
                --auth-root-authentication-method=socket --skip-test-db >"$D/install.log" 2>&1 ||
                { tail_log "$D/install.log"; die "mariadb-install-db failed"; }
            log "mariadb-install-db into $D/data: $(since "$t") s"
        fi
        t=$(now)
        rm -f "$D/mariadbd.pid"
        setsid mariadbd --no-defaults --user=mysql --datadir="$D/data" --socket="$D/mysql.sock" \
            --port="$PORT" --bind-address=127.0.0.1 --pid-file="$D/mariadbd.pid" \
            --log-error="$D/error.log" --skip-name-resolve --skip-log-bin \
            --innodb-flush-log-at-trx-commit=0 --innodb-buffer-pool-size=64M --max-connections=400 \
            --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
            </dev/null >/dev/null 2>&1 &
        pid=$!
        echo "$PORT" >"$D/port"
        cleanup_on_failure stop
        local deadline=$(( $(date +%s) + START_TIMEOUT ))
        until timeout 5 mariadb-admin --no-defaults --socket="$D/mysql.sock" --connect-timeout=2 \
                -uroot ping >/dev/null 2>&1; do
            if ! kill -0 "$pid" 2>/dev/null; then
                tail_log "$D/error.log"; die "mariadbd exited during startup"
            fi
            if [ "$(date +%s)" -ge "$deadline" ]; then
                kill -TERM "$pid" 2>/dev/null || true
                wait_gone "$pid" 30 || kill -KILL "$pid" 2>/dev/null || true
                tail_log "$D/error.log"; die "mariadbd not ready after ${START_TIMEOUT} s; killed it"
            fi
            sleep 0.1
        done
        log "started MariaDB $(mariadbd --version | awk '{print $3}'): pid $pid on 127.0.0.1:$PORT, socket $D/mysql.sock, log $D/error.log ($(since "$t") s)"
    fi

    t=$(now)
    root_sql <<'SQL'
CREATE USER IF NOT EXISTS 'membership'@'%' IDENTIFIED BY 'secret';
CREATE USER IF NOT EXISTS 'membership'@'localhost' IDENTIFIED BY 'secret';
ALTER USER 'membership'@'%' IDENTIFIED BY 'secret';
ALTER USER 'membership'@'localhost' IDENTIFIED BY 'secret';
GRANT ALL ON *.* TO 'membership'@'%';
GRANT ALL ON *.* TO 'membership'@'localhost';
CREATE DATABASE IF NOT EXISTS membership CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
SQL
    # Check the URL's way in: TCP + password.
    mariadb --no-defaults -h 127.0.0.1 -P "$PORT" --connect-timeout=5 -umembership -psecret \
        -e 'SELECT 1' membership >/dev/null || die "cannot log in as membership over TCP"
    log "users membership@'%'/'localhost' (ALL ON *.*) and database membership ready ($(since "$t") s); start took $(since "$t0") s"
    ready "mysql+pymysql://membership:secret@127.0.0.1:$PORT/membership?charset=utf8mb4"
}

stop() {
    local pid t0
    t0=$(now)
    pid=$(db_pid) || { log "not running (no live mariadbd for $D)"; return 0; }
    # SIGTERM is a normal shutdown, like `mariadb-admin shutdown`; that one
    # polls in 1 s steps, waiting on the PID here is quicker.
    terminate "$pid" TERM 60
    log "stopped MariaDB pid $pid ($D) in $(since "$t0") s"
}

FROM_ROOT=1 dispatch "$@"

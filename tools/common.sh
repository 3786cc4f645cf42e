# shellcheck shell=bash disable=SC2034
# Shared helpers for the tools/*.sh server scripts.  Source it, do not run it:
#   . "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/common.sh"
#
# Conventions of every script that uses it:
#   * progress, timings and "started X at Y" go to stderr (prefixed with the
#     script's name), so the one result line on stdout (a URL) can be
#     captured with $(...) and is always the last line of stdout;
#   * servers bind 127.0.0.1 only and are stopped by the PID they recorded;
#   * every wait is bounded.

PROG=${PROG:-$(basename "$0")}
SELF=$(readlink -f "$0")
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"   # mariadbd, runuser, apache2 live in sbin

# cleanup_on_failure CMD...: run CMD when the script exits non-zero, e.g. to
# stop a server this run started before a later step failed.
_CLEANUP=()
cleanup_on_failure() { _CLEANUP+=("$*"); }
_run_cleanup() {
    local rc=$? c
    if [ "$rc" -ne 0 ] && [ "${#_CLEANUP[@]}" -gt 0 ]; then
        printf '%s: failed (exit %s); undoing what this run started\n' "$PROG" "$rc" >&2
        for c in "${_CLEANUP[@]}"; do eval "$c" || true; done
    fi
}
trap _run_cleanup EXIT

log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { printf '%s: ERROR: %s\n' "$PROG" "$*" >&2; exit 1; }

now() { date +%s.%N; }
# since START -> seconds elapsed, one decimal
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

require_root() {
    [ "$(id -u)" -eq 0 ] || die "must run as root (it uses apt-get, chown and runuser)"
}

check_port() {   # PORT -> dies unless 1..65535
    if ! [[ "$1" =~ ^[0-9]+$ ]] || [ "$1" -lt 1 ] || [ "$1" -gt 65535 ]; then
        die "bad port: '$1'"
    fi
}

# True when something accepts TCP connections on 127.0.0.1:PORT.
port_in_use() {
    timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# pid_alive PID REGEX: PID exists and its command line matches REGEX (guards
# against a stale pid file whose number now belongs to something else).
pid_alive() {
    local pid=$1 re=$2 cmd
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
    [[ "$cmd" =~ $re ]]
}

# wait_gone PID TIMEOUT_SECONDS -> 0 once PID has exited, 1 on timeout.
wait_gone() {
    local pid=$1 deadline
    deadline=$(( $(date +%s) + $2 ))
    while kill -0 "$pid" 2>/dev/null; do
        # a zombie child of ours counts as gone
        [ "$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)" = Z ] && return 0
        [ "$(date +%s)" -ge "$deadline" ] && return 1
        sleep 0.1
    done
}

# ensure_reachable USER DIR [w|r]: USER (a server drops to it) must be able
# to reach DIR and write it (w, the default) or read it (r).  Names the first
# directory from / downwards that blocks it.
ensure_reachable() {
    local user=$1 d=$2 mode=${3:-w} p='' part parts
    if [ "$mode" = w ]; then
        runuser -u "$user" -- test -w "$d" && return 0
    else
        runuser -u "$user" -- test -r "$d" -a -x "$d" && return 0
    fi
    IFS=/ read -ra parts <<<"${d#/}"
    for part in "${parts[@]}"; do
        if ! runuser -u "$user" -- test -x "${p:-/}"; then
            die "user '$user' cannot reach $d: ${p:-/} ($(stat -c '%A %U' "${p:-/}")) is not searchable by it. Use a directory under /tmp, or run: chmod o+x ${p:-/}"
        fi
        p=$p/$part
    done
    die "user '$user' cannot $([ "$mode" = w ] && echo write || echo read) $d ($(stat -c '%A %U:%G' "$d"))"
}

# A unix socket path must fit in sun_path (107 bytes + NUL).
check_socket_path() {
    [ "${#1}" -le 107 ] || die "socket path too long (${#1} > 107 bytes): $1 -- use a shorter DIR"
}

# apt_install PKG...: apt-get update + install, serialised across parallel
# runs of these scripts (apt/dpkg locks would fail otherwise).
apt_install() {
    local t0 lock=/var/lock/membership-tools-apt.lock
    t0=$(now)
    log "installing $* with apt-get (output below goes to stderr)"
    (
        flock -w 900 9 || die "timed out waiting for $lock"
        export DEBIAN_FRONTEND=noninteractive
        apt-get -o DPkg::Lock::Timeout=300 update >&2
        apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "$@" >&2
    ) 9>"$lock"
    log "installed $* in $(since "$t0") s"
}

# tail_log FILE: show the end of a server log on failure.
tail_log() {
    [ -f "$1" ] || return 0
    printf '%s: --- last lines of %s ---\n' "$PROG" "$1" >&2
    tail -n 30 "$1" >&2 || true
    printf '%s: ---\n' "$PROG" >&2
}

# ready URL: the last words of a start: how to stop, and the URL on stdout.
ready() {
    log "stop with: $SELF stop $D"
    echo "$1"
}

# terminate PID SIGNAL SECONDS [group]: send SIGNAL, wait up to SECONDS for
# PID to exit, then SIGKILL it (and its process group with "group").
terminate() {
    local pid=$1 signal=$2 seconds=$3
    kill "-$signal" "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" "$seconds"; then
        log "pid $pid still alive after $seconds s; SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        if [ "${4:-}" = group ]; then kill -KILL -- "-$pid" 2>/dev/null || true; fi
        wait_gone "$pid" 10 || die "pid $pid still alive"
    fi
}

# dispatch "$@": the command line every server script takes,
#   start DIR PORT | stop DIR
# sets D (absolute) and PORT, then calls the script's start or stop.  With
# FROM_ROOT=1 it runs them from / (servers that drop privileges may not be
# able to read the caller's directory).
dispatch() {
    [ $# -ge 2 ] || die "$USAGE"
    D=$(readlink -m "$2")
    if [ "${FROM_ROOT:-}" = 1 ]; then cd /; fi
    case "$1" in
        start) [ $# -eq 3 ] || die "$USAGE"; PORT=$3; check_port "$PORT"; start ;;
        stop)  [ $# -eq 2 ] || die "$USAGE"; stop ;;
        *) die "$USAGE" ;;
    esac
}

#!/usr/bin/env bash
# Apache httpd + mod_wsgi (pip's, built against VENV's Python) for the
# membership API.
#
#   tools/apache.sh install VENV   -> last line of stdout: the mod_wsgi module path
#
# install:
#   * apt-get installs apache2 and apache2-dev when `apxs` is missing;
#   * VENV/bin/pip installs mod_wsgi when VENV/bin/mod_wsgi-express is missing
#     (the Debian libapache2-mod-wsgi-py3 would run Debian's 3.11.2 on the
#     venv's stdlib: see RECIPES);
#   * chmod o+x "$HOME": the mod_wsgi daemons run as www-data and start Python
#     after dropping privileges, so they must be able to traverse $HOME to
#     reach a pyenv/venv Python under it (root's home is 700 on a new machine);
#   * checks that www-data can start VENV's Python.
# Running it again is harmless.  Progress goes to stderr.
set -euo pipefail
# shellcheck source=tools/common.sh source-path=SCRIPTDIR
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/common.sh"

USAGE="usage: $PROG install VENV"
if [ $# -ne 2 ] || [ "$1" != install ]; then die "$USAGE"; fi
VENV=$(readlink -m "$2")
cd /

install() {
    local t0 t mode
    t0=$(now)
    require_root
    if [ ! -x "$VENV/bin/python" ] || [ ! -x "$VENV/bin/pip" ]; then
        die "$VENV is not a virtualenv (no bin/python, bin/pip); create it first"
    fi

    if command -v apxs >/dev/null; then
        log "apxs found ($(command -v apxs)); apache2 + apache2-dev already installed"
    else
        apt_install apache2 apache2-dev
        command -v apxs >/dev/null || die "apxs still missing after the install"
    fi
    command -v apache2 >/dev/null || die "apache2 missing (apxs is there, httpd is not): apt-get install apache2"

    if [ -x "$VENV/bin/mod_wsgi-express" ]; then
        log "mod_wsgi already in $VENV"
    else
        t=$(now)
        log "pip install mod_wsgi into $VENV (compiles it; log $VENV/mod_wsgi-pip.log)"
        "$VENV/bin/pip" install mod_wsgi >"$VENV/mod_wsgi-pip.log" 2>&1 ||
            { tail_log "$VENV/mod_wsgi-pip.log"; die "pip install mod_wsgi failed"; }
        log "installed mod_wsgi $("$VENV/bin/python" -c 'from importlib.metadata import version; print(version("mod_wsgi"))') in $(since "$t") s"
    fi

    mode=$(stat -c '%A' "$HOME")
    if [ "${mode:9:1}" = x ] || [ "${mode:9:1}" = t ]; then
        log "$HOME is already traversable by others ($mode)"
    else
        log "chmod o+x $HOME (was $mode): mod_wsgi daemons run as www-data and must traverse it to reach the Python under it (RECIPES pitfall 2)"
        chmod o+x "$HOME"
    fi

    # The check that matters: can www-data start this venv's Python (its
    # stdlib under base_prefix included)?
    local base
    base=$("$VENV/bin/python" -c 'import sys; print(sys.base_prefix)')
    ensure_reachable www-data "$VENV/bin" r
    ensure_reachable www-data "$base/lib" r
    runuser -u www-data -- "$VENV/bin/python" -c 'import encodings, sys' ||
        die "www-data cannot start $VENV/bin/python (base $base)"
    log "www-data can run $VENV/bin/python (base $base)"

    "$VENV/bin/mod_wsgi-express" module-config | sed 's/^/  /' >&2
    log "apache $(apache2 -v | sed -n 's/^Server version: //p'), install took $(since "$t0") s"
    "$VENV/bin/mod_wsgi-express" module-location
}

install

#!/usr/bin/env bash
# Install Debian's nginx, pinned, for running ChatKit servers behind it (deploy/nginx.conf).
#
#     nginx="$(bash deploy/install-nginx.sh | tail -n 1)"
#     "$nginx" -v
#
# (Never export it as NGINX: nginx reads that variable, for sockets inherited in an upgrade.)
#
# It prints the nginx binary on its LAST line of stdout and sends progress to stderr, like
# book/install-mdbook.sh does for mdbook.
#
# Pinned: Debian 12 (bookworm) builds nginx 1.22.1; the Debian revision below is the one the
# mirrors offered when this was written (a security update). CI installs exactly it, so a run
# here and a run in CI use the same nginx. When Debian publishes a newer security update, the
# mirrors drop this revision and the script fails saying so, with the versions now offered:
# put one of them in NGINX_VERSION (check deploy/check-behind-nginx.sh still passes).
#
# Only the binary package `nginx` (with its `nginx-common`): `nginx-light` is, on bookworm,
# a meta package that adds the echo module, which the configuration does not use.
#
# Idempotent: when that version is installed it does nothing and needs no network. Otherwise
# it needs root (or sudo) and Debian's package lists (`apt-get update`, run once if the
# version is not in them).
#
# Never a system service: the package's own scripts would start nginx on port 80 with
# Debian's default site. A policy-rc.d that refuses every start is put in place for the
# install (unless the machine has one already, as containers do), and afterwards the service
# is stopped and disabled in case something started it anyway. deploy/check-behind-nginx.sh
# runs its own nginx, unprivileged, from a directory of its own.

set -euo pipefail

readonly NGINX_VERSION="1.22.1-9+deb12u11"
readonly NGINX_BIN="/usr/sbin/nginx"

log() { echo "install-nginx: $*" >&2; }

# "install ok installed <version>" for a package that is fully installed.
package_state() {
    dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null || true
}

is_installed() {
    [ "$(package_state nginx)" = "install ok installed ${NGINX_VERSION}" ] &&
        [ "$(package_state nginx-common)" = "install ok installed ${NGINX_VERSION}" ] &&
        [ -x "${NGINX_BIN}" ]
}

if is_installed; then
    log "nginx ${NGINX_VERSION} is already installed"
    echo "${NGINX_BIN}"
    exit 0
fi

if ! command -v apt-get >/dev/null; then
    log "error: no apt-get here; this script installs Debian's nginx ${NGINX_VERSION} (Debian 12)"
    exit 1
fi

# apt-get and the files under /usr/sbin need root.
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null; then
        log "error: installing nginx needs root; run this script as root or install sudo"
        exit 1
    fi
    sudo=(sudo)
fi

# Whether apt knows the pinned version of both packages (`apt-cache madison` lists every
# version the package lists offer, one per line: "nginx | 1.22.1-9+deb12u11 | <source>").
offered() {
    local package
    for package in nginx nginx-common; do
        apt-cache madison "${package}" 2>/dev/null | awk -F' [|] ' '{print $2}' |
            grep -qxF "${NGINX_VERSION}" || return 1
    done
}

if ! offered; then
    log "nginx ${NGINX_VERSION} is not in the package lists; running apt-get update"
    "${sudo[@]}" apt-get update -qq >&2
fi
if ! offered; then
    now="$(apt-cache madison nginx 2>/dev/null | awk -F' [|] ' '{print $2}' | paste -sd, -)"
    log "error: Debian no longer offers nginx ${NGINX_VERSION} (a newer security update replaced it)."
    log "error: versions offered now: ${now:-none}. Set NGINX_VERSION in deploy/install-nginx.sh"
    log "error: to one of them, then run deploy/check-behind-nginx.sh to confirm it still passes."
    exit 1
fi

# Keep the package from starting nginx as a service: invoke-rc.d asks policy-rc.d first,
# and exit code 101 means "action forbidden". Ours is removed when the script exits.
policy_rc_d="/usr/sbin/policy-rc.d"
if [ ! -e "${policy_rc_d}" ]; then
    log "refusing service starts during the install (temporary ${policy_rc_d})"
    printf '#!/bin/sh\n# Put here by deploy/install-nginx.sh for the install only.\nexit 101\n' |
        "${sudo[@]}" tee "${policy_rc_d}" >/dev/null
    "${sudo[@]}" chmod 755 "${policy_rc_d}"
    trap '"${sudo[@]}" rm -f "${policy_rc_d}"' EXIT
fi

log "installing nginx ${NGINX_VERSION} (apt-get, no recommends)"
# --allow-downgrades: another version may be installed already; the pin wins.
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    --allow-downgrades "nginx=${NGINX_VERSION}" "nginx-common=${NGINX_VERSION}" >&2

# Belt and braces: keep nginx from starting at boot, and if a service manager started it
# anyway, stop it. `systemctl disable` works on the unit links even where systemd is not
# running (containers) and also disables the SysV script; without systemctl, update-rc.d.
# Each may legitimately fail (no systemd, no init links), so none is fatal.
if command -v systemctl >/dev/null; then
    "${sudo[@]}" systemctl disable nginx.service >/dev/null 2>&1 || true
    if [ -d /run/systemd/system ]; then
        "${sudo[@]}" systemctl stop nginx.service >/dev/null 2>&1 || true
    fi
else
    "${sudo[@]}" update-rc.d nginx disable >/dev/null 2>&1 || true
fi
if [ -s /run/nginx.pid ]; then
    log "stopping the nginx service the package started (/run/nginx.pid)"
    "${sudo[@]}" start-stop-daemon --stop --quiet --retry QUIT/5/TERM/5 \
        --pidfile /run/nginx.pid --exec "${NGINX_BIN}" || true
fi

if ! is_installed; then
    log "error: apt-get finished but nginx ${NGINX_VERSION} is not installed: $(package_state nginx)"
    exit 1
fi
log "installed $("${NGINX_BIN}" -v 2>&1) (Debian ${NGINX_VERSION})"
echo "${NGINX_BIN}"

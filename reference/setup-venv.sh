#!/usr/bin/env bash
# Create the Python venv that holds the reference SDK, openai-chatkit 1.6.5.
#
# The reference scripts (gen_corpus.py, check_emitted.py) must run against
# the exact SDK release whose wire format chatkit-rs reproduces. This script
# makes sure <repo>/target/pyenv exists and contains that release, and prints
# the venv's python on its LAST line of stdout, so callers can do:
#
#     PY="$(reference/setup-venv.sh | tail -n 1)"
#     "$PY" reference/gen_corpus.py
#
# It is idempotent: when the venv already has the right version it installs
# nothing and needs no network. Otherwise it needs PyPI (through pip) and a
# python3 (3.11) with the venv module. Set PYTHON3 to pick the interpreter.
# Progress messages go to stderr so that stdout stays machine-readable.

set -euo pipefail

readonly SDK_PACKAGE="openai-chatkit"
readonly SDK_VERSION="1.6.5"
# pydantic writes the bytes, so its version is pinned too: the one the corpus was recorded with.
readonly PYDANTIC_VERSION="2.14.3"
# The servers in this folder (the conformance reference app, the benchmark app) run on FastAPI
# and uvicorn with uvloop and httptools, as a production deployment of the SDK would.
readonly SERVER_PACKAGES=("fastapi==0.165.0" "uvicorn==0.54.0" "uvloop==0.23.0" "httptools==0.9.0")
readonly WANTED="${SDK_VERSION} pydantic ${PYDANTIC_VERSION} fastapi 0.165.0 uvloop 0.23.0 httptools 0.9.0"

# Locate the repository from this file, not from the caller's cwd.
script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "${script_dir}/.." && pwd)"
venv_dir="${repo_root}/target/pyenv"
venv_python="${venv_dir}/bin/python"
base_python="${PYTHON3:-python3}"

log() {
    echo "setup-venv: $*" >&2
}

# True when the venv's interpreter exists, actually starts, and has pip. A venv
# copied from another machine, whose base python was removed, or whose creation
# was interrupted before pip was installed into it, fails this.
venv_is_usable() {
    [[ -x "${venv_python}" ]] && "${venv_python}" -m pip --version >/dev/null 2>&1
}

# Print "<sdk version> pydantic <version> fastapi <version> ...", or nothing if an import fails.
# Both must hold: the module imports AND pip's metadata names the versions.
installed_sdk_version() {
    "${venv_python}" - "${SDK_PACKAGE}" 2>/dev/null <<'PY' || true
import importlib.metadata
import sys

import chatkit  # noqa: F401  (the imports themselves are the check)
import fastapi  # noqa: F401
import httptools  # noqa: F401
import uvloop  # noqa: F401

version = importlib.metadata.version
print(
    version(sys.argv[1]),
    *(f"{name} {version(name)}" for name in ("pydantic", "fastapi", "uvloop", "httptools")),
)
PY
}

create_venv() {
    if ! command -v "${base_python}" >/dev/null 2>&1; then
        log "error: ${base_python} not found; install Python 3.11 or set PYTHON3"
        exit 1
    fi
    log "creating ${venv_dir} with $("${base_python}" --version 2>&1)"
    # --clear wipes a broken leftover venv instead of reusing it.
    if ! "${base_python}" -m venv --clear "${venv_dir}" >&2; then
        log "error: '${base_python} -m venv' failed (on Debian/Ubuntu: apt-get install python3-venv)"
        exit 1
    fi
}

install_sdk() {
    log "installing ${SDK_PACKAGE}==${SDK_VERSION} pydantic==${PYDANTIC_VERSION} ${SERVER_PACKAGES[*]}"
    # pip's own output goes to stderr: stdout must end with the python path.
    "${venv_python}" -m pip install --disable-pip-version-check --quiet \
        "${SDK_PACKAGE}==${SDK_VERSION}" "pydantic==${PYDANTIC_VERSION}" "${SERVER_PACKAGES[@]}" >&2
}

main() {
    if ! venv_is_usable; then
        create_venv
    fi
    local version
    version="$(installed_sdk_version)"
    if [[ "${version}" != "${WANTED}" ]]; then
        log "found '${version:-none}', need ${WANTED}"
        install_sdk
        version="$(installed_sdk_version)"
        if [[ "${version}" != "${WANTED}" ]]; then
            log "error: after installing, ${SDK_PACKAGE} reports '${version:-none}'"
            exit 1
        fi
    fi
    log "${SDK_PACKAGE} ${WANTED} ready"
    echo "${venv_python}"
}

main "$@"

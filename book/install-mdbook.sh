#!/usr/bin/env bash
# Install mdBook, pinned, into <repo>/target/tools, for reading and building the book.
#
#     MDBOOK="$(bash book/install-mdbook.sh | tail -n 1)"
#     "$MDBOOK" serve book --open       # read it, rebuilt on every save
#     "$MDBOOK" build book              # what CI does; the HTML goes to target/book
#
# The book uses heading anchors (`## Title {#anchor}`) and `{{#include file:anchor}}`, which
# this release renders; CI builds with the same release, so a warning seen here is a warning
# there. It prints the mdbook binary on its LAST line of stdout and sends progress to stderr.
#
# Idempotent: when target/tools already holds this version it installs nothing and needs no
# network. Otherwise it builds mdBook from crates.io with `cargo install --locked` (a few
# minutes on two cores; the default features, so `serve` and search are there).

set -euo pipefail

readonly MDBOOK_VERSION="0.5.4"

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "${script_dir}/.." && pwd)"
tools_dir="${repo_root}/target/tools"
mdbook="${tools_dir}/bin/mdbook"

installed_version() {
    "$mdbook" --version 2>/dev/null | awk '{print $2}'
}

if [ -x "$mdbook" ] && [ "$(installed_version)" = "v${MDBOOK_VERSION}" ]; then
    echo "install-mdbook: mdbook ${MDBOOK_VERSION} is already in ${tools_dir}" >&2
else
    echo "install-mdbook: building mdbook ${MDBOOK_VERSION} into ${tools_dir}" >&2
    cargo install mdbook --version "${MDBOOK_VERSION}" --locked --root "${tools_dir}" --quiet >&2
fi

echo "$mdbook"

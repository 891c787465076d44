#!/usr/bin/env bash
# What the browser test of lesson 07 (tests/browser.rs, tests/browser/lesson07.mjs) needs:
# Debian's chromium, and playwright-core pinned by package-lock.json. playwright-core is only
# the driver; it downloads no browser, so the test runs the distribution's one, offline.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

# The emoji font draws the page's icons (a fresh Debian has none, and the screenshots would
# show empty boxes).
if [ ! -x /usr/bin/chromium ] || [ ! -d /usr/share/fonts/truetype/noto ]; then
  # As root on CI; through sudo on a developer's machine that has it.
  sudo=""
  if [ "$(id -u)" -ne 0 ] && command -v sudo > /dev/null; then sudo=sudo; fi
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q chromium fonts-noto-color-emoji
fi
/usr/bin/chromium --version

# Exactly the versions of package-lock.json, into tests/browser/node_modules.
npm ci --no-audit --no-fund

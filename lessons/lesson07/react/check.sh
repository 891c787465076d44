#!/usr/bin/env bash
# Lesson 07's React page, checked as CI can: install exactly what package-lock.json pins, type-check
# the page against the official client's own types (@openai/chatkit's .d.ts files), and build it.
# Nothing here runs the page: its <openai-chatkit> element comes from OpenAI's CDN at run time.
#
# It works on a copy in a temporary directory, so that no node_modules or dist is left in the
# repository: tests/book.rs reads every file of the working tree, node_modules' too.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The page's own files, without a node_modules or dist that a student's `npm ci` left here.
tar -C "$here" --exclude=./node_modules --exclude=./dist -cf - . | tar -C "$work" -xf -
cd "$work"

npm ci --no-audit --no-fund
# --no-install: use the pinned tools npm ci just installed, never fetch another version.
npx --no-install tsc --noEmit
npx --no-install vite build --outDir dist --emptyOutDir
# The built page must still load the element's script, which Vite leaves as it is.
grep -q 'cdn.platform.openai.com/deployments/chatkit/chatkit.js' dist/index.html
echo "lesson07/react: npm ci, tsc --noEmit and vite build passed"

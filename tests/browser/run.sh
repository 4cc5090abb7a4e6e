#!/usr/bin/env bash
# The browser end-to-end tests of the web app, in Debian's Chromium against the
# real casekeep-server on loopback:
#   tests/browser/run.sh SERVER_BIN CLI_BIN WEB_DIR ARTIFACT_DIR
# WEB_DIR is the staged web root (build-wasm/web: the app plus casekeep.mjs and
# the WebAssembly core). Installs the pinned playwright-core with `npm ci` when
# needed (never a browser). Exits non-zero on any failure; bounded in time.
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: $0 SERVER_BIN CLI_BIN WEB_DIR ARTIFACT_DIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
args=()
for p in "$@"; do args+=("$(realpath -m "$p")"); done
# CASEKEEP_SCREENSHOTS=DIR also saves the user guide's pictures (docs/images).
if [ -n "${CASEKEEP_SCREENSHOTS:-}" ]; then export CASEKEEP_SCREENSHOTS=$(realpath -m "$CASEKEEP_SCREENSHOTS"); fi

want=$(node -e 'console.log(require(process.argv[1]).packages["node_modules/playwright-core"].version)' "$here/package-lock.json")
have=$(node -e 'try { console.log(require(process.argv[1]).version) } catch { console.log("none") }' "$here/node_modules/playwright-core/package.json")
if [ "$want" != "$have" ]; then
  (cd "$here" && timeout 300 npm ci --no-audit --no-fund --loglevel=error)
fi
cd "$here"
exec timeout --kill-after=10 "${CASEKEEP_BROWSER_TIMEOUT:-600}" node e2e.mjs "${args[@]}"

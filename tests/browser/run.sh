#!/usr/bin/env bash
# Runs one browser test file (tests/browser/*.test.mjs) with node's test runner, as ctest does:
#   tests/browser/run.sh tests/browser/verify.test.mjs
# Needs SIGNET_BIN (the signet binary; ctest sets it). Installs playwright-core into
# tests/browser/node_modules with `npm ci` when it is missing or package-lock.json changed
# (under a lock, so tests started in parallel install once). Exits 77 (ctest: skipped) only
# when no chromium or node is installed (scripts/install-deps.sh test installs them).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
chromium="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  echo "SKIP: no chromium at $chromium (scripts/install-deps.sh test installs it)" >&2
  exit 77
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "SKIP: node/npm not installed (scripts/install-deps.sh test installs them)" >&2
  exit 77
fi
: "${SIGNET_BIN:?set SIGNET_BIN to the signet binary}"
export CHROMIUM="$chromium"

# The locked playwright-core version installed? Else install exactly the lock file's tree.
lock_version() {
  node -p 'require(process.argv[1]).packages["node_modules/playwright-core"].version' \
    "$here/package-lock.json"
}
installed_version() {
  node -p 'require(process.argv[1]).version' \
    "$here/node_modules/playwright-core/package.json" 2>/dev/null || true
}
(
  flock 9
  if [ "$(lock_version)" != "$(installed_version)" ]; then
    echo "browser tests: npm ci in $here" >&2
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) >&2
  fi
) 9>"${TMPDIR:-/tmp}/signet-browser-npm-$(id -u).lock"

exec node --test --test-reporter=spec "$@"

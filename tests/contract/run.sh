#!/usr/bin/env bash
# Runs the Sign API contract test (docs/sign-api.md, "Contract test") with node's test runner,
# as ctest does:
#   tests/contract/run.sh tests/contract/sign-api.test.mjs
# Needs SIGNET_BIN (the signet binary) and SIGNET_SIGN_AS_SIGNER (tests/tools/sign_as_signer);
# ctest sets both, SIGNET_CONTRACT (default: ../shared/contracts/sign-api-v2.openapi.json beside
# the repository) and SIGNET_CORPUS. Installs ajv and ajv-formats into tests/contract/node_modules
# with `npm ci` when they are missing or package-lock.json changed (under a lock, so tests started
# in parallel install once). Exits 77 (ctest: skipped) only when node/npm is not installed
# (scripts/install-deps.sh test installs them).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "SKIP: node/npm not installed (scripts/install-deps.sh test installs them)" >&2
  exit 77
fi
: "${SIGNET_BIN:?set SIGNET_BIN to the signet binary}"
: "${SIGNET_SIGN_AS_SIGNER:?set SIGNET_SIGN_AS_SIGNER to the sign_as_signer test tool}"

# The locked versions installed? Else install exactly the lock file's tree.
versions() { # $1: lock | installed
  node -e '
    const [mode, dir] = process.argv.slice(1);
    const lock = require(dir + "/package-lock.json");
    const out = [];
    for (const name of Object.keys(lock.packages[""].dependencies)) {
      if (mode === "lock") out.push(name + "@" + lock.packages["node_modules/" + name].version);
      else {
        try { out.push(name + "@" + require(dir + "/node_modules/" + name + "/package.json").version); }
        catch { out.push(name + "@none"); }
      }
    }
    console.log(out.join(" "));' "$1" "$here"
}
(
  flock 9
  if [ "$(versions lock)" != "$(versions installed)" ]; then
    echo "contract tests: npm ci in $here" >&2
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) >&2
  fi
) 9>"${TMPDIR:-/tmp}/signet-contract-npm-$(id -u).lock"

exec node --test --test-reporter=spec "$@"

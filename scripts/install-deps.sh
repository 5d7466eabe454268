#!/usr/bin/env bash
# Installs the Debian 12 packages Signet needs to build, run and test, if any is missing.
# Usage: scripts/install-deps.sh [build|test]   (test adds the validators and test tools)
set -euo pipefail
build_pkgs=(build-essential cmake pkg-config libmicrohttpd-dev libjansson-dev libssl-dev
  libsqlite3-dev libpq-dev libcurl4-openssl-dev libmupdf-dev libmujs-dev libgumbo-dev
  libopenjp2-7-dev libjbig2dec0-dev libharfbuzz-dev libfreetype-dev libjpeg-dev zlib1g-dev
  libqrencode-dev # QR codes of the authenticator-app (TOTP) enrolment, src/core/qr.c
  libcbor-dev # CBOR of WebAuthn attestation objects and COSE keys (PASSKEY), src/pki/webauthn.c
  ca-certificates curl)
test_pkgs=(libcmocka-dev poppler-utils qpdf mupdf-tools libnss3-tools sqlite3 wrk
  clang libclang-rt-dev # clang + libclang-rt-dev: the libFuzzer runs (cmake/fuzz.cmake)
  chromium chromium-driver nodejs npm # browser and contract tests (tests/browser, tests/contract)
  postgresql) # the store tests on PostgreSQL (tests/postgres/with_postgres.sh, docs/postgres.md)
want=("${build_pkgs[@]}")
if [ "${1:-build}" = test ]; then want+=("${test_pkgs[@]}"); fi
missing=()
for p in "${want[@]}"; do
  # NodeSource's nodejs bundles npm (and conflicts with Debian's npm package).
  [ "$p" = npm ] && command -v npm >/dev/null 2>&1 && continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

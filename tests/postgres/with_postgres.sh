#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL cluster (docs/postgres.md, "Tests"):
#   tests/postgres/with_postgres.sh COMMAND [ARG...]
# initdb in a new temporary directory (trust authentication, Unix socket only, in that
# directory; no TCP port), pg_ctl -w start (waits until the server accepts connections),
# runs COMMAND with SIGNET_TEST_STORE=postgresql://signet@/postgres?host=DIR, then stops the
# cluster and removes the directory. Exits with COMMAND's status, or 77 (skipped) when the
# PostgreSQL server binaries are not installed (scripts/install-deps.sh test installs them).
# PostgreSQL refuses to run as root: as root the cluster runs as the "postgres" user that the
# Debian package creates (or, when it is missing, a system user "signet-pg" made here).
set -euo pipefail

bindir=""
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then bindir="$d"; break; fi
done
if [ -z "$bindir" ] && command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
  bindir="$(dirname "$(command -v initdb)")"
fi
if [ -z "$bindir" ]; then
  echo "with_postgres: PostgreSQL server binaries (initdb, pg_ctl) not found; skipped" >&2
  exit 77
fi

run_as=()
owner="$(id -un)"
if [ "$(id -u)" -eq 0 ]; then
  owner=postgres
  if ! id -u "$owner" >/dev/null 2>&1; then
    owner=signet-pg
    id -u "$owner" >/dev/null 2>&1 ||
      useradd --system --no-create-home --shell /usr/sbin/nologin "$owner"
  fi
  run_as=(runuser -u "$owner" --)
fi

dir="$(mktemp -d /tmp/signet-pg.XXXXXX)"
chmod 0755 "$dir"
[ "$(id -u)" -eq 0 ] && chown "$owner" "$dir"
started=0
cleanup() {
  if [ "$started" = 1 ]; then
    "${run_as[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT

# Run the server binaries from a directory the owner may enter (ctest's cwd may be private).
cd "$dir"
"${run_as[@]}" "$bindir/initdb" -D "$dir/data" -U signet -A trust -E UTF8 --locale=C.UTF-8 \
  --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
"${run_as[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=off \
      -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
started=1

export SIGNET_TEST_STORE="postgresql://signet@/postgres?host=$dir"
cd - >/dev/null
set +e
"$@"
rc=$?
set -e
if [ "$rc" -ne 0 ] && [ -f "$dir/server.log" ]; then
  echo "---- PostgreSQL server log (last 40 lines) ----" >&2
  tail -n 40 "$dir/server.log" >&2
fi
exit "$rc"

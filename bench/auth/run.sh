#!/usr/bin/env bash
# What checking a bearer token adds per request: wrk against GET /healthz (no auth, one SQLite
# ping) and GET /realms/signet/protocol/openid-connect/userinfo with a valid access token
# (token cache hit + revocation lookup in SQLite per request), at 1 and 16 connections.
# Writes the figures into bench/RESULTS.md (section "Token checking").
# Usage: bench/auth/run.sh [DURATION_SECONDS]   (SIGNET_BIN overrides build-c/signet)
set -euo pipefail
cd "$(dirname "$0")/../.."
dur=${1:-10}
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)"; exit 1; }
bin=${SIGNET_BIN:-build-c/signet}
[ -x "$bin" ] || { echo "build first: cmake --build build-c"; exit 1; }
data=$(mktemp -d /tmp/signet-bench-auth-XXXXXX)
out=$(mktemp)
org=$("$bin" admin org create --name Bench --data "$data" --log-level error --json |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
creds=$("$bin" admin client create --org "$org" --data "$data" --log-level error --json)
cid=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["client_id"])' "$creds")
secret=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["client_secret"])' "$creds")
"$bin" serve --listen 127.0.0.1:0 --data "$data" --log-level error >"$out" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data" "$out"' EXIT
port=""
for _ in $(seq 1 200); do
  port=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$out")
  [ -n "$port" ] && break
  kill -0 $pid || { echo "server died"; exit 1; }
  read -r -t 0.05 <> <(:) || true
done
[ -n "$port" ] || { echo "server did not start"; exit 1; }
base="http://127.0.0.1:$port"
token=$(curl -sf -u "$cid:$secret" -d grant_type=client_credentials \
        "$base/realms/signet/protocol/openid-connect/token" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
run() { # connections path [header]
  local c=$1 path=$2 threads=$(( $1 < 2 ? 1 : 2 ))
  if [ $# -ge 3 ]; then
    wrk -t"$threads" -c"$c" -d"${dur}s" --latency -H "$3" "$base$path"
  else
    wrk -t"$threads" -c"$c" -d"${dur}s" --latency "$base$path"
  fi
}
rows=""
for c in 1 16; do
  h=$(run "$c" /healthz)
  u=$(run "$c" /realms/signet/protocol/openid-connect/userinfo "Authorization: Bearer $token")
  grep -q "Non-2xx" <<<"$u" && { echo "userinfo answered errors:"; echo "$u"; exit 1; }
  hr=$(awk '/Requests\/sec/ {print $2}' <<<"$h"); ur=$(awk '/Requests\/sec/ {print $2}' <<<"$u")
  hl=$(awk '$1=="50%" {print $2}' <<<"$h"); ul=$(awk '$1=="50%" {print $2}' <<<"$u")
  hp=$(awk '$1=="99%" {print $2}' <<<"$h"); up=$(awk '$1=="99%" {print $2}' <<<"$u")
  busy=$(( c < $(nproc) ? c : $(nproc) )) # requests served at once
  added=$(python3 -c "print(f'{(1/$ur - 1/$hr)*1e6*$busy:.1f}')")
  printf '%2d conn: healthz %10s req/s (p50 %s, p99 %s)  userinfo %10s req/s (p50 %s, p99 %s)  +%s us/req\n' \
    "$c" "$hr" "$hl" "$hp" "$ur" "$ul" "$up" "$added"
  rows+="| $c | $hr | $hl / $hp | $ur | $ul / $up | $added |"$'\n'
done
cpu=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
section="## Token checking: GET /userinfo (bearer token) vs GET /healthz

Command: \`bench/auth/run.sh $dur\` (wrk, ${dur} s per row, log level error). Machine: $(nproc)
cores, ${cpu:-unknown CPU}; date $(date -u +%Y-%m-%d). The load generator shares the cores.
/healthz does one SQLite ping; /userinfo checks the bearer token (SHA-256 of the token, cache
hit, so no ECDSA verify after the first request) and looks the client up in SQLite
(revocation), then answers a small JSON body. \"added\" is the extra service time per request,
(1/rate_userinfo - 1/rate_healthz) x min(connections, cores).

| connections | healthz req/s | healthz p50 / p99 | userinfo req/s | userinfo p50 / p99 | added per request (us) |
| --- | --- | --- | --- | --- | --- |
${rows}"
file=bench/RESULTS.md
[ -f "$file" ] || printf '# Benchmark results\n\nEach section says the command that produced it.\n\n' >"$file"
python3 - "$file" "$section" <<'PY'
import sys, re
path, section = sys.argv[1], sys.argv[2]
text = open(path).read()
pat = re.compile(r"## Token checking:.*?(?=\n## |\Z)", re.S)
text = pat.sub(lambda m: section.rstrip() + "\n", text) if pat.search(text) else text.rstrip() + "\n\n" + section
open(path, "w").write(text)
PY
echo "written to $file"

#!/usr/bin/env bash
# Starts signet on a free port with a throw-away data dir and runs wrk for 10 s against
# /healthz at 1, 16 and 64 connections; prints requests/s and p99 latency and writes them into
# bench/RESULTS.md (section "HTTP core"). Usage: bench/http/run.sh [DURATION_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
dur=${1:-10}
command -v wrk >/dev/null || scripts/install-deps.sh test
bin=build/signet
[ -x "$bin" ] || make build
data=$(mktemp -d /tmp/signet-bench-XXXXXX)
out=$(mktemp)
"$bin" serve --listen 127.0.0.1:0 --data "$data" --log-level error >"$out" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data" "$out"' EXIT
# The server prints its port once the socket is bound; wait for that line.
port=""
for _ in $(seq 1 200); do
  port=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$out")
  [ -n "$port" ] && break
  kill -0 $pid || { echo "server died"; exit 1; }
  read -r -t 0.05 <> <(:) || true
done
[ -n "$port" ] || { echo "server did not start"; exit 1; }
rows=""
for c in 1 16 64; do
  threads=$(( c < 2 ? 1 : 2 ))
  res=$(wrk -t"$threads" -c"$c" -d"${dur}s" --latency "http://127.0.0.1:$port/healthz")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$res")
  p99=$(awk '$1=="99%" {print $2}' <<<"$res")
  printf '%3d connections: %10s req/s  p99 %s\n' "$c" "$rps" "$p99"
  rows+="| $c | $rps | $p99 |"$'\n'
done
cpu=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
section="## HTTP core: GET /healthz (SQLite ping per request)

Command: \`bench/http/run.sh $dur\` (wrk, ${dur} s per row, server with one worker thread per
core, log level error). Machine: $(nproc) cores, ${cpu:-unknown CPU}; date $(date -u +%Y-%m-%d).
The load generator runs on the same two cores as the server.

| connections | requests/s | p99 latency |
| --- | --- | --- |
${rows}"
file=bench/RESULTS.md
[ -f "$file" ] || printf '# Benchmark results\n\nEach section says the command that produced it.\n\n' >"$file"
python3 - "$file" "$section" <<'PY' 2>/dev/null || { echo "$section" >>"$file"; }
import sys, re
path, section = sys.argv[1], sys.argv[2]
text = open(path).read()
pat = re.compile(r"## HTTP core:.*?(?=\n## |\Z)", re.S)
text = pat.sub(lambda m: section.rstrip() + "\n", text) if pat.search(text) else text.rstrip() + "\n\n" + section
open(path, "w").write(text)
PY
echo "written to $file"

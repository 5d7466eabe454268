#!/usr/bin/env bash
# Scaling figures (issue 8): the Sign API's create → attach → release → status (the wrk
# scripts of bench/sign-api, not copies) on three configurations, each on a fresh database:
#   SQLite, 1 node          one `signet serve` on its data directory's signet.db
#   PostgreSQL, 1 node      one `signet serve --store postgresql://…` on a database of its own
#   PostgreSQL, 2 nodes     two `signet serve` processes on one database (docs/SCALING.md: data
#                           directories of their own, the same --store, --master-key-file,
#                           --documents database and --public-url), each driven by a wrk of its
#                           own at the same time, as a round-robin balancer would split the load
# Every node runs with --documents database and --public-url http://signet.bench.test. Per
# node: create with BENCH_CONNS connections (default 8, 2 wrk threads); attach and release with
# as many threads as connections (pool.lua: one connection per thread), each process once;
# status round the released processes. With two nodes the pool that both nodes created is
# merged and split between them line by line (each node attaches to and releases processes
# created on either node, none twice), and both read the whole released pool. A row's req/s is
# all nodes' answered requests over the longest time a node ran (summed rate); p50 and p99 are
# the worse of the nodes'.
# PostgreSQL: the measurement runs inside tests/postgres/with_postgres.sh (a throwaway cluster,
# fsync off, Unix socket only), which sets SIGNET_TEST_STORE; each PostgreSQL configuration
# gets a database of its own (CREATE DATABASE) on that cluster.
# Writes the figures into bench/RESULTS.md (section "Scaling: SQLite and PostgreSQL, one and
# two nodes"). Requests answered with a non-2xx status or lost to a socket error are counted:
# the cell says "N failed", the section and stderr show what the nodes logged for them, and the
# script exits 1 (after measuring every configuration). Not part of `make test`.
# Usage: bench/scaling/run.sh [DURATION_SECONDS]   (default 10 s per cell)
#   BUILD overrides the build directory (default build); BENCH_CONNS the connections per node;
#   BENCH_KEEP=1 keeps the temporary directory (pools, wrk outputs, server logs).
#   Needs wrk (LuaJIT), curl, python3, psql and the PostgreSQL server binaries
#   (scripts/install-deps.sh test).
set -euo pipefail
cd "$(dirname "$0")/../.."
dur=${1:-10}
build=${BUILD:-build}
conns=${BENCH_CONNS:-8}

# Outside the PostgreSQL wrapper: check the tools, build, note the load, and run this script
# again inside tests/postgres/with_postgres.sh.
if [ -z "${BENCH_SCALING_INNER:-}" ]; then
  for tool in wrk curl python3 psql; do
    command -v $tool >/dev/null || { echo "$tool is missing"; exit 1; }
  done
  cmake --build "$build" --target signet -j2 >/dev/null
  rc=0
  BENCH_SCALING_INNER=1 BENCH_LOAD=$(cut -d' ' -f1-3 /proc/loadavg) \
    tests/postgres/with_postgres.sh "$PWD/bench/scaling/run.sh" "$@" || rc=$?
  if [ "$rc" -eq 77 ]; then
    echo "PostgreSQL server binaries are missing (scripts/install-deps.sh test)" >&2
    exit 1
  fi
  exit "$rc"
fi

[ -n "${SIGNET_TEST_STORE:-}" ] || { echo "SIGNET_TEST_STORE is not set" >&2; exit 1; }
bin=$build/signet
load=${BENCH_LOAD:-$(cut -d' ' -f1-3 /proc/loadavg)}
public_url=http://signet.bench.test
tmp=$(mktemp -d /tmp/signet-bench-scaling-XXXXXX)
pids=()
stop_nodes() {
  local p
  for p in ${pids[@]+"${pids[@]}"}; do
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  pids=()
}
trap 'stop_nodes; [ -n "${BENCH_KEEP:-}" ] && echo "kept $tmp" || rm -rf "$tmp"' EXIT
json() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

# start_node NAME DATA [OPTION...]: a node on a free port; appends its pid to pids and its
# address to bases.
bases=()
start_node() {
  local name=$1 data=$2 out=$tmp/$1.out port="" pid
  shift 2
  mkdir -p "$data"
  : >"$out" # exists before the server's shell gets to its redirection
  "$bin" serve --listen 127.0.0.1:0 --data "$data" --log-level error --documents database \
    --public-url "$public_url" "$@" >"$out" 2>"$out.err" &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 1 400); do
    port=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$out")
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || { echo "node $name died:" >&2; cat "$out.err" >&2; exit 1; }
    read -r -t 0.05 <> <(:) || true
  done
  [ -n "$port" ] || { echo "node $name did not start" >&2; exit 1; }
  bases+=("http://127.0.0.1:$port")
}

create_body=$tmp/create.json
cat >"$create_body" <<'JSON'
{"signatureLevel":"SIMPLE","initiator":{"type":"NON_PERSON","externalIdentifier":"ext-systems_oms-42","name":"Swisscom Sign Orchestrator"},"invitees":{"signers":[{"type":"SIGNER","externalIdentifier":"crm-4711","firstName":"John","lastName":"Doe","email":"john.doe@example.com"}]}}
JSON
attach_body=$tmp/attach.json
python3 - web/samples/sample.pdf "$attach_body" <<'PY'
import base64, json, sys
data = open(sys.argv[1], "rb").read()
body = {"name": "bench.pdf", "contentType": "application/pdf",
        "content": base64.b64encode(data).decode(),
        "signaturePositions": [{"signer": "crm-4711", "locator": "COORDINATES",
                                "pageNumber": 0, "positionX": 100, "positionY": 100}]}
open(sys.argv[2], "w").write(json.dumps(body))
PY
one_page=$(stat -c %s web/samples/sample.pdf)
release_body=$tmp/release.json
echo '{}' >"$release_body"

# summarize OP [OUTPUT STOP_PREFIX THREADS]...: one wrk output per node (STOP_PREFIX "-" when
# the run cannot stop early). Prints three lines: "req/s | p50 / p99 |" (req/s followed by the
# number of failed requests when there were any), the per-node req/s, and the number of
# requests that got a non-2xx answer or a socket error (0 when none).
summarize() {
  python3 - "$dur" "$@" <<'PY'
import glob, re, sys
dur, op, args = float(sys.argv[1]), sys.argv[2], sys.argv[3:]
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}
def ms(text):
    m = re.fullmatch(r"([0-9.]+)(us|ms|s|m|h)", text)
    if not m:
        sys.exit(f"{op}: cannot read the latency {text!r}")
    return float(m.group(1)) * UNITS[m.group(2)]
total, longest, early, p50, p99, per_node, failed = 0, 0.0, False, 0.0, 0.0, [], 0
for i in range(0, len(args), 3):
    path, prefix, threads = args[i], args[i + 1], int(args[i + 2])
    out = open(path).read()
    m = re.search(r"(\d+) requests in ([0-9.]+)(s|m)", out)
    if not m:
        sys.stderr.write(f"{op}: no figures from wrk on node {i // 3 + 1}:\n{out}")
        sys.exit(1)
    n, secs = int(m.group(1)), float(m.group(2)) * (60 if m.group(3) == "m" else 1)
    bad = sum(int(x) for x in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    bad += sum(int(x) for x in sock.groups()) if sock else 0
    if bad:
        sys.stderr.write(f"{op}: {bad} failed requests on node {i // 3 + 1}:\n{out}")
    failed += bad
    stops = glob.glob(prefix + ".stop.*") if prefix != "-" else []
    if threads and len(stops) == threads:
        # Every thread used up its processes before the end: the time they ran.
        secs, early = max(float(open(s).read()) for s in stops), True
    total, longest = total + n, max(longest, secs)
    per_node.append(f"{n / secs:.0f}")
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    p50, p99 = max(p50, ms(lat["50"])), max(p99, ms(lat["99"]))
mark = f" (**{failed} failed**)" if failed else ""
print(f"{total / longest:.2f}{'*' if early else ''}{mark} | {p50:.2f}ms / {p99:.2f}ms |")
print(" + ".join(per_node))
print(failed)
PY
}

# merge PREFIX NODES: the ids the threads of every node wrote, in one file; prints the count.
merge() {
  local i
  : >"$1"
  for i in $(seq 1 "$2"); do cat "$1.$i".[0-9]* >>"$1"; done
  wc -l <"$1"
}

# run OP: waits for the wrk of every node (pids in measure's pidsw, outputs $p.OP.N.out);
# stops the script when a wrk failed.
run() {
  local w
  for w in "${pidsw[@]}"; do
    wait "$w" || { echo "$1: wrk failed" >&2; cat "$p.$1".*.out >&2; exit 1; }
  done
  pidsw=()
}

# measure NAME LABEL NODES [SERVE_OPTION...]: the four operations on NODES fresh nodes (node 1
# on data directory d1, the others sharing its database and master key); appends a table row.
rows="" counts="" details="" errors=""
measure() {
  local name=$1 label=$2 nn=$3 i org creds cid secret token p=$tmp/pool-$1 pidsw=() args=() \
    created attached released c_cr c_at c_rl c_st cells bad
  shift 3
  bases=()
  start_node "$name-1" "$tmp/$name-d1" "$@"
  org=$("$bin" admin org create --name Bench --data "$tmp/$name-d1" "$@" --log-level error \
        --json 2>>"$tmp/admin.log" | json id)
  creds=$("$bin" admin client create --org "$org" --scopes "sswp:process:create sswp:process:read" \
          --data "$tmp/$name-d1" "$@" --log-level error --json 2>>"$tmp/admin.log")
  cid=$(json client_id <<<"$creds")
  secret=$(json client_secret <<<"$creds")
  for i in $(seq 2 "$nn"); do
    start_node "$name-$i" "$tmp/$name-d$i" "$@" --master-key-file "$tmp/$name-d1/master.key"
  done
  # One token, from node 1, for every node (the same issuer: --public-url).
  token=$(curl -sf -u "$cid:$secret" -d grant_type=client_credentials \
          "${bases[0]}/realms/signet/protocol/openid-connect/token" | json access_token)

  for i in $(seq 1 "$nn"); do
    BENCH_BODY=$create_body BENCH_TOKEN=$token BENCH_OUT=$p.created.$i \
      wrk -t2 -c"$conns" -d"${dur}s" --timeout 10s --latency -s bench/sign-api/post.lua \
      "${bases[i - 1]}/system/api/process" >"$p.create.$i.out" 2>&1 &
    pidsw+=($!)
  done
  run create
  created=$(merge "$p.created" "$nn")
  [ "$created" -ge $((nn * conns)) ] || { echo "$name: only $created processes created" >&2; exit 1; }
  # Line by line: every node gets processes created on every node.
  for i in $(seq 1 "$nn"); do awk -v n="$nn" -v i="$i" 'NR % n == i % n' "$p.created" >"$p.created.for$i"; done
  for i in $(seq 1 "$nn"); do
    BENCH_IN=$p.created.for$i BENCH_THREADS=$conns BENCH_METHOD=POST \
      BENCH_PATH="/system/api/process/{id}/attach" BENCH_BODY=$attach_body BENCH_TOKEN=$token \
      BENCH_OK=201 BENCH_OUT=$p.attached.$i \
      wrk -t"$conns" -c"$conns" -d"${dur}s" --timeout 10s --latency -s bench/sign-api/pool.lua \
      "${bases[i - 1]}" >"$p.attach.$i.out" 2>&1 &
    pidsw+=($!)
  done
  run attach
  attached=$(merge "$p.attached" "$nn")
  [ "$attached" -ge $((nn * conns)) ] || { echo "$name: only $attached processes attached to" >&2; exit 1; }
  for i in $(seq 1 "$nn"); do awk -v n="$nn" -v i="$i" 'NR % n == i % n' "$p.attached" >"$p.attached.for$i"; done
  for i in $(seq 1 "$nn"); do
    BENCH_IN=$p.attached.for$i BENCH_THREADS=$conns BENCH_METHOD=POST \
      BENCH_PATH="/system/api/process/{id}/release" BENCH_BODY=$release_body BENCH_TOKEN=$token \
      BENCH_OK=200 BENCH_OUT=$p.released.$i \
      wrk -t"$conns" -c"$conns" -d"${dur}s" --timeout 10s --latency -s bench/sign-api/pool.lua \
      "${bases[i - 1]}" >"$p.release.$i.out" 2>&1 &
    pidsw+=($!)
  done
  run release
  released=$(merge "$p.released" "$nn")
  [ "$released" -ge 2 ] || { echo "$name: only $released processes released" >&2; exit 1; }
  for i in $(seq 1 "$nn"); do
    BENCH_IN=$p.released BENCH_THREADS=2 BENCH_METHOD=GET BENCH_WRAP=1 \
      BENCH_PATH="/system/api/process/{id}/status" BENCH_TOKEN=$token \
      wrk -t2 -c"$conns" -d"${dur}s" --timeout 10s --latency -s bench/sign-api/pool.lua \
      "${bases[i - 1]}" >"$p.status.$i.out" 2>&1 &
    pidsw+=($!)
  done
  run status
  stop_nodes

  # One assignment each, so that set -e stops when wrk gave no figures.
  args=(); for i in $(seq 1 "$nn"); do args+=("$p.create.$i.out" - 0); done
  c_cr=$(summarize create "${args[@]}")
  args=(); for i in $(seq 1 "$nn"); do args+=("$p.attach.$i.out" "$p.attached.$i" "$conns"); done
  c_at=$(summarize attach "${args[@]}")
  args=(); for i in $(seq 1 "$nn"); do args+=("$p.release.$i.out" "$p.released.$i" "$conns"); done
  c_rl=$(summarize release "${args[@]}")
  args=(); for i in $(seq 1 "$nn"); do args+=("$p.status.$i.out" - 0); done
  c_st=$(summarize status "${args[@]}")
  cells=" $(line 1 "$c_cr") $(line 1 "$c_at") $(line 1 "$c_rl") $(line 1 "$c_st")"
  printf '%s:%s\n' "$label" "$cells"
  rows+="| $label |$cells"$'\n'
  counts+="$label: $created created, $attached attached to, $released released. "
  if [ "$nn" -gt 1 ]; then
    details+="$label, req/s of node 1 + node 2: create $(line 2 "$c_cr"), attach $(line 2 "$c_at"), \
release $(line 2 "$c_rl"), status $(line 2 "$c_st"). "
  fi
  bad=$(( $(line 3 "$c_cr") + $(line 3 "$c_at") + $(line 3 "$c_rl") + $(line 3 "$c_st") ))
  if [ "$bad" -gt 0 ]; then
    # What the nodes logged for the failed requests (ids left out), most frequent first.
    errors+="$label: $bad failed requests; the nodes logged:"$'\n'
    errors+=$(sed -n 's/.*ERROR request [^ ]* \([A-Z]*\) [^ ]*\/\([a-z]*\): \(.*\)/\1 …\/\2: \3/p' \
              "$tmp/$name"-*.out.err | sort | uniq -c | sort -rn | head -5)$'\n'
  fi
}
line() { sed -n "$1p" <<<"$2"; } # line N TEXT

# A database of its own on the throwaway cluster: its URL.
pg_database() {
  psql -q -X -v ON_ERROR_STOP=1 "$SIGNET_TEST_STORE" -c "CREATE DATABASE $1" >/dev/null
  sed "s#/postgres?#/$1?#" <<<"$SIGNET_TEST_STORE"
}

measure sqlite1 "SQLite, 1 node" 1
measure pg1 "PostgreSQL, 1 node" 1 --store "$(pg_database bench_pg1)"
measure pg2 "PostgreSQL, 2 nodes" 2 --store "$(pg_database bench_pg2)"
echo "$counts"
[ -z "$details" ] || echo "$details"
error_note=""
if [ -n "$errors" ]; then
  echo "FAILED REQUESTS (non-2xx answers or socket errors):" >&2
  echo "$errors" >&2
  error_note="**This run had failed requests** (non-2xx answers or socket errors; the script exits
with status 1): a cell marked \"failed\" counts them in its req/s and latencies. The nodes logged:

\`\`\`
${errors%$'\n'}
\`\`\`
"
fi

pg_version=$(psql -X -At "$SIGNET_TEST_STORE" -c 'SHOW server_version' | cut -d' ' -f1)
cpu=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
section="## Scaling: SQLite and PostgreSQL, one and two nodes

Command: \`${BUILD:+BUILD=$build }${BENCH_CONNS:+BENCH_CONNS=$conns }bench/scaling/run.sh $dur\`
(wrk, ${dur} s per cell, $conns connections per node). Machine: $(nproc) cores,
${cpu:-unknown CPU}; PostgreSQL $pg_version; date $(date -u +%Y-%m-%d). Load average $load
when the run started: other work (builds, tests) was running on the machine, and wrk, the
nodes and PostgreSQL all share its cores, so the figures are noisy.

- Each configuration starts on a fresh database: SQLite in the node's data directory (WAL,
  synchronous=NORMAL); PostgreSQL a database of its own on the throwaway cluster of
  tests/postgres/with_postgres.sh (Unix socket; fsync, synchronous_commit and
  full_page_writes off, so neither engine waits for the disk on a commit). Every node runs
  with \`--documents database\` and one \`--public-url\`; the two nodes have data directories of
  their own and share the database and the master key file (docs/SCALING.md).
- The operations are those of \"Sign API\" above, with the wrk scripts of bench/sign-api:
  create (the contract's sample body 1), attach (web/samples/sample.pdf, $one_page bytes, once
  per created process, one connection per wrk thread), release (\`{}\`, once per attached
  process), status (round the released processes). A figure with * is the rate over the time
  the threads ran before the processes ran out.
- Two nodes: one wrk per node at the same time, as a round-robin balancer would split the
  load. The processes both nodes created are merged and split line by line, so each node
  attaches to and releases processes created on either node; one token (from node 1) is used
  on both. req/s is the nodes' answered requests together over the longer of their run
  times; p50 and p99 are the worse node's.
- **On this 2-core machine two nodes share the same cores** (with wrk and PostgreSQL): the
  two-node row shows what coordinating through one database costs, not added capacity. More
  capacity needs nodes on machines of their own.

| configuration | create req/s | create p50 / p99 | attach req/s | attach p50 / p99 | release req/s | release p50 / p99 | status req/s | status p50 / p99 |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows}
Processes: ${counts% }

${details% }

${error_note}"
file=bench/RESULTS.md
python3 - "$file" "$section" <<'PY'
import sys, re
path, section = sys.argv[1], sys.argv[2]
text = open(path).read()
pat = re.compile(r"## Scaling: SQLite and PostgreSQL.*?(?=\n## |\Z)", re.S)
text = pat.sub(lambda m: section.rstrip() + "\n", text) if pat.search(text) else text.rstrip() + "\n\n" + section
open(path, "w").write(text)
PY
echo "written to $file"
[ -z "$errors" ] || { echo "failed requests: see above and $file" >&2; exit 1; }

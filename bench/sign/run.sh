#!/usr/bin/env bash
# PAdES signing throughput (issue 5): signatures per second at B-T with the built-in TSA for a
# one-page PDF (2 threads = the 2 cores), one signature of a 10 MB and a 40 MB PDF with the
# time per step and the peak memory. Prints the lines for bench/RESULTS.md ("Signing").
# Usage: bench/sign/run.sh [SECONDS]   (BUILD overrides the build directory, default build)
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-10}
build=${BUILD:-build}
cmake --build "$build" --target bench_sign -j2 >/dev/null
b="$build/bench_sign"
tmp=$(mktemp -d /tmp/signet-bench-sign-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
"$b" make "$tmp/10mb.pdf" 10
"$b" make "$tmp/40mb.pdf" 40
echo "1-page PDF (web/samples/sample.pdf), B-T, 1 thread:  $("$b" rate web/samples/sample.pdf "$secs" 1 B-T)"
echo "1-page PDF (web/samples/sample.pdf), B-T, 2 threads: $("$b" rate web/samples/sample.pdf "$secs" 2 B-T)"
echo "1-page PDF, B-LTA (DSS + document time stamp), 2 threads: $("$b" rate web/samples/sample.pdf "$secs" 2 B-LTA)"
echo "10 MB PDF, B-T, one signature: $("$b" once "$tmp/10mb.pdf" B-T)"
echo "40 MB PDF, B-T, one signature: $("$b" once "$tmp/40mb.pdf" B-T)"

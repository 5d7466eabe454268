#!/bin/sh
# Runs one libFuzzer binary for a bounded time from a seed corpus; ctest's fuzz_* tests call
# it (see docs/pdf.md, "Fuzzing"). Usage: fuzz/run.sh FUZZER SEED_DIR WORK_DIR SECONDS [DICT]
# DICT: a libFuzzer dictionary (tokens the mutator inserts), e.g. fuzz/json.dict.
# New interesting inputs go to WORK_DIR/corpus (the seed directory may be read-only) and are
# kept for the next run; a crash, leak or timeout leaves its input in WORK_DIR and fails.
set -eu
if [ $# -ne 4 ] && [ $# -ne 5 ]; then
  echo "usage: $0 FUZZER SEED_DIR WORK_DIR SECONDS [DICT]" >&2
  exit 2
fi
fuzzer=$1 seeds=$2 work=$3 seconds=$4
[ -d "$seeds" ] || { echo "no seed directory $seeds" >&2; exit 2; }
if [ $# -eq 5 ]; then
  [ -f "$5" ] || { echo "no dictionary $5" >&2; exit 2; }
  set -- "-dict=$5"
else
  set --
fi
mkdir -p "$work/corpus"
exec "$fuzzer" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 -artifact_prefix="$work/" "$@" "$work/corpus" "$seeds"

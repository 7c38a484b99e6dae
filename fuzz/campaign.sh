#!/usr/bin/env bash
# Fuzzes each target given until it has used CPU_SECONDS of CPU time (user + system, measured by
# /usr/bin/time), however loaded the machine: libFuzzer's -max_total_time counts wall time, so a
# target is restarted for the CPU time still missing. New units go to WORK/<target>/scratch, not
# into the committed corpus; crashes to WORK/<target>/artifacts. Minimize afterwards with
# `-set_cover_merge=1 -use_counters=0` (docs/fuzzing.md).
#
#   cd fuzz && cargo +nightly fuzz build -s none -a --release
#   CPU_SECONDS=630 WORK=/tmp/fuzz ./campaign.sh request envelope   # one lane; run two on two cores
set -euo pipefail
cd "$(dirname "$0")"
bin=target/x86_64-unknown-linux-gnu/release
cpu_seconds=${CPU_SECONDS:-630}
work=${WORK:?set WORK to a scratch directory}
for t in "$@"; do
  d=$work/$t
  mkdir -p "$d/scratch" "$d/artifacts"
  extra=()
  case $t in ptau) extra=(-max_len=16384) ;; proving_key) extra=(-max_len=8192) ;; esac
  used=0 i=0
  while [ "$used" -lt "$cpu_seconds" ] && [ "$i" -lt 20 ]; do
    i=$((i + 1))
    RAYON_NUM_THREADS=1 nice -n 10 /usr/bin/time -v -o "$d/time.$i" "$bin/$t" "$d/scratch" "corpus/$t" \
      -max_total_time=$((cpu_seconds - used + 30)) -rss_limit_mb=2048 -timeout=10 "${extra[@]}" \
      -artifact_prefix="$d/artifacts/" -print_final_stats=1 > "$d/log.$i" 2>&1 || true
    used=$(awk '/User time|System time/ {s += $NF} END {printf "%d", s}' "$d"/time.*)
    echo "$t: run $i, $used CPU-seconds"
  done
done

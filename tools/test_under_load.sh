#!/usr/bin/env bash
# The busy-machine check of docs/ARCHITECTURE.md, 7: `make test` on fresh clones of HEAD, RUNS
# times, with `stress-ng --cpu <cores>` keeping every core busy beside them.
# Prints one line per run (passed/failed, minutes) and keeps each run's log in OUT.
#   tools/test_under_load.sh [RUNS] [OUT] [AT_ONCE]   (needs stress-ng: apt-get install stress-ng)
# AT_ONCE (default 1) runs that many clones side by side, each one load for the others: a heavier
# machine than stress-ng alone, and five runs fit in the time of two. Each clone then gets its own
# PostgreSQL database (<name>_ul<run>, made beside ENLACE_TEST_DATABASE_URL's) and its own Redis
# database (14, 13, …), so that no two suites share data.
set -uo pipefail
runs=${1:-5}
out=${2:-/tmp/enlace-under-load}
at_once=${3:-1}
repo=$(git rev-parse --show-toplevel)
commit=$(git -C "$repo" rev-parse --short HEAD)
base_url=${ENLACE_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}
mkdir -p "$out"
stress-ng --cpu "$(nproc)" --quiet &
stress=$!
trap 'kill $stress 2>/dev/null; kill $(jobs -p) 2>/dev/null' EXIT
echo "commit $commit, $runs runs, $at_once at once, stress-ng --cpu $(nproc) beside, logs in $out"

one_run() {
  local run=$1 clone url redis started took result summary
  clone=$(mktemp -d)
  git clone -q "$repo" "$clone/enlace"
  git -C "$clone/enlace" checkout -q "$commit"
  url=$base_url
  redis=redis://127.0.0.1:6379/15
  if [ "$at_once" -gt 1 ]; then
    url="${base_url%/*}/${base_url##*/}_ul$run"
    redis="redis://127.0.0.1:6379/$((15 - run))"
    psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE \"${url##*/}\"" 2>/dev/null || true
  fi
  started=$(date +%s)
  if (cd "$clone/enlace" && CI=true ENLACE_TEST_DATABASE_URL="$url" \
      ENLACE_TEST_REDIS_URL="$redis" make test) >"$out/run-$run.log" 2>&1; then
    result=passed
  else
    result=FAILED
  fi
  took=$(( $(date +%s) - started ))
  summary=$(grep -E "^=+ .*(passed|failed|error).* in " "$out/run-$run.log" | tail -1)
  printf 'run %d: %s in %d min %02d s (started %s) — %s\n' "$run" "$result" $((took / 60)) \
    $((took % 60)) "$(date -d "@$started" +%H:%M:%S)" "$summary" | tee -a "$out/summary.txt"
  rm -rf "$clone"
}

for run in $(seq 1 "$runs"); do
  while [ "$(jobs -rp | grep -vc "^$stress$")" -ge "$at_once" ]; do wait -n; done
  one_run "$run" &
done
while [ "$(jobs -rp | grep -vc "^$stress$")" -gt 0 ]; do wait -n; done
uptime | tee -a "$out/summary.txt"

#!/usr/bin/env bash
# The busy-machine check of docs/ARCHITECTURE.md, 7: `make test` on fresh clones of HEAD, RUNS
# times one after the other, with `stress-ng --cpu <cores>` keeping every core busy beside it.
# Prints one line per run (passed/failed, minutes) and keeps each run's log in OUT.
#   tools/test_under_load.sh [RUNS] [OUT]      (needs stress-ng: apt-get install stress-ng)
set -uo pipefail
runs=${1:-5}
out=${2:-/tmp/enlace-under-load}
repo=$(git rev-parse --show-toplevel)
commit=$(git -C "$repo" rev-parse --short HEAD)
mkdir -p "$out"
stress-ng --cpu "$(nproc)" --quiet &
stress=$!
trap 'kill $stress 2>/dev/null' EXIT
echo "commit $commit, $runs runs, stress-ng --cpu $(nproc) beside each, logs in $out"
for run in $(seq 1 "$runs"); do
  clone=$(mktemp -d)
  git clone -q "$repo" "$clone/enlace"
  git -C "$clone/enlace" checkout -q "$commit"
  started=$(date +%s)
  if (cd "$clone/enlace" && CI=true \
      ENLACE_TEST_DATABASE_URL="${ENLACE_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}" \
      make test) >"$out/run-$run.log" 2>&1; then
    result=passed
  else
    result=FAILED
  fi
  took=$(( $(date +%s) - started ))
  summary=$(grep -E "^=+ .*(passed|failed|error).* in " "$out/run-$run.log" | tail -1)
  printf 'run %d: %s in %d min %02d s — %s\n' "$run" "$result" $((took / 60)) $((took % 60)) "$summary" | tee -a "$out/summary.txt"
  rm -rf "$clone"
done

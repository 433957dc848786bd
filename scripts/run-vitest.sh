#!/usr/bin/env bash
# One vitest run, then the summary line: bash scripts/run-vitest.sh PASSED FAILED [vitest args]
# (PASSED and FAILED: the other checks' counts). A test file whose worker
# process crashed (killed by a signal: Node itself failed, no test did) is
# run once more alone, and said so, with what the dead process printed; at
# most three files, more is a broken run.
set -uo pipefail
cd "$(dirname "$0")/.."
checks_passed=$1
checks_failed=$2
shift 2
report=$(mktemp)
stderr_log=$(mktemp)
rerun=''
trap 'rm -f "$report" "$stderr_log" ${rerun:+"$rerun"}' EXIT
# Standard error is also kept: it names a crashed worker's file and holds what the process printed.
{ npx vitest run --reporter=default --reporter=json --outputFile="$report" "$@" 2>&1 1>&3 | tee "$stderr_log" >&2; } 3>&1
mapfile -t crashed < <(node scripts/summary.mjs --crashed "$report" "$stderr_log")
if [ ${#crashed[@]} -gt 0 ]; then
  echo "── re-running alone: ${crashed[*]}" >&2
  rerun=$(mktemp)
  npx vitest run --reporter=default --reporter=json --outputFile="$rerun" "$@" "${crashed[@]}"
fi
node scripts/summary.mjs "$report" "$checks_passed" "$checks_failed" $rerun

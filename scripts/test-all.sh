#!/usr/bin/env bash
# Runs every suite: formatting and lint, type checks, then unit, integration
# and end-to-end tests in one vitest run (scripts/run-vitest.sh). Ends with
# one line `N passed, N failed` (each check counts as one, each test as one)
# and fails if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
checks_passed=0
checks_failed=0
check() {
  local name=$1; shift
  echo "── $name" >&2
  if "$@"; then checks_passed=$((checks_passed + 1)); else checks_failed=$((checks_failed + 1)); echo "FAILED: $name" >&2; fi
}
check "lint and format (biome)" npx biome ci .
check "types (tsc, svelte-check)" npm run typecheck --silent
exec bash scripts/run-vitest.sh "$checks_passed" "$checks_failed"

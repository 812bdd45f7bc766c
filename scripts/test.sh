#!/usr/bin/env bash
# The test suite: set-up, typecheck, then every test file (unit tests, notebooks executed headless, CLI runs).
# Extra arguments select test files by substring: scripts/test.sh io/ dynamics
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh --test
echo "[test] typecheck (tsc --noEmit)" >&2
npx tsc --noEmit -p tsconfig.json
node scripts/run-tests.cjs "$@"

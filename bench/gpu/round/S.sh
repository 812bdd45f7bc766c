#!/usr/bin/env bash
# Helper S's step of a GPU round (bench/gpu/round.sh): split-float16 float32 products (src/backend-webgpu-split.ts) as
# the default of the float32 forward and of recording. Session 7, round 4 (<= 45 s, confirm only; the lead's
# end-of-session check measures the forward and recording): the split test (GPU's split vs the host's bit for bit,
# accuracy bars, pieces == whole, 2 parts vs 3, residency, tiny-neox with split-all) and the record/stream test with
# every product split (split-all). Each under its own timeout within ROUND_BUDGET_S (default 44 s).
set -uo pipefail
budget=${ROUND_BUDGET_S:-44}
left() { echo $(( budget - SECONDS )); }
step() { local t=$1; shift; local l; l=$(left); (( l > 5 )) || { echo "skipped (budget): $*" >&2; return 0; }; (( t < l )) || t=$l; timeout "$t" "$@"; }
J=.gpu-rec/js
tst() { step "$1" node --test --test-reporter=spec "$J/test/$2.test.js" 2>&1 | quiet > "$OUT/$3.log"; echo "$2 ($3): $(grep -E '^ℹ (pass|fail)' "$OUT/$3.log" | tr '\n' ' ')"; grep -E '^✖|AssertionError' "$OUT/$3.log" | cut -c1-200 | head -4; }
tst 22 backend/webgpu-split split-test
MASSIVE_WEBGPU_F32_PRODUCT=split-all tst 20 record/stream stream-split-all
echo "S step done in ${SECONDS} s"

#!/usr/bin/env bash
# Helper H's step of a GPU round (bench/gpu/round.sh), R4 (confirmation, <= 45 s): auto now takes the products
# attention for heads of >= 64 dims (ea43e7f, from R3's A/B: 70m float16 708k/710k/614k tokens/s against the float32
# flash kernel's 601k/593k/624k). The 70m float16 forward with the new default twice and with
# MASSIVE_WEBGPU_ATTENTION_F16=off once, alternated; the attention-tc cases of the mode and the float16 context.
set -uo pipefail
budget=${ROUND_BUDGET_S:-42}
step() { local t=$1; shift; local l=$(( budget - SECONDS )); (( l > 5 )) || { echo "skipped (budget): $*"; return 0; }; (( t < l )) || t=$l; timeout "$t" "$@"; }
J=.gpu-rec/js
fwd() { local tag=$1; shift; step 12 env "$@" node $J/bench/gpu/forward.js --shapes 70m --compute float16 --reps 8 --tag "$tag" 2>&1 | quiet > "$OUT/forward-$tag.log"; echo "$tag: $(grep -E '^70m|rror' "$OUT/forward-$tag.log" | cut -c1-110)"; }
fwd default-1 -u MASSIVE_WEBGPU_ATTENTION_F16
fwd flash MASSIVE_WEBGPU_ATTENTION_F16=off
fwd default-2 -u MASSIVE_WEBGPU_ATTENTION_F16
step 15 node --test --test-reporter=spec --test-name-pattern='with half writes|float16 attention mode' $J/test/backend/webgpu-attention-tc.test.js 2>&1 | quiet > "$OUT/attention-tc-test.log"
echo "attention-tc test (mode, float16 context): $(grep -E '^ℹ (pass|fail)' "$OUT/attention-tc-test.log" | tr '\n' ' ')"; grep -E '^✖|AssertionError' "$OUT/attention-tc-test.log" | cut -c1-200 | head -4
echo "H step done in ${SECONDS} s"

#!/usr/bin/env bash
# Helper F's step of a GPU round (bench/gpu/round.sh), <= 105 s (the lead's 110): the two-pass float16 flash
# attention on the tensor cores (src/backend-webgpu-attention-f16.ts, MASSIVE_WEBGPU_ATTENTION_F16=flash-experimental).
#   1. its device test (smallest cases first; on a failure the FAILED lines locate rows, dims and values);
#   2. the attention alone per 5 x 2048 pass (bench/gpu/attention-f16.ts: 70m and 1b, float32 flash / float16
#      flash / products, wall and GPU time, every tile);
#   3. the 70m float16 forward (forward.js --compute float16) with it and without it (the default), alternated.
# Details in $OUT; a short summary on stdout.
set -uo pipefail
budget=${ROUND_BUDGET_S:-105}
step() { local t=$1; shift; local l=$(( budget - SECONDS )); (( l > 5 )) || { echo "skipped (budget): $*"; return 0; }; (( t < l )) || t=$l; timeout "$t" "$@"; }
J=.gpu-rec/js
export MASSIVE_WEBGPU_ATTENTION_F16=flash-experimental
step 40 node --test --test-reporter=spec $J/test/backend/webgpu-attention-f16.test.js 2>&1 | quiet > "$OUT/test.log"
echo "f16 flash test: $(grep -E '^ℹ (pass|fail)' "$OUT/test.log" | tr '\n' ' ')"
grep -E 'max \|fused - composite\|' "$OUT/test.log" | sed -E 's/^ *hs ([0-9]+), H [0-9]+, B [0-9]+, T ([0-9]+), ([a-z0-9]+)[^,]*,[^,]*(, [qv] = [01])?, ([0-9]+) queries x ([0-9]+) keys: max \|fused - composite\| ([^,]+), bound ([^ ]+).*/hs\1 T\2 \3\4 \5x\6: \7 <= \8/' | paste -sd';' | fold -w 200 | head -6
grep -E 'FAILED|float16 output differs|AssertionError|Error:' "$OUT/test.log" | cut -c1-400 | head -4
OUT=$OUT step 30 node $J/bench/gpu/attention-f16.js --shapes 70m,1b --reps 5 --tag r 2>&1 | quiet > "$OUT/attention-f16.log"
grep -E '^(70m|1b) |rror' "$OUT/attention-f16.log" | cut -c1-330
fwd() { local tag=$1; shift; OUT=$OUT step 11 env "$@" node $J/bench/gpu/forward.js --shapes 70m --compute float16 --reps 5 --tag "$tag" 2>&1 | quiet > "$OUT/forward-$tag.log"; echo "$tag: $(grep -E '^70m|rror' "$OUT/forward-$tag.log" | cut -c1-110)"; }
fwd f16flash-1 MASSIVE_WEBGPU_ATTENTION_F16=flash-experimental
fwd default-1 -u MASSIVE_WEBGPU_ATTENTION_F16
fwd f16flash-2 MASSIVE_WEBGPU_ATTENTION_F16=flash-experimental
echo "F step done in ${SECONDS} s"

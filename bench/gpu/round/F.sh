#!/usr/bin/env bash
# Helper F's step of a GPU round (bench/gpu/round.sh), <= 105 s (the lead's 110): the two-pass float16 flash
# attention on the tensor cores (src/backend-webgpu-attention-f16.ts), since R1 (test passed, 70m 3.15 vs 6.68 ms of
# GPU per pass) the default of float16 compute for heads under 128 dims (MASSIVE_WEBGPU_ATTENTION_F16=auto).
# R2 (confirmation + the default's effect):
#   1. its device test (MASSIVE_WEBGPU_ATTENTION_F16=flash: every head size 16..256; new: the tiles with split 2,
#      two subgroups per 16 queries, and the default tile's code as generated with split 1);
#   2. the attention alone per 5 x 2048 pass (bench/gpu/attention-f16.ts: 70m, 1b, one 12b layer (hs 128): float32
#      flash / float16 flash / products, wall and GPU time, every tile, split ones included);
#   3. the 70m float16 forward (forward.js --compute float16) with the default (float16 flash) alternated with `off`
#      (float32 flash) and `products` (the last runs skipped if the budget is spent).
# Details in $OUT; a short summary on stdout.
set -uo pipefail
budget=${ROUND_BUDGET_S:-105}
step() { local t=$1; shift; local l=$(( budget - SECONDS )); (( l > 5 )) || { echo "skipped (budget): $*"; return 0; }; (( t < l )) || t=$l; timeout "$t" "$@"; }
J=.gpu-rec/js
MASSIVE_WEBGPU_ATTENTION_F16=flash step 40 node --test --test-reporter=spec $J/test/backend/webgpu-attention-f16.test.js 2>&1 | quiet > "$OUT/test.log"
echo "f16 flash test: $(grep -E '^ℹ (pass|fail)' "$OUT/test.log" | tr '\n' ' ')"
grep -E 'max \|fused - composite\|' "$OUT/test.log" | sed -E 's/^ *hs ([0-9]+), H [0-9]+, B [0-9]+, T ([0-9]+), ([a-z0-9]+)[^,]*,[^,]*(, [qv] = [01])?, ([0-9]+) queries x ([0-9]+) keys( split [0-9])?: max \|fused - composite\| ([^,]+), bound ([^ ]+).*/hs\1 T\2 \3\4 \5x\6\7: \8 <= \9/' | paste -sd';' | fold -w 200 | head -6
grep -E 'FAILED|float16 output differs|AssertionError|Error:' "$OUT/test.log" | cut -c1-400 | head -4
OUT=$OUT step 35 node $J/bench/gpu/attention-f16.js --shapes 70m,1b,12b-L1 --reps 5 --tag r2 2>&1 | quiet > "$OUT/attention-f16.log"
grep -E '^(70m|1b|12b-L1) |rror' "$OUT/attention-f16.log" | cut -c1-330
fwd() { local shape=$1 tag=$2; shift 2; OUT=$OUT step 12 env "$@" node $J/bench/gpu/forward.js --shapes $shape --compute float16 --reps 5 --tag "$tag" 2>&1 | quiet > "$OUT/forward-$tag.log"; echo "$tag: $(grep -E "^$shape|rror" "$OUT/forward-$tag.log" | cut -c1-110)"; }
fwd 70m 70m-default-1 -u MASSIVE_WEBGPU_ATTENTION_F16
fwd 70m 70m-off-1 MASSIVE_WEBGPU_ATTENTION_F16=off
fwd 70m 70m-default-2 -u MASSIVE_WEBGPU_ATTENTION_F16
fwd 70m 70m-products-1 MASSIVE_WEBGPU_ATTENTION_F16=products
fwd 70m 70m-default-3 -u MASSIVE_WEBGPU_ATTENTION_F16
echo "F step done in ${SECONDS} s"

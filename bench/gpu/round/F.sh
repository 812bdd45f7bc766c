#!/usr/bin/env bash
# Helper F's step of a GPU round (bench/gpu/round.sh), <= 105 s (the lead's 110): the two-pass float16 flash
# attention on the tensor cores (src/backend-webgpu-attention-f16.ts), the default of float16 compute for heads under
# 256 dims since R2 (MASSIVE_WEBGPU_ATTENTION_F16=auto; 128-dim heads moved from the products after R2's 12b layer:
# 4.06 vs 5.37 ms GPU), with 16-key tiles for heads of 80-128 dims (R2: 2.23 vs 3.28 ms with 32 keys on a 12b layer).
# R3: the kernel's pass 1 keeps only the row max (l summed in pass 2 from the unnormalised p, O / l at the end: half
# the exps), so the test is a real check again:
#   1. its device test (MASSIVE_WEBGPU_ATTENTION_F16=flash: every head size 16..256, the new hs-128 default tile);
#   2. the attention alone per 5 x 2048 pass (bench/gpu/attention-f16.ts: 70m, one 12b layer, 1b; every tile);
#   3. the float16 forward (forward.js --compute float16) with the default (float16 flash) alternated with `off`
#      (float32 flash) on 70m and 160m (the last runs skipped if the budget is spent).
# Details in $OUT; a short summary on stdout.
set -uo pipefail
budget=${ROUND_BUDGET_S:-105}
step() { local t=$1; shift; local l=$(( budget - SECONDS )); (( l > 5 )) || { echo "skipped (budget): $*"; return 0; }; (( t < l )) || t=$l; timeout "$t" "$@"; }
J=.gpu-rec/js
MASSIVE_WEBGPU_ATTENTION_F16=flash step 40 node --test --test-reporter=spec $J/test/backend/webgpu-attention-f16.test.js 2>&1 | quiet > "$OUT/test.log"
echo "f16 flash test: $(grep -E '^ℹ (pass|fail)' "$OUT/test.log" | tr '\n' ' ')"
grep -E 'max \|fused - composite\|' "$OUT/test.log" | sed -E 's/^ *hs ([0-9]+), H [0-9]+, B [0-9]+, T ([0-9]+), ([a-z0-9]+)[^,]*,[^,]*(, [qv] = [01])?, ([0-9]+) queries x ([0-9]+) keys( split [0-9])?: max \|fused - composite\| ([^,]+), bound ([^ ]+).*/hs\1 T\2 \3\4 \5x\6\7: \8 <= \9/' | paste -sd';' | fold -w 200 | head -6
grep -E 'FAILED|float16 output differs|AssertionError|Error:' "$OUT/test.log" | cut -c1-400 | head -4
OUT=$OUT step 35 node $J/bench/gpu/attention-f16.js --shapes 70m,12b-L1,1b --reps 5 --tag r3 2>&1 | quiet > "$OUT/attention-f16.log"
grep -E '^(70m|1b|12b-L1) |rror' "$OUT/attention-f16.log" | cut -c1-330
fwd() { local shape=$1 tag=$2; shift 2; OUT=$OUT step 12 env "$@" node $J/bench/gpu/forward.js --shapes $shape --compute float16 --reps 5 --tag "$tag" 2>&1 | quiet > "$OUT/forward-$tag.log"; echo "$tag: $(grep -E "^$shape|rror" "$OUT/forward-$tag.log" | cut -c1-110)"; }
fwd 70m 70m-default-1 -u MASSIVE_WEBGPU_ATTENTION_F16
fwd 70m 70m-off-1 MASSIVE_WEBGPU_ATTENTION_F16=off
fwd 160m 160m-default-1 -u MASSIVE_WEBGPU_ATTENTION_F16
fwd 160m 160m-off-1 MASSIVE_WEBGPU_ATTENTION_F16=off
fwd 70m 70m-default-2 -u MASSIVE_WEBGPU_ATTENTION_F16
echo "F step done in ${SECONDS} s"

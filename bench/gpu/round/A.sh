#!/usr/bin/env bash
# Helper A's step of a GPU round (bench/gpu/round.sh): the float32 flash attention's work splits
# (src/backend-webgpu-attention.ts FlashTile: session 6's v1, v2 tiles 4x16, 4x32, 8x16, 4x16k8; MASSIVE_WEBGPU_FLASH).
# The attention test (every tile against the composite ops, hs 8..256), the flash program alone per 5 x 2048 pass on
# 70m and 1b (every tile in one process: wall and GPU ms, TFLOP/s, difference to v1), the parity tests and the
# forward with v2 tiles (then v1 as far as the budget goes). Each under its own timeout within ROUND_BUDGET_S (default 85 s). Details under $OUT.
set -uo pipefail
source scripts/device/run-lib.sh # quiet
budget=${ROUND_BUDGET_S:-85}
step() { local t=$1; shift; local l=$(( budget - SECONDS )); (( l > 5 )) || { echo "skipped (budget): $*"; return 0; }; (( t < l )) || t=$l; timeout "$t" "$@"; }
J=.gpu-rec/js
step 30 node --test --test-reporter=spec $J/test/backend/webgpu-attention.test.js 2>&1 | quiet > "$OUT/attention-test.log"
echo "attention test: $(grep -E '^ℹ (pass|fail)' "$OUT/attention-test.log" | tr '\n' ' ')"
grep -E 'attention tile' "$OUT/attention-test.log" | sed 's/^ *attention //' | awk '{ t[$2] = t[$2] " " $4 $13 } END { for (k in t) print "  " k ":" t[k] }' | cut -c1-200
grep -E '^✖|AssertionError|Error' "$OUT/attention-test.log" | cut -c1-200 | head -4
OUT=$OUT step 30 node $J/bench/gpu/attention-flash.js --shapes 70m,1b --tiles v1,4x16,4x32,8x16,4x16k8 --reps 5 --tag a 2>&1 | quiet > "$OUT/flash-bench.log"
grep -E '^(70m|1b) |rror' "$OUT/flash-bench.log" | cut -c1-160 | head -10
MASSIVE_WEBGPU_FLASH=8x16 step 14 node --test --test-reporter=spec $J/test/model/gpt-neox-parity.test.js 2>&1 | quiet > "$OUT/parity-8x16.log"
echo "parity with 8x16: $(grep -E '^ℹ (pass|fail)' "$OUT/parity-8x16.log" | tr '\n' ' ')"; grep -E '^✖|AssertionError' "$OUT/parity-8x16.log" | head -3
fwd() { local t=$1 shapes=$2; MASSIVE_WEBGPU_FLASH=$t step 14 node $J/bench/gpu/forward.js --shapes "$shapes" --reps 2 --tag "flash-$t" 2>&1 | quiet | grep -v '^wrote' > "$OUT/forward-$t-$shapes.log"
  grep -E '^(70m|1b) |rror' "$OUT/forward-$t-$shapes.log" | cut -c1-110 | sed "s/^/$t /"; }
fwd 8x16 70m; fwd 4x32 1b; fwd v1 70m,1b
echo "A step done in ${SECONDS} s"

#!/usr/bin/env bash
# Helper A's step of a GPU round (bench/gpu/round.sh): the float32 flash attention's work splits
# (src/backend-webgpu-attention.ts FlashTile, MASSIVE_WEBGPU_FLASH; default since R3: 8x16 for hs <= 64, 4x32 above).
# R3: the attention test (every tile against the composite ops, hs 8..256), the flash program alone per 5 x 2048
# pass on 70m, 1b and one layer of 12b (hs 128; every tile in one process: GPU ms; wider v chunks vN and the lane
# program, now also for hs 128 / 256 through subgroup shuffles, are new), the forward with the default, then
# with lane (70m, 1b) as far as the budget goes. Each under its own timeout within ROUND_BUDGET_S (default 76 s). Details in $OUT.
set -uo pipefail
source scripts/device/run-lib.sh # quiet
budget=${ROUND_BUDGET_S:-76}
step() { local t=$1; shift; local l=$(( budget - SECONDS )); (( l > 5 )) || { echo "skipped (budget): $*"; return 0; }; (( t < l )) || t=$l; timeout "$t" "$@"; }
J=.gpu-rec/js
step 28 node --test --test-reporter=spec $J/test/backend/webgpu-attention.test.js 2>&1 | quiet > "$OUT/attention-test.log"
echo "attention test: $(grep -E '^ℹ (pass|fail)' "$OUT/attention-test.log" | tr '\n' ' ')"
grep -E 'attention tile' "$OUT/attention-test.log" | sed 's/^ *attention //' | awk '{ t[$2] = t[$2] " " $4 $13 } END { for (k in t) print "  " k ":" t[k] }' | cut -c1-200
grep -E '^✖|AssertionError|Error' "$OUT/attention-test.log" | cut -c1-200 | head -4
OUT=$OUT step 24 node $J/bench/gpu/attention-flash.js --shapes 70m,1b,12b-L1 --tiles v1,8x16,4x32,8x16v64,4x16k8v64,4x32v32,4x16k8v16,lane --reps 5 --tag r3 2>&1 | quiet > "$OUT/flash-bench.log"
grep -E "^(70m|1b|12b-L1) " "$OUT/flash-bench.log" | grep -v skipped | awk '{ n = $0; sub(/^[^ ]+ +flash /, "", n); sub(/ *:.*/, "", n); g = $0; sub(/.*GPU /, "", g); sub(/ ms.*/, "", g); d = $0; sub(/.*vs v1 /, "", d); s[$1] = s[$1] " " n " " g " (" d ")," } END { for (k in s) print k " GPU ms per pass:" s[k] }' | cut -c1-230
grep -E 'rror' "$OUT/flash-bench.log" | head -3
fwd() { local t=$1 shapes=$2; MASSIVE_WEBGPU_FLASH=$t step 30 node $J/bench/gpu/forward.js --shapes "$shapes" --reps 2 --tag "flash-${t:-default}" 2>&1 | quiet | grep -v '^wrote' > "$OUT/forward-${t:-default}.log"
  grep -E '^(70m|1b) |rror' "$OUT/forward-${t:-default}.log" | cut -c1-110 | sed "s/^/${t:-default} /"; }
fwd "" 70m,1b
fwd lane 70m,1b
echo "A step done in ${SECONDS} s"

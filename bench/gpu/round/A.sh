#!/usr/bin/env bash
# Helper A's step of a GPU round (bench/gpu/round.sh): the float32 flash attention's work splits
# (src/backend-webgpu-attention.ts FlashTile, MASSIVE_WEBGPU_FLASH; default: 8x16 for hs <= 128, 4x32 above).
# R4 (confirmation): the attention test (every tile against the composite ops, hs 8..256), the flash program alone
# per 5 x 2048 pass (v1 and the defaults on 70m, 1b, one layer of 12b), the forward with the default.
# Each under its own timeout within ROUND_BUDGET_S (default 42 s). Details in $OUT.
set -uo pipefail
source scripts/device/run-lib.sh # quiet
budget=${ROUND_BUDGET_S:-42}
step() { local t=$1; shift; local l=$(( budget - SECONDS )); (( l > 5 )) || { echo "skipped (budget): $*"; return 0; }; (( t < l )) || t=$l; timeout "$t" "$@"; }
J=.gpu-rec/js
step 14 node --test --test-reporter=spec $J/test/backend/webgpu-attention.test.js 2>&1 | quiet > "$OUT/attention-test.log"
echo "attention test: $(grep -E '^ℹ (pass|fail)' "$OUT/attention-test.log" | tr '\n' ' ')"
grep -E 'attention tile' "$OUT/attention-test.log" | sed 's/^ *attention //' | awk '{ t[$2] = t[$2] " " $4 $13 } END { for (k in t) print "  " k ":" t[k] }' | cut -c1-200
grep -E '^✖|AssertionError|Error' "$OUT/attention-test.log" | cut -c1-200 | head -4
OUT=$OUT step 10 node $J/bench/gpu/attention-flash.js --shapes 70m,1b,12b-L1 --tiles v1,8x16,4x32 --reps 5 --tag r4 2>&1 | quiet > "$OUT/flash-bench.log"
grep -E "^(70m|1b|12b-L1) " "$OUT/flash-bench.log" | awk '{ n = $0; sub(/^[^ ]+ +flash /, "", n); sub(/ *:.*/, "", n); w = $0; sub(/^[^:]*: /, "", w); sub(/ ms per pass.*/, "", w); g = $0; sub(/.*GPU /, "", g); sub(/ ms.*/, "", g); s[$1] = s[$1] " " n " " w "/" g "," } END { for (k in s) print k " ms per pass (wall/GPU):" s[k] }' | cut -c1-200
grep -E 'rror' "$OUT/flash-bench.log" | head -3
step 24 node $J/bench/gpu/forward.js --shapes 70m,1b --reps 2 --tag flash-default 2>&1 | quiet | grep -v '^wrote' > "$OUT/forward-default.log"
grep -E '^(70m|1b) |rror' "$OUT/forward-default.log" | cut -c1-110
echo "A step done in ${SECONDS} s"

#!/usr/bin/env bash
# Helper M's step of a GPU round (bench/gpu/round.sh), session 8, issue 18: the float16 products of the 70m pass.
# R3 (the confirmation, within ROUND_BUDGET_S = 105 s): halfLinear's products now default to 128x128-128t-bk64-g8-ss
# (LINEAR_HALF_TILE: the grouped order and staged stores; R2 probe: 70m pass products 4.80 vs 6.22 ms, programs.js
# logits 2.69 vs 3.54 ms, linears 2.56 vs 3.01-3.34). MASSIVE_WEBGPU_F16_TILE=128x128-128t-bk64 gives the old tile.
#   1. the float16 test: the tile choice, halfLinear on the default's six shapes (ragged and whole, two stagings), the
#      tiny-neox-a forward in float16 against transformers;
#   2. forward.js 70m --compute float16: new, old, new (alternated), then programs.js 70m with the new default;
#   3. forward.js 1b --compute float16: new, old (1b must not get slower);
#   4. f16-probe (with what is left of the budget) on the 70m products: the old default, g8-ss and g8-ss2 (two rows of
#      result matrices per round of staged stores: half the barriers), then the 1b products with g8 and ss too.
set -uo pipefail
budget=${ROUND_BUDGET_S:-105}
step() { local t=$1; shift; local l=$(( budget - SECONDS )); (( l > 5 )) || { echo "skipped (budget): $*"; return 0; }; (( t < l )) || t=$l; timeout "$t" "$@"; }
J=.gpu-rec/js
OLD=MASSIVE_WEBGPU_F16_TILE=128x128-128t-bk64
step 30 node --test --test-reporter=spec --test-name-pattern='halfTileFor|halfLinear matches|GPT-NeoX forward' $J/test/backend/webgpu-f16.test.js 2>&1 | quiet > "$OUT/f16-test.log"
echo "f16 test: $(grep -E '^ℹ (pass|fail)' "$OUT/f16-test.log" | tr '\n' ' ') shapes checked: $(grep -cE '^  default tile' "$OUT/f16-test.log")"; grep -E '^✖|AssertionError' "$OUT/f16-test.log" | cut -c1-200 | head -4
fwd() { local tag=$1 shape=$2 t=$3 reps=$4; shift 4; step "$t" env "$@" node $J/bench/gpu/forward.js --shapes "$shape" --compute float16 --reps "$reps" --tag "$tag" 2>&1 | quiet > "$OUT/forward-$tag.log"; echo "$tag: $(grep -E "^$shape |rror" "$OUT/forward-$tag.log" | cut -c1-110)"; }
fwd 70m-new-1 70m 10 5 -u MASSIVE_WEBGPU_F16_TILE
fwd 70m-old-1 70m 10 5 $OLD
fwd 70m-new-2 70m 10 5 -u MASSIVE_WEBGPU_F16_TILE
step 12 node $J/bench/gpu/programs.js --shapes 70m --compute float16 --top 14 --tag new 2>&1 | quiet > "$OUT/programs-new.log"
echo "programs new: $(grep -E 'GPU [0-9.]+ ms summed' "$OUT/programs-new.log" | sed -E 's/.*(GPU [0-9.]+ ms summed).*/\1/'); $(grep -E '^ +[0-9.]+ ms +[0-9.]+% +[0-9]+x matmul' "$OUT/programs-new.log" | awk '{ printf "%s %s %s; ", $5, $6, $1 }')"
fwd 1b-new 1b 27 3 -u MASSIVE_WEBGPU_F16_TILE
fwd 1b-old 1b 27 3 $OLD
step 12 node $J/bench/gpu/f16-probe.js --only '^128x128-128t-bk64(-g8-ss|-g8-ss2)?$' --shapes '^70m' --checks exact --reps 5 --out "$OUT/probe-70m.json" 2>&1 | quiet > "$OUT/probe-70m.log"
grep -E '^(70m pass|check .*FAIL)|FAIL' "$OUT/probe-70m.log" | cut -c1-160; grep -E '^time 70m' "$OUT/probe-70m.log" | awk '{ s = $2 " " $3; t[s] = t[s] " " $(NF-4) " " $(NF-3) } END { for (k in t) print k ":" t[k] }' | cut -c1-300
step 30 node $J/bench/gpu/f16-probe.js --only '^128x128-128t-bk64(-g8|-ss|-g8-ss|-g8-ss2)?$' --shapes '^1b' --checks exact --reps 5 --out "$OUT/probe-1b.json" 2>&1 | quiet > "$OUT/probe-1b.log"
grep -E '^time 1b' "$OUT/probe-1b.log" | awk '{ s = $2 " " $3; t[s] = t[s] " " $(NF-4) " " $(NF-1) } END { for (k in t) print k ":" t[k] }' | cut -c1-300
echo "M step done in ${SECONDS} s"

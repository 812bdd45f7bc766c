#!/usr/bin/env bash
# Helper M's step of a GPU round (bench/gpu/round.sh), session 8, issue 18: the float16 products of the 70m pass
# (logits [10240, 512] x [512, 50304] and the 24 linears, K 512 / fc2 K 2048). Within ROUND_BUDGET_S (default 105 s):
#   1. f16-probe (raw Dawn, no tfjs): the session-8 tiles (64 x 128, 64 x 64, grouped workgroup orders g8 / g32)
#      and persistent workgroups (-p1/-p2/-p3: 1-3 per SM looping over output tiles) beside the default
#      128x128-128t-bk64 and the 256-thread bk64 tile, on the 70m pass's five shapes and the 1b
#      products (each variant checked against float64 first);
#   2. programs.js 70m --compute float16 (GPU time per program of one 5 x 2048 pass), default tile vs
#      MASSIVE_WEBGPU_F16_TILE=by-shape (shapeHalfTileName: logits g8, dense / fc2 64 x 128), alternated;
#   3. forward.js 70m --compute float16, the same two, alternated;
#   4. the float16 product test (every named tile, the default tile's shapes, by-shape's choice).
set -uo pipefail
budget=${ROUND_BUDGET_S:-105}
step() { local t=$1; shift; local l=$(( budget - SECONDS )); (( l > 5 )) || { echo "skipped (budget): $*"; return 0; }; (( t < l )) || t=$l; timeout "$t" "$@"; }
J=.gpu-rec/js
TILES='^(128x128-128t-bk64|128x128-256t-bk64|128x64-128t-bk64|64x128-128t-bk64|64x64-128t-bk64|128x128-128t-bk64-g8|128x128-128t-bk64-g32|128x128-256t-bk64-g8|64x128-128t-bk64-g8|.*-p[0-9])$'
# Checks: the whole-tile one per variant here (each timing also checks 64 sampled outputs); ragged edges in step 4.
step 35 node $J/bench/gpu/f16-probe.js --only "$TILES" --shapes '^70m' --checks exact --reps 10 --out "$OUT/probe-70m.json" 2>&1 | quiet > "$OUT/probe-70m.log"
grep -E '^(check .*FAIL|tile |WEBGPU ERROR|70m best|70m pass)|FAIL' "$OUT/probe-70m.log" | cut -c1-120
echo "probe 70m: $(grep -c 'PASS' "$OUT/probe-70m.log") PASS, $(grep -c 'FAIL' "$OUT/probe-70m.log") FAIL; logits ms: $(grep -E '^time 70m logits' "$OUT/probe-70m.log" | awk '{ printf "%s %s, ", $6, $7 }')" | cut -c1-600
prog() { local tag=$1; shift; step 15 env "$@" node $J/bench/gpu/programs.js --shapes 70m --compute float16 --tag "$tag" 2>&1 | quiet > "$OUT/programs-$tag.log"; echo "programs $tag: $(grep -E '^ +[0-9.]+ ms +[0-9.]+% .*matmul|GPU [0-9.]+ ms summed' "$OUT/programs-$tag.log" | sed -E 's/ +/ /g; s/^programs 70m float16, 5 x 2048 tokens, logits: //' | cut -c1-70 | tr '\n' ';')"; }
prog default-1 -u MASSIVE_WEBGPU_F16_TILE
prog by-shape-1 MASSIVE_WEBGPU_F16_TILE=by-shape
fwd() { local tag=$1; shift; step 12 env "$@" node $J/bench/gpu/forward.js --shapes 70m --compute float16 --reps 5 --tag "$tag" 2>&1 | quiet > "$OUT/forward-$tag.log"; echo "$tag: $(grep -E '^70m|rror' "$OUT/forward-$tag.log" | cut -c1-110)"; }
fwd default-1 -u MASSIVE_WEBGPU_F16_TILE
fwd by-shape-1 MASSIVE_WEBGPU_F16_TILE=by-shape
fwd default-2 -u MASSIVE_WEBGPU_F16_TILE
fwd by-shape-2 MASSIVE_WEBGPU_F16_TILE=by-shape
prog by-shape-2 MASSIVE_WEBGPU_F16_TILE=by-shape
step 25 node --test --test-reporter=spec --test-name-pattern='halfTileFor|halfLinear matches|every named tile' $J/test/backend/webgpu-f16.test.js 2>&1 | quiet > "$OUT/f16-test.log"
echo "f16 test: $(grep -E '^ℹ (pass|fail)' "$OUT/f16-test.log" | tr '\n' ' ')"; grep -E '^✖|AssertionError' "$OUT/f16-test.log" | cut -c1-200 | head -4
# The 1b products (1b float16 must not get slower): the default, grouped and persistent tiles.
step 30 node $J/bench/gpu/f16-probe.js --only '^(128x128-128t-bk64|128x128-128t-bk64-g8|128x128-128t-bk64-g32|128x128-128t-bk64-g8-p1|128x128-128t-bk64-g8-p2|128x128-256t-bk64-g8-p1|64x128-128t-bk64-g8-p2)$' --shapes '^1b' --checks exact --reps 5 --out "$OUT/probe-1b.json" 2>&1 | quiet > "$OUT/probe-1b.log"
grep -E '^time 1b' "$OUT/probe-1b.log" | awk '{ s = $2 " " $3; t[s] = t[s] " " $(NF-4) " " $(NF-1) } END { for (k in t) print k ":" t[k] }' | cut -c1-300
echo "M step done in ${SECONDS} s"

#!/usr/bin/env bash
# Helper M's step of a GPU round (bench/gpu/round.sh), session 8, issue 18: the float16 products of the 70m pass
# (logits [10240, 512] x [512, 50304] and the 24 linears, K 512 / fc2 K 2048). R2, within ROUND_BUDGET_S (105 s):
# R1 (probe, 10 repetitions): the grouped order g8 takes the logits from 3.60 to 3.38 ms (programs.js: 3.60 -> 3.41);
# persistent workgroups lost 1.5-2x (removed); 64 x 128 tiles for dense and fc2 lost in the real pass (1.18 -> 1.38 ms).
#   1. programs.js 70m --compute float16 (GPU time per program of one 5 x 2048 pass): the default tile vs per-shape
#      choices (MASSIVE_WEBGPU_F16_TILE=KxN:<tile>,...): A = R1's probe best per shape, C = every product with staged
#      stores (results through workgroup memory, written as rows of vec4), the logits in the g8 order; alternated;
#   2. forward.js 70m --compute float16: default vs A, alternated;
#   3. the float16 product test (every named tile, the default's shapes, the tile choice, the float16 forward);
#   4. f16-probe on the 70m shapes with >= 30 ms of products per timing (R1's 10 repetitions were too short), with
#      two more tiles (128 x 128 of 4 subgroups with K step 32: half the registers for staging; 256 x 128 x 32).
set -uo pipefail
budget=${ROUND_BUDGET_S:-105}
step() { local t=$1; shift; local l=$(( budget - SECONDS )); (( l > 5 )) || { echo "skipped (budget): $*"; return 0; }; (( t < l )) || t=$l; timeout "$t" "$@"; }
J=.gpu-rec/js
A=512x50304:128x128-128t-bk64-g8,512x1536:64x64-128t-bk64,512x512:64x64-128t-bk64,512x2048:128x128-256t-bk64,2048x512:128x128-256t-bk64
C=512x50304:128x128-128t-bk64-g8-ss,128x128-128t-bk64-ss
prog() { local tag=$1; shift; step 14 env "$@" node $J/bench/gpu/programs.js --shapes 70m --compute float16 --top 14 --tag "$tag" 2>&1 | quiet > "$OUT/programs-$tag.log"; echo "programs $tag: $(grep -E 'GPU [0-9.]+ ms summed' "$OUT/programs-$tag.log" | sed -E 's/.*(GPU [0-9.]+ ms summed).*/\1/'); $(grep -E '^ +[0-9.]+ ms +[0-9.]+% +[0-9]+x matmul' "$OUT/programs-$tag.log" | awk '{ printf "%s %s %s; ", $5, $6, $1 }')$(grep -E '^ +[0-9.]+ ms +[0-9]+x massiveHalfMatMul' "$OUT/programs-$tag.log" | awk '{ k = $4; sub(/massiveHalfMatMul_16x16x16_/, "", k); printf "%s %s %s %s; ", $NF, k, $1, $3 }')" | cut -c1-330; }
prog default-1 -u MASSIVE_WEBGPU_F16_TILE
prog A-1 MASSIVE_WEBGPU_F16_TILE=$A
prog C-1 MASSIVE_WEBGPU_F16_TILE=$C
prog default-2 -u MASSIVE_WEBGPU_F16_TILE
prog A-2 MASSIVE_WEBGPU_F16_TILE=$A
prog C-2 MASSIVE_WEBGPU_F16_TILE=$C
fwd() { local tag=$1; shift; step 10 env "$@" node $J/bench/gpu/forward.js --shapes 70m --compute float16 --reps 5 --tag "$tag" 2>&1 | quiet > "$OUT/forward-$tag.log"; echo "$tag: $(grep -E '^70m|rror' "$OUT/forward-$tag.log" | cut -c1-110)"; }
fwd default-1 -u MASSIVE_WEBGPU_F16_TILE
fwd A-1 MASSIVE_WEBGPU_F16_TILE=$A
fwd default-2 -u MASSIVE_WEBGPU_F16_TILE
fwd A-2 MASSIVE_WEBGPU_F16_TILE=$A
step 42 node --test --test-reporter=spec --test-name-pattern='halfTileFor|every named tile|GPT-NeoX forward' $J/test/backend/webgpu-f16.test.js 2>&1 | quiet > "$OUT/f16-test.log"
echo "f16 test: $(grep -E '^ℹ (pass|fail)' "$OUT/f16-test.log" | tr '\n' ' ') tiles checked: $(grep -cE '^  [0-9a-z-]+ [0-9]+x[0-9]+x[0-9]+' "$OUT/f16-test.log")"; grep -E '^✖|AssertionError' "$OUT/f16-test.log" | cut -c1-200 | head -4
TILES='^(128x128-128t-bk64|128x128-256t-bk64|128x64-128t-bk64|64x64-128t-bk64|128x128-128t-bk64-g8|128x128-256t-bk64-g8|128x128-128t-bk32|256x128-256t-bk32|128x128-128t-bk64-g8-ss|128x128-128t-bk64-ss)$'
step 25 node $J/bench/gpu/f16-probe.js --only "$TILES" --shapes '^70m' --checks exact --reps 10 --out "$OUT/probe-70m.json" 2>&1 | quiet > "$OUT/probe-70m.log"
grep -E '^(check .*FAIL|tile |WEBGPU ERROR|70m best|70m pass)|FAIL' "$OUT/probe-70m.log" | cut -c1-120
echo "M step done in ${SECONDS} s"

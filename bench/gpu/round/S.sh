#!/usr/bin/env bash
# Helper S's step of a GPU round (bench/gpu/round.sh): split-float16 float32 products (src/backend-webgpu-split.ts) as
# the default of the float32 forward with resident weights, their temporaries bounded (SPLIT_TEMP_BYTES, rows in
# pieces; one program splits the activations; float16-valued weights in 2 parts). Session 7, round 1 (<= 120 s): the
# split test (pieces == whole, 2 parts vs 3), the forward of 70m and 1b with the default, recording a 1b float16 file
# with split (MASSIVE_WEBGPU_F32_PRODUCT=auto) beside SIMT (streamed weights' default), a 12b shape cut to 8 layers
# with split (GPU memory: tfjs's peak, nvidia-smi), the 70m forward with SIMT. Each under its own timeout within
# ROUND_BUDGET_S (default 117 s).
set -uo pipefail
budget=${ROUND_BUDGET_S:-117}
left() { echo $(( budget - SECONDS )); }
step() { local t=$1; shift; local l; l=$(left); (( l > 5 )) || { echo "skipped (budget): $*" >&2; return 0; }; (( t < l )) || t=$l; timeout "$t" "$@"; }
J=.gpu-rec/js
step 25 node --test --test-reporter=spec $J/test/backend/webgpu-split.test.js 2>&1 | quiet > "$OUT/split-test.log"
echo "split test: $(grep -E '^ℹ (pass|fail)' "$OUT/split-test.log" | tr '\n' ' ')"; grep -E '^✖|AssertionError' "$OUT/split-test.log" | cut -c1-200 | head -4
fwd() { step "$1" node $J/bench/gpu/forward.js --reps 2 "${@:2}" 2>&1 | quiet | grep -v '^wrote'; }
fwd 30 --shapes 70m,1b --tag default | tee "$OUT/forward-default.log" | grep -E '^(70m|1b) |rror' | cut -c1-120
D=/tmp/massive-stream
nvidia-smi --query-gpu=timestamp,memory.used --format=csv,noheader -lms 250 > "$OUT/gpumem.csv" 2>&1 & smi=$!
rec() { step "$1" node $J/bench/stream/run.js --seqs 10 --seq 2048 --profile 0 --loaded none --dir $D "${@:2}" 2>&1 | quiet | grep -v '^wrote'; }
MASSIVE_WEBGPU_F32_PRODUCT=auto rec 20 --shapes 1b --repeat 2 --out "$OUT/stream-split.json" | tee "$OUT/stream-split.log" | grep -E '^\| 1b|rror' | sed 's/^/split /'
MASSIVE_WEBGPU_F32_PRODUCT=simt rec 10 --shapes 1b --repeat 2 --out "$OUT/stream-simt.json" | tee "$OUT/stream-simt.log" | grep -E '^\| 1b|rror' | sed 's/^/simt  /'
echo "12b-L8 starts $(date -u +%FT%T)" >> "$OUT/gpumem.csv"
MASSIVE_WEBGPU_F32_PRODUCT=auto rec 35 --shapes 12b-L8 --repeat 1 --out "$OUT/stream-split-12b.json" | tee "$OUT/stream-split-12b.log" | grep -E '^\| 12b|rror' | sed 's/^/split /'
kill $smi 2>/dev/null
echo "nvidia-smi peak during 12b-L8: $(sed -n '/12b-L8 starts/,$p' "$OUT/gpumem.csv" | grep -o '[0-9]* MiB' | sort -n | tail -1)"
# SIMT beside the default on 70m (the shape nearest its target); 1b SIMT was 0.70x last session. The float32 parity
# tests run with the default in the lead's step (test/model/*).
MASSIVE_WEBGPU_F32_PRODUCT=simt fwd 12 --shapes 70m --tag simt | tee "$OUT/forward-simt.log" | grep -E '^70m |rror' | cut -c1-120
echo "S step done in ${SECONDS} s"

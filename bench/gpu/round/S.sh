#!/usr/bin/env bash
# Helper S's step of a GPU round (bench/gpu/round.sh): split-float16 float32 products (src/backend-webgpu-split.ts,
# MASSIVE_WEBGPU_F32_PRODUCT=split|split-all). In order, each under its own timeout within the step's budget
# (ROUND_BUDGET_S, default 115 s): the split test (the GPU's split vs the host's bit for bit, accuracy vs float64
# beside the SIMT kernel, the tiny-neox forward with split-all), the float32 parity tests with split-all, the product
# probe (ms, TFLOP/s, errors per K chunk length), then the forward of 70m and 1b with split, K chunks of 512 (the
# default) and of 2048 (MASSIVE_WEBGPU_SPLIT_CHUNK; the SIMT forward was measured in round 1).
# Details under $OUT, a summary on stdout.
set -uo pipefail
budget=${ROUND_BUDGET_S:-115}
left() { echo $(( budget - SECONDS )); }
step() { local t=$1; shift; local l; l=$(left); (( l > 5 )) || { echo "skipped (budget): $*"; return 0; }; (( t < l )) || t=$l; timeout "$t" "$@"; }
step 30 node --test --test-reporter=spec .gpu-rec/js/test/backend/webgpu-split.test.js 2>&1 | quiet > "$OUT/split-test.log"
grep -E '^ℹ (tests|pass|fail|skipped)|^✖|simt |halves|max \|error\||AssertionError' "$OUT/split-test.log" | cut -c1-300 | head -30
MASSIVE_WEBGPU_F32_PRODUCT=split-all step 20 node --test --test-reporter=spec .gpu-rec/js/test/model/gpt-neox-parity.test.js 2>&1 | quiet > "$OUT/parity-split.log"
echo "parity with split-all: $(grep -E '^ℹ (pass|fail)' "$OUT/parity-split.log" | tr '\n' ' ')"; grep -E '^✖|AssertionError' "$OUT/parity-split.log" | head -4
step 40 node .gpu-rec/js/bench/gpu/split-probe.js --shapes 70m,1b --reps 3 --rows 4 --chunks 1024,2048,K 2>&1 | quiet | tee "$OUT/probe.log" | grep -E '^(70m|1b|wrote)|rror' | cut -c1-600
MASSIVE_WEBGPU_F32_PRODUCT=split step 35 node .gpu-rec/js/bench/gpu/forward.js --shapes 70m,1b --reps 2 --tag split 2>&1 | quiet | tee "$OUT/forward-split.log" | grep -E '^(70m|1b)|rror'
MASSIVE_WEBGPU_F32_PRODUCT=split MASSIVE_WEBGPU_SPLIT_CHUNK=2048 step 35 node .gpu-rec/js/bench/gpu/forward.js --shapes 70m,1b --reps 2 --tag split-chunk2048 2>&1 | quiet | tee "$OUT/forward-split-chunk2048.log" | grep -E "^(70m|1b)|rror"
echo "S step done in ${SECONDS} s"

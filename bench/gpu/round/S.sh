#!/usr/bin/env bash
# Helper S's step of a GPU round (bench/gpu/round.sh): split-float16 float32 products (src/backend-webgpu-split.ts,
# MASSIVE_WEBGPU_F32_PRODUCT=auto (default: split where available, weights >= 2^18)|simt|split|split-all). Round 3
# (<= 90 s): the split test (the GPU's split vs the host's bit for bit, accuracy vs float64 beside the SIMT kernel,
# the tiny-neox forward with split-all), the float32 parity tests with the DEFAULT switch, the streaming record test
# with split-all (float16 file bits split on the GPU), then the 70m forward with the default (every product split)
# beside simt in the same call. Each
# under its own timeout within ROUND_BUDGET_S (default 85 s). Details under $OUT, a summary on stdout.
set -uo pipefail
budget=${ROUND_BUDGET_S:-85}
left() { echo $(( budget - SECONDS )); }
step() { local t=$1; shift; local l; l=$(left); (( l > 5 )) || { echo "skipped (budget): $*"; return 0; }; (( t < l )) || t=$l; timeout "$t" "$@"; }
step 20 node --test --test-reporter=spec .gpu-rec/js/test/backend/webgpu-split.test.js 2>&1 | quiet > "$OUT/split-test.log"
grep -E '^ℹ (tests|pass|fail|skipped)|^✖|simt |halves|max \|error\||AssertionError' "$OUT/split-test.log" | cut -c1-300 | head -30
step 12 node --test --test-reporter=spec .gpu-rec/js/test/model/gpt-neox-parity.test.js 2>&1 | quiet > "$OUT/parity-default.log"
echo "parity with the default switch: $(grep -E '^ℹ (pass|fail)' "$OUT/parity-default.log" | tr '\n' ' ')"; grep -E '^✖|AssertionError' "$OUT/parity-default.log" | head -4
MASSIVE_WEBGPU_F32_PRODUCT=split-all step 25 node --test --test-reporter=spec .gpu-rec/js/test/record/stream.test.js 2>&1 | quiet > "$OUT/stream-split-all.log"
echo "record/stream with split-all (float16 file bits -> packSplitHalfWeight): $(grep -E '^ℹ (pass|fail)' "$OUT/stream-split-all.log" | tr '\n' ' ')"; grep -E '^✖|AssertionError' "$OUT/stream-split-all.log" | head -4
step 15 node .gpu-rec/js/bench/gpu/forward.js --shapes 70m --reps 3 --tag default 2>&1 | quiet | tee "$OUT/forward-default.log" | grep -E '^70m|rror'
MASSIVE_WEBGPU_F32_PRODUCT=simt step 15 node .gpu-rec/js/bench/gpu/forward.js --shapes 70m --reps 3 --tag simt 2>&1 | quiet | tee "$OUT/forward-simt.log" | grep -E '^70m|rror'
echo "S step done in ${SECONDS} s"

#!/usr/bin/env bash
# Helper P's round step (float16 attention from tensor-core products; the default of float16 compute for heads of
# >= 128 dims since e517edd): the whole attention test (per program, causal edges, groups, vs the float32 composite
# within the derived bound, the batched product, the tiny-neox float16 forward), then the attention bench (70m, 1b:
# float32 flash vs products, wall and GPU time, per program). Run by bench/gpu/round.sh with OUT set; <= 90 s in all.
set -uo pipefail
source scripts/device/run-lib.sh # quiet
J=.gpu-rec/js
timeout 58 node --test --test-reporter=spec $J/test/backend/webgpu-attention-tc.test.js 2>&1 | quiet > "$OUT/p-test.log"
grep -E '^\s+(programs )?B [0-9]|batch 3' "$OUT/p-test.log" | sed 's/^ *//' | cut -c1-170 > "$OUT/p-test-numbers.log"
grep -E '^(✔|✖)|^ℹ (pass|fail)' "$OUT/p-test.log" | cut -c1-100
OUT=$OUT timeout 27 node $J/bench/gpu/attention-tc.js --shapes 70m,1b --reps 5 --tag p3 2>&1 | quiet > "$OUT/p-bench.log"
grep -E '^(70m|1b) |Error|error' "$OUT/p-bench.log" | cut -c1-300 | head -10

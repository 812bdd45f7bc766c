#!/usr/bin/env bash
# Helper P's round step (float16 attention from tensor-core products, MASSIVE_WEBGPU_ATTENTION_F16=products):
# the attention test (vs float32 composite within the derived bound; causal edges; groups), the attention bench
# (70m, 1b: float32 flash vs products, per-program split), then the float16 forward with products attention.
# Run by bench/gpu/round.sh with OUT set; <= 120 s in all.
set -uo pipefail
source scripts/device/run-lib.sh # quiet
J=.gpu-rec/js
timeout 55 node --test --test-reporter=spec $J/test/backend/webgpu-attention-tc.test.js 2>&1 | quiet > "$OUT/p-test.log"
grep -E '^\s+(programs )?B [0-9]|batch 3' "$OUT/p-test.log" | sed 's/^ *//' | cut -c1-160 > "$OUT/p-test-numbers.log"
grep -E '^(✔|✖)|^ℹ (pass|fail)' "$OUT/p-test.log" | cut -c1-100
OUT=$OUT timeout 22 node $J/bench/gpu/attention-tc.js --shapes 70m,1b --reps 5 --tag p 2>&1 | quiet > "$OUT/p-bench.log"
grep -E '^(70m|1b) |Error|error' "$OUT/p-bench.log" | head -10
MASSIVE_WEBGPU_ATTENTION_F16=products timeout 45 node $J/bench/gpu/forward.js --shapes 70m,1b --compute float16 --reps 2 --tag f16-products 2>&1 | quiet > "$OUT/p-forward.log"
grep -E 'float16 batch|Error|error' "$OUT/p-forward.log" | head -10

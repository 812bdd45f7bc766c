#!/usr/bin/env bash
# Helper P's round step (float16 attention from tensor-core products, MASSIVE_WEBGPU_ATTENTION_F16=products|auto):
# the attention test (vs float32 composite within the derived bound; per program; causal edges; groups; the
# halfBatchedMatMul test is left out: unchanged since round 1), the attention bench (70m, 1b, 6.9b: float32 flash
# vs products, per-program split), then the GPU time per program of a 70m float16 pass with the products (is it
# host-bound?). Run by bench/gpu/round.sh with OUT set; <= 90 s in all.
set -uo pipefail
source scripts/device/run-lib.sh # quiet
J=.gpu-rec/js
timeout 45 node --test --test-reporter=spec --test-name-pattern='pairsPerGroup|attention|GPT-NeoX' $J/test/backend/webgpu-attention-tc.test.js 2>&1 | quiet > "$OUT/p-test.log"
grep -E '^\s+(programs )?B [0-9]|batch 3' "$OUT/p-test.log" | sed 's/^ *//' | cut -c1-170 > "$OUT/p-test-numbers.log"
grep -E '^(✔|✖)|^ℹ (pass|fail)' "$OUT/p-test.log" | cut -c1-100
OUT=$OUT timeout 27 node $J/bench/gpu/attention-tc.js --shapes 70m,1b,6.9b --reps 3 --tag p2 2>&1 | quiet > "$OUT/p-bench.log"
grep -E '^(70m|1b|6.9b) |Error|error' "$OUT/p-bench.log" | cut -c1-300 | head -10
MASSIVE_WEBGPU_ATTENTION_F16=products OUT=$OUT timeout 15 node $J/bench/gpu/programs.js --shapes 70m --compute float16 --top 30 --tag f16-products 2>&1 | quiet > "$OUT/p-programs.log"
grep -E '^programs|massive(PackAttention|CausalSoftmaxHalf|HalfMatMul.*-> \[40,)|Error' "$OUT/p-programs.log" | cut -c1-160 | head -8

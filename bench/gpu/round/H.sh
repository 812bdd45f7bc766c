#!/usr/bin/env bash
# Helper H's step of a GPU round (bench/gpu/round.sh): where the 70m float16 forward with logits loses ~25 ms per
# pass of 5 x 2048 tokens (forward.ts 47 ms per pass vs programs.ts 21-25 ms, session 6). bench/gpu/pass-probe.ts
# runs forward.ts's loop per config (logits in passes of 5 or 2, hidden in 5 or 10; ":fence" splits encoding / GPU
# wait / read-back), counting device calls (buffers, pipelines, submits, read-backs) per repetition and keeping every
# repetition; float32 beside it; forward.js itself twice (variance between calls); nvidia-smi samples the SM clock
# meanwhile (a clock that ramps up late would show as a slow first pass). First the float16 and fused-kernel tests
# (LayerNorm / GELU / flash attention writing float16 bits for the products, the residual's three-way add). Details under $OUT; <= 120 s.
set -uo pipefail
budget=${ROUND_BUDGET_S:-115}
step() { local t=$1; shift; local l=$(( budget - SECONDS )); (( l > 5 )) || { echo "skipped (budget): $*"; return 0; }; (( t < l )) || t=$l; timeout "$t" "$@"; }
J=.gpu-rec/js
nvidia-smi --query-gpu=timestamp,clocks.sm,clocks.mem,pstate,utilization.gpu,power.draw --format=csv -lms 100 > "$OUT/smi.csv" 2>&1 & smi=$!
echo "start $(date -u +%T.%N)" > "$OUT/marks.log"
for t in webgpu-f16 webgpu-fused; do
  step 30 node --test --test-reporter=spec $J/test/backend/$t.test.js 2>&1 | quiet > "$OUT/$t-test.log"
  echo "$t test: $(grep -E '^ℹ (pass|fail)' "$OUT/$t-test.log" | tr '\n' ' ')"; grep -E '^✖|AssertionError|half: ' "$OUT/$t-test.log" | cut -c1-200 | head -6
done
probe() { local tag=$1; shift; echo "$tag $(date -u +%T.%N)" >> "$OUT/marks.log"; OUT=$OUT step 35 node $J/bench/gpu/pass-probe.js --tag "$tag" "$@" 2>&1 | quiet > "$OUT/probe-$tag.log"; grep -E '^(logits|hidden|product)|^  encode|rror' "$OUT/probe-$tag.log" | cut -c1-260; }
probe f16 --shape 70m --compute float16 --reps 6 --product 1 --configs logits:5,logits:5:fence,logits:2,logits:2:fence,hidden:5,hidden:10:fence
for t in train/fused-kernels train/parity backend/webgpu-attention-tc; do
  n=$(basename $t); step 45 node --test --test-reporter=spec $J/test/$t.test.js 2>&1 | quiet > "$OUT/$n-test.log"
  echo "$t test: $(grep -E '^ℹ (pass|fail)' "$OUT/$n-test.log" | tr '\n' ' ')"; grep -E '^✖|AssertionError' "$OUT/$n-test.log" | cut -c1-200 | head -4
done
MASSIVE_WEBGPU_ATTENTION_F16=products probe f16-products --shape 70m --compute float16 --reps 6 --configs logits:5,logits:5:fence,hidden:10:fence
probe f32 --shape 70m --compute float32 --reps 6 --product 1 --configs logits:5,logits:5:fence,hidden:10:fence
for i in 1 2; do echo "forward$i $(date -u +%T.%N)" >> "$OUT/marks.log"; OUT=$OUT step 20 node $J/bench/gpu/forward.js --shapes 70m --compute float16 --reps 6 --tag "f16-$i" 2>&1 | quiet | tee "$OUT/forward-$i.log" | grep -E '^70m|rror'; done
kill "$smi" 2>/dev/null
awk -F', ' 'NR > 1 && $2 + 0 > 0 { v = $2 + 0; n++; if (n == 1 || v < mn) mn = v; if (v > mx) mx = v } END { printf "SM clock while running: %d samples, min %s max %s MHz\n", n, mn, mx }' "$OUT/smi.csv"
echo "H step done in ${SECONDS} s"

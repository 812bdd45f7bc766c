#!/usr/bin/env bash
# Helper H's step of a GPU round (bench/gpu/round.sh), R2 (<= 90 s): the 70m float16 forward with logits went from
# 217,617 tokens/s (session 6's end) to 547-577k in R1, after the producers of float16 activations (LayerNorm, GELU,
# flash attention) started writing float16 bits themselves. A/B in one call, alternated twice: the default,
# MASSIVE_WEBGPU_F16_PACK=separate (the old separate packing passes: does the lost ~25 ms per pass come back?) and
# the products attention (MASSIVE_WEBGPU_ATTENTION_F16=products, faster in R1's fenced probe); pass-probe.js for the
# default and separate (encoding / GPU wait / read-back per pass). First the float16 test's fast cases and the
# fused-kernel test (LayerNorm 4 rows per workgroup and GELU 4 elements per invocation are new in R2); last 1b float16
# (must not regress: 79,902 tokens/s in session 6) and, with what is left, programs.js's per-program GPU time of the
# 70m pass. nvidia-smi samples the SM clock once a second (every 100 ms in R1 may have perturbed the host).
set -uo pipefail
budget=${ROUND_BUDGET_S:-86}
step() { local t=$1; shift; local l=$(( budget - SECONDS )); (( l > 5 )) || { echo "skipped (budget): $*"; return 0; }; (( t < l )) || t=$l; timeout "$t" "$@"; }
J=.gpu-rec/js
nvidia-smi --query-gpu=timestamp,clocks.sm,clocks.mem,pstate,utilization.gpu,power.draw --format=csv -lms 1000 > "$OUT/smi.csv" 2>&1 & smi=$!
mark() { echo "$1 $(date -u +%T.%N)" >> "$OUT/marks.log"; }
mark start
step 15 node --test --test-reporter=spec --test-name-pattern='GPT-NeoX forward in float16|with half write|packHalfActivations rounds' $J/test/backend/webgpu-f16.test.js 2>&1 | quiet > "$OUT/f16-test.log"
echo "webgpu-f16 test (fast cases): $(grep -E '^ℹ (pass|fail)' "$OUT/f16-test.log" | tr '\n' ' ')"; grep -E '^✖|AssertionError' "$OUT/f16-test.log" | cut -c1-200 | head -4
step 15 node --test --test-reporter=spec $J/test/backend/webgpu-fused.test.js 2>&1 | quiet > "$OUT/fused-test.log"
echo "webgpu-fused test: $(grep -E '^ℹ (pass|fail)' "$OUT/fused-test.log" | tr '\n' ' ')"; grep -E '^✖|AssertionError|LayerNorm \[|GELU:' "$OUT/fused-test.log" | cut -c1-200 | head -8
fwd() { local tag=$1; shift; mark "$tag"; step 12 env "$@" node $J/bench/gpu/forward.js --shapes 70m --compute float16 --reps 6 --tag "$tag" 2>&1 | quiet > "$OUT/forward-$tag.log"; echo "$tag: $(grep -E '^70m|rror' "$OUT/forward-$tag.log" | cut -c1-120)"; }
ab() { fwd "default-$1" MASSIVE_WEBGPU_F16_PACK=; fwd "separate-$1" MASSIVE_WEBGPU_F16_PACK=separate; fwd "products-$1" MASSIVE_WEBGPU_ATTENTION_F16=products; }
ab 1
mark 1b; step 45 node $J/bench/gpu/forward.js --shapes 1b --compute float16 --reps 3 --tag 1b 2>&1 | quiet | tee "$OUT/forward-1b.log" | grep -E '^1b|rror'
ab 2
for v in default separate; do
  mark "probe-$v"; step 12 env MASSIVE_WEBGPU_F16_PACK=$([[ $v == separate ]] && echo separate) node $J/bench/gpu/pass-probe.js --shape 70m --compute float16 --reps 5 --tag "$v" --configs logits:5:fence,hidden:5:fence 2>&1 | quiet > "$OUT/probe-$v.log"
  grep -E '^(logits|hidden)|^  encode|rror' "$OUT/probe-$v.log" | sed "s/^/$v /" | cut -c1-230
done
mark programs; step 15 node $J/bench/gpu/programs.js --shapes 70m --compute float16 --tag f16 2>&1 | quiet > "$OUT/programs-f16.log"; grep -E '^programs|rror' "$OUT/programs-f16.log" | cut -c1-200
kill "$smi" 2>/dev/null
awk -F', ' 'NR > 1 && $2 + 0 > 0 { v = $2 + 0; n++; if (n == 1 || v < mn) mn = v; if (v > mx) mx = v } END { printf "SM clock while running: %d samples, min %s max %s MHz\n", n, mn, mx }' "$OUT/smi.csv"
echo "H step done in ${SECONDS} s"

#!/usr/bin/env bash
# Helper H's step of a GPU round (bench/gpu/round.sh), R3 (<= 80 s). R2 (same call, alternated): the 70m float16
# forward with logits 574k/553k tokens/s by default, 565k/549k with MASSIVE_WEBGPU_F16_PACK=separate (session 6's
# packing passes: the lost ~25 ms per pass did NOT come back), 549k/603k with the products attention, whose layers-only
# figure was 983k/1,006k against 834k/828k. Here: the attention-tc test's cases for the float16 context of the P v
# product (new in cfe9371, in R2's 1b figure but not yet tested) and the mode; forward.js with --reps 2 after an idle
# GPU (as the end-of-session check runs it: a cold-start effect?); default vs products alternated three times with
# --reps 8; 160m (also 64-dim heads) both ways; programs.js with the products. Details under $OUT.
set -uo pipefail
budget=${ROUND_BUDGET_S:-76}
step() { local t=$1; shift; local l=$(( budget - SECONDS )); (( l > 5 )) || { echo "skipped (budget): $*"; return 0; }; (( t < l )) || t=$l; timeout "$t" "$@"; }
J=.gpu-rec/js
mark() { echo "$1 $(date -u +%T.%N)" >> "$OUT/marks.log"; }
mark start
step 25 node --test --test-reporter=spec --test-name-pattern='with half writes|GPT-NeoX forward in float16 compute with|programs one by one|float16 attention mode' $J/test/backend/webgpu-attention-tc.test.js 2>&1 | quiet > "$OUT/attention-tc-test.log"
echo "attention-tc test (half context, mode, programs, products forward): $(grep -E '^ℹ (pass|fail)' "$OUT/attention-tc-test.log" | tr '\n' ' ')"; grep -E '^✖|AssertionError|half context' "$OUT/attention-tc-test.log" | cut -c1-200 | head -6
fwd() { local tag=$1 shape=$2 reps=$3; shift 3; mark "$tag"; step 15 env "$@" node $J/bench/gpu/forward.js --shapes "$shape" --compute float16 --reps "$reps" --tag "$tag" 2>&1 | quiet > "$OUT/forward-$tag.log"; echo "$tag: $(grep -E '^(70m|160m)|rror' "$OUT/forward-$tag.log" | cut -c1-110)"; }
sleep 3 # the GPU idles (its clock drops to 345 MHz within ~1 s: R1's nvidia-smi samples)
fwd cold-reps2 70m 2 -u MASSIVE_WEBGPU_ATTENTION_F16
for i in 1 2 3; do
  fwd "flash-$i" 70m 8 MASSIVE_WEBGPU_ATTENTION_F16=off
  fwd "products-$i" 70m 8 MASSIVE_WEBGPU_ATTENTION_F16=products
done
fwd flash-160m 160m 4 MASSIVE_WEBGPU_ATTENTION_F16=off
fwd products-160m 160m 4 MASSIVE_WEBGPU_ATTENTION_F16=products
mark programs; step 12 env MASSIVE_WEBGPU_ATTENTION_F16=products node $J/bench/gpu/programs.js --shapes 70m --compute float16 --tag f16-products 2>&1 | quiet > "$OUT/programs-f16-products.log"; grep -E '^programs|rror' "$OUT/programs-f16-products.log" | cut -c1-200
echo "H step done in ${SECONDS} s"

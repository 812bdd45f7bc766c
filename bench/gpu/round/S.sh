#!/usr/bin/env bash
# Helper S's step of a GPU round (bench/gpu/round.sh): split-float16 float32 products (src/backend-webgpu-split.ts) as
# the default of the float32 forward and of recording. Session 7, round 3 (<= 80 s; round 2's step took 74 s): the
# split test (the activations' split now reads and splits each pair once: its halves checked bit for bit), the
# forward of 70m and 1b with the default beside SIMT in the same call (round 2: 1b 25,601 tokens/s, session 6's
# unbounded split ranged 25,085-28,984 over its calls), recording 1b with the default beside SIMT (round 1: 1.40 vs
# 1.43 s; round 2, default only: 1.68 s), per-program GPU time of the 70m pass. Each under its own timeout within
# ROUND_BUDGET_S (default 78 s).
set -uo pipefail
budget=${ROUND_BUDGET_S:-78}
left() { echo $(( budget - SECONDS )); }
step() { local t=$1; shift; local l; l=$(left); (( l > 5 )) || { echo "skipped (budget): $*" >&2; return 0; }; (( t < l )) || t=$l; timeout "$t" "$@"; }
J=.gpu-rec/js
step 20 node --test --test-reporter=spec $J/test/backend/webgpu-split.test.js 2>&1 | quiet > "$OUT/split-test.log"
echo "split test: $(grep -E '^ℹ (pass|fail)' "$OUT/split-test.log" | tr '\n' ' ')"; grep -E '^✖|AssertionError' "$OUT/split-test.log" | cut -c1-200 | head -4
fwd() { step "$1" node $J/bench/gpu/forward.js --reps 2 --shapes 70m,1b "${@:2}" 2>&1 | quiet | grep -v '^wrote'; }
fwd 20 --tag default | tee "$OUT/forward-default.log" | grep -E '^(70m|1b) |rror' | cut -c1-100 | sed 's/^/default /'
MASSIVE_WEBGPU_F32_PRODUCT=simt fwd 18 --tag simt | tee "$OUT/forward-simt.log" | grep -E '^(70m|1b) |rror' | cut -c1-100 | sed 's/^/simt    /'
D=/tmp/massive-stream
rec() { step "$1" node $J/bench/stream/run.js --seqs 10 --seq 2048 --profile 0 --loaded none --dir $D --shapes 1b --repeat 2 "${@:2}" 2>&1 | quiet | grep -v '^wrote'; }
rec 14 --out "$OUT/stream-default.json" | tee "$OUT/stream-default.log" | grep -E '^\| 1b|rror' | sed 's/^/default /'
MASSIVE_WEBGPU_F32_PRODUCT=simt rec 9 --out "$OUT/stream-simt.json" | tee "$OUT/stream-simt.log" | grep -E '^\| 1b|rror' | sed 's/^/simt    /'
step 12 node $J/bench/gpu/programs.js --shapes 70m --tag 70m 2>&1 | quiet > "$OUT/programs-70m.log"
grep -A12 '^programs' "$OUT/programs-70m.log" | grep -E 'programs|split|Split' | cut -c1-150 | head -6
echo "S step done in ${SECONDS} s"

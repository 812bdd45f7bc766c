#!/usr/bin/env bash
# Helper S's step of a GPU round (bench/gpu/round.sh): split-float16 float32 products (src/backend-webgpu-split.ts) as
# the default of the float32 forward and of recording, their temporaries bounded per residency (SPLIT_TEMP_BYTES:
# resident 1 GiB, streamed 256 MiB). Session 7, round 2 (<= 90 s): the split test (R1's view read-back fixed), the 1b
# forward with the default beside an unbounded budget (MASSIVE_WEBGPU_SPLIT_TEMP_MIB=4096: does 1 GiB cost?), the
# record/stream test with split-all (streamed == loaded with split weights in 2 parts, pieces of other sizes). Each
# under its own timeout within ROUND_BUDGET_S (default 88 s).
set -uo pipefail
budget=${ROUND_BUDGET_S:-88}
left() { echo $(( budget - SECONDS )); }
step() { local t=$1; shift; local l; l=$(left); (( l > 5 )) || { echo "skipped (budget): $*" >&2; return 0; }; (( t < l )) || t=$l; timeout "$t" "$@"; }
J=.gpu-rec/js
tst() { step "$1" node --test --test-reporter=spec "$J/test/$2.test.js" 2>&1 | quiet > "$OUT/$3.log"; echo "$2 ($3): $(grep -E '^ℹ (pass|fail)' "$OUT/$3.log" | tr '\n' ' ')"; grep -E '^✖|AssertionError' "$OUT/$3.log" | cut -c1-200 | head -4; }
tst 24 backend/webgpu-split split-test
grep -E '2 parts vs 3|halves|simt .* split' "$OUT/split-test.log" | sed 's/^ *//' | cut -c1-160 | head -8
fwd() { step "$1" node $J/bench/gpu/forward.js --reps 2 "${@:2}" 2>&1 | quiet | grep -v '^wrote'; }
fwd 22 --shapes 1b --tag default | tee "$OUT/forward-default.log" | grep -E '^1b |rror' | cut -c1-100 | sed 's/^/default:   /'
MASSIVE_WEBGPU_SPLIT_TEMP_MIB=4096 fwd 22 --shapes 1b --tag temp4096 | tee "$OUT/forward-temp4096.log" | grep -E '^1b |rror' | cut -c1-100 | sed 's/^/4096 MiB:  /'
MASSIVE_WEBGPU_F32_PRODUCT=split-all tst 20 record/stream stream-split-all
echo "S step done in ${SECONDS} s"

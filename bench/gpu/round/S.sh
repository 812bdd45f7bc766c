#!/usr/bin/env bash
# Helper S's step of a GPU round (bench/gpu/round.sh): split-float16 float32 products (src/backend-webgpu-split.ts) as
# the default of the float32 forward and of recording, their temporaries bounded per residency (SPLIT_TEMP_BYTES:
# resident 1 GiB, streamed 256 MiB), pieces of rows written in place into one output. Session 7, round 2 (<= 90 s;
# round 1's whole step took 58 s): the split test (R1's view read-back fixed; pieces == whole), the forward of 70m and
# 1b with the default, recording 1b and 12b-L8 with the default (split), the record/stream test with split-all
# (streamed == loaded with split weights in 2 parts), per-program GPU time of the 70m and 1b passes. Each under its
# own timeout within ROUND_BUDGET_S (default 88 s).
set -uo pipefail
budget=${ROUND_BUDGET_S:-88}
left() { echo $(( budget - SECONDS )); }
step() { local t=$1; shift; local l; l=$(left); (( l > 5 )) || { echo "skipped (budget): $*" >&2; return 0; }; (( t < l )) || t=$l; timeout "$t" "$@"; }
J=.gpu-rec/js
tst() { step "$1" node --test --test-reporter=spec "$J/test/$2.test.js" 2>&1 | quiet > "$OUT/$3.log"; echo "$2 ($3): $(grep -E '^ℹ (pass|fail)' "$OUT/$3.log" | tr '\n' ' ')"; grep -E '^✖|AssertionError' "$OUT/$3.log" | cut -c1-200 | head -4; }
tst 24 backend/webgpu-split split-test
grep -E '2 parts vs 3' "$OUT/split-test.log" | sed 's/^ *//' | cut -c1-160
step 25 node $J/bench/gpu/forward.js --reps 2 --shapes 70m,1b --tag default 2>&1 | quiet | grep -v '^wrote' | tee "$OUT/forward-default.log" | grep -E '^(70m|1b) |rror' | cut -c1-110
D=/tmp/massive-stream
rec() { step "$1" node $J/bench/stream/run.js --seqs 10 --seq 2048 --profile 0 --loaded none --dir $D "${@:2}" 2>&1 | quiet | grep -v '^wrote'; }
rec 16 --shapes 1b --repeat 2 --out "$OUT/stream-1b.json" | tee "$OUT/stream-1b.log" | grep -E '^\| 1b|rror'
MASSIVE_WEBGPU_F32_PRODUCT=split-all tst 18 record/stream stream-split-all
rec 30 --shapes 12b-L8 --repeat 1 --out "$OUT/stream-12b.json" | tee "$OUT/stream-12b.log" | grep -E '^\| 12b|rror'
for s in 70m 1b; do
  step 25 node $J/bench/gpu/programs.js --shapes $s --tag $s 2>&1 | quiet > "$OUT/programs-$s.log"
  grep -A7 '^programs' "$OUT/programs-$s.log" | cut -c1-150 | head -8
done
echo "S step done in ${SECONDS} s"

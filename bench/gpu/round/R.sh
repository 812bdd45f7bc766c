#!/usr/bin/env bash
# Helper R's step of a GPU round (bench/gpu/round.sh), session 8.
# R3: as R2 with the tiles in reverse order (after v1, the reference of the differences), a second sample against
# order effects. R2: the float32 flash attention's vN tiles timed for the first time as their own programs (the pipeline key lacked
# vkeys until d410752: session 7 round 3's vN rows ran the base tile's program, docs/gpu.md), beside the base tiles,
# the same list and shapes as round 3 (bench/gpu/h200-2026-12-02-s7/flash-tiles/round-3); then, as budget allows, the
# provenance tests of R1 again (GPTNeoX.arithmetic, recordRun's record fields; both passed in R1).
# Each under its own timeout within ROUND_BUDGET_S (default 38 s; the brief allows 40).
set -uo pipefail
budget=${ROUND_BUDGET_S:-38}
left() { echo $(( budget - SECONDS )); }
step() { local t=$1; shift; local l; l=$(left); (( l > 5 )) || { echo "skipped (budget): $*" >&2; return 0; }; (( t < l )) || t=$l; timeout "$t" "$@"; }
J=.gpu-rec/js
OUT=$OUT step 26 node $J/bench/gpu/attention-flash.js --shapes 70m,1b,12b-L1 --tiles v1,4x16k8v16,4x32v32,4x32,4x16k8v64,8x16v64,8x16 --reps 5 --tag vn-reversed 2>&1 | quiet > "$OUT/flash-bench.log"
grep -E "^(70m|1b|12b-L1) " "$OUT/flash-bench.log" | awk '{ n = $0; sub(/^[^ ]+ +flash /, "", n); sub(/ *:.*/, "", n); w = $0; sub(/^[^:]*: /, "", w); sub(/ ms per pass.*/, "", w); g = $0; sub(/.*GPU /, "", g); sub(/ ms.*/, "", g); if (w ~ /bytes/) { w = "skip"; g = "" } s[$1] = s[$1] " " n " " w "/" g "," } END { for (k in s) print k " ms/pass (wall/GPU):" s[k] }' | cut -c1-240
grep -E 'rror' "$OUT/flash-bench.log" | head -3
tst() { step "$1" node --test --test-reporter=spec "$J/test/$2.test.js" 2>&1 | quiet > "$OUT/$3.log"; echo "$2 ($3): $(grep -E '^ℹ (pass|fail|skipped)' "$OUT/$3.log" | tr '\n' ' ')"; grep -E '^✖|AssertionError' "$OUT/$3.log" | cut -c1-300 | head -4; }
tst 8 record/provenance provenance
echo "R step done in ${SECONDS} s"

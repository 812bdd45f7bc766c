#!/usr/bin/env bash
# Helper R's step of a GPU round (bench/gpu/round.sh), session 8: records say how they were computed. Runs
# GPTNeoX.arithmetic's test (defaults per residency, the overrides, float16 attention per head size) and recordRun on
# one mini-pythia checkpoint with default, split-all and two float16 attentions, checking each record's provenance
# fields. Each under its own timeout within ROUND_BUDGET_S (default 38 s; the brief allows 40).
set -uo pipefail
budget=${ROUND_BUDGET_S:-38}
left() { echo $(( budget - SECONDS )); }
step() { local t=$1; shift; local l; l=$(left); (( l > 5 )) || { echo "skipped (budget): $*" >&2; return 0; }; (( t < l )) || t=$l; timeout "$t" "$@"; }
J=.gpu-rec/js
tst() { step "$1" node --test --test-reporter=spec "$J/test/$2.test.js" 2>&1 | quiet > "$OUT/$3.log"; echo "$2 ($3): $(grep -E '^ℹ (pass|fail|skipped)' "$OUT/$3.log" | tr '\n' ' ')"; grep -E '^✖|AssertionError|records:' "$OUT/$3.log" | cut -c1-300 | head -4; }
tst 15 model/arithmetic arithmetic
tst 20 record/provenance provenance
echo "R step done in ${SECONDS} s"

#!/usr/bin/env bash
# The lead's step of a GPU round (bench/gpu/round.sh): every WebGPU test of the bundle but the helpers' own files
# (as bench/gpu/session-check.sh step 1), so that a change of defaults is checked against all of them early.
tests=($(ls .gpu-rec/js/test/backend/webgpu-*.test.js .gpu-rec/js/test/model/*.test.js .gpu-rec/js/test/record/*.test.js .gpu-rec/js/test/train/*.test.js 2>/dev/null | grep -v -e wgsl -e webgpu-attention-f16 -e webgpu-attention-tc -e webgpu-split))
timeout ${LEAD_TESTS_S:-110} node --test --test-reporter=spec "${tests[@]}" 2>&1 | quiet > "$OUT/tests.log"
grep -E '^ℹ (tests|pass|fail|skipped)|^✖' "$OUT/tests.log"
grep -B2 -A12 '^✖' "$OUT/tests.log" | grep -E 'AssertionError|Error:|expected|actual|not ok|✖' | head -20
# Session 8: the forward's timing protocol (--sync rep, the peer's, vs batch, the earlier one) on 70m, same call.
if [[ -z ${LEAD_SKIP_FORWARD:-} ]]; then
  for c in ${LEAD_FWD_COMPUTE:-float16}; do for s in rep batch; do
    timeout 40 node .gpu-rec/js/bench/gpu/forward.js --shapes 70m --compute $c --sync $s --reps 5 --tag $c-$s 2>&1 | quiet | grep -E '^70m|ERROR'
  done; done
fi

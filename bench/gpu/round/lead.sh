# The lead's step: every WebGPU test of the bundle (as bench/gpu/session-check.sh step 1), then the forward of 70m and
# 1b in float32 and float16 with a per-program GPU profile (bench/gpu/forward.ts --profile).
tests=($(ls .gpu-rec/js/test/backend/webgpu-*.test.js .gpu-rec/js/test/model/*.test.js .gpu-rec/js/test/record/*.test.js .gpu-rec/js/test/train/*.test.js 2>/dev/null | grep -v -e wgsl -e webgpu-attention-f16))
timeout 110 node --test --test-reporter=spec "${tests[@]}" 2>&1 | quiet > "$OUT/tests.log"
grep -E '^ℹ (tests|pass|fail|skipped)|^✖' "$OUT/tests.log"

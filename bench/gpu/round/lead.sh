# The lead's step: every WebGPU test of the bundle but the helpers' own (attention-tc: P; split: S) (as bench/gpu/session-check.sh step 1), then the forward of 70m and
# 1b in float32 and float16 with a per-program GPU profile (bench/gpu/forward.ts --profile).
tests=($(ls .gpu-rec/js/test/backend/webgpu-*.test.js .gpu-rec/js/test/model/*.test.js .gpu-rec/js/test/record/*.test.js .gpu-rec/js/test/train/*.test.js 2>/dev/null | grep -v -e wgsl -e webgpu-attention-f16 -e webgpu-attention-tc -e webgpu-split))
timeout 110 node --test --test-reporter=spec "${tests[@]}" 2>&1 | quiet > "$OUT/tests.log"
grep -E '^ℹ (tests|pass|fail|skipped)|^✖' "$OUT/tests.log"
# Where a pass's GPU time goes, per program (timestamp queries; bench/gpu/programs.ts), 5 x 2048 tokens with logits.
timeout 40 node .gpu-rec/js/bench/gpu/programs.js --shapes 70m --tag f32 2>&1 | quiet
timeout 40 node .gpu-rec/js/bench/gpu/programs.js --shapes 70m --compute float16 --tag f16 2>&1 | quiet
timeout 60 node .gpu-rec/js/bench/gpu/programs.js --shapes 1b --compute float16 --tag f16-1b 2>&1 | quiet

#!/usr/bin/env bash
# Bundles what bench/stream/gpu-run.sh runs on the GPU machine into the ignored folder .gpu-rec/ (js.tar.xz): the
# streaming bench (run, child), the forward bench, the WebGPU kernel tests, the model parity tests and the
# recording tests. The shared .gpu/ (node, dawn.node, Vulkan debs) comes from scripts/device/pack.sh, run only when
# .gpu/node_modules is missing. Device calls: carry .gpu/node.xz first (unpack node, scripts/device/README.md), then
# .gpu/debs, .gpu/node_modules and .gpu-rec, and run `bash bench/stream/gpu-run.sh`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
tests=($(ls test/model/*.test.ts test/record/stream.test.ts test/record/stats.test.ts test/record/provenance.test.ts test/backend/webgpu-*.test.ts test/train/parity.test.ts test/train/fused-kernels.test.ts | grep -v -e '-cli\.test' -e 'webgpu-wgsl\.test'))
bash scripts/device/bundle.sh .gpu-rec bench/stream/run.ts bench/stream/child.ts bench/stream/checkpoint.ts bench/gpu/forward.ts bench/gpu/programs.ts \
  bench/gpu/matmul.ts bench/gpu/robustness.ts bench/gpu/f16-probe.ts bench/gpu/attention-f16.ts bench/gpu/attention-tc.ts bench/gpu/split-probe.ts bench/gpu/pass-probe.ts bench/gpu/attention-flash.ts "${tests[@]}"


#!/usr/bin/env bash
# Bundles what bench/stream/gpu-run.sh runs on the GPU machine into the ignored folder .gpu-rec/ (js.tar.xz): the
# streaming bench (run, child), the forward bench, the WebGPU kernel tests, the model parity tests and the
# recording tests. The shared .gpu/ (node, dawn.node, Vulkan debs) comes from scripts/device/pack.sh, run only when
# .gpu/node_modules is missing. Device calls: carry .gpu/node.xz first (unpack node, scripts/device/README.md), then
# .gpu/debs, .gpu/node_modules and .gpu-rec, and run `bash bench/stream/gpu-run.sh`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
[[ -d .gpu/node_modules ]] || bash scripts/device/pack.sh
G=.gpu-rec
grep -qx '/.gpu-rec/' .git/info/exclude || echo '/.gpu-rec/' >> .git/info/exclude
rm -rf "$G"; mkdir -p "$G/js"
tests=($(ls test/model/*.test.ts test/record/stream.test.ts test/record/stats.test.ts test/backend/webgpu-*.test.ts test/train/parity.test.ts test/train/fused-kernels.test.ts | grep -v -e '-cli\.test' -e 'webgpu-wgsl\.test'))
npx esbuild bench/stream/run.ts bench/stream/child.ts bench/stream/checkpoint.ts bench/gpu/forward.ts bench/gpu/programs.ts bench/gpu/matmul.ts bench/gpu/robustness.ts bench/gpu/f16-probe.ts bench/gpu/attention-f16.ts bench/gpu/attention-tc.ts "${tests[@]}" \
  --bundle --platform=node --format=cjs --target=node20 --outdir="$G/js" --outbase=. \
  --external:webgpu --external:@tensorflow/tfjs-node --external:@tensorflow/tfjs-node-gpu \
  --external:playwright-core --external:tslab --log-level=warning --minify-whitespace --out-extension:.js=.js
(cd "$G" && tar -cJf js.tar.xz js && rm -rf js)
du -sh "$G"/* >&2

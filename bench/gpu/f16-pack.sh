#!/usr/bin/env bash
# Bundles what bench/gpu/f16-run.sh runs on the GPU machine into the ignored folder .gpu-h/ (js.tar.xz: the probe,
# the forward bench, the float16 tests, the float32 parity test). node goes in two halves (.gpu/node.xz.part00 and
# part01, made by `split -b 12M .gpu/node.xz .gpu/node.xz.part`): with the tracked tree one call carries one half.
# Device calls, each within 30 s of the last (skip the first two where /opt/massive-node/bin/node is there already):
#   carry .gpu/node.xz.part00: mkdir -p /opt/massive-node/bin && cp .gpu/node.xz.part00 /opt/massive-node/
#   carry .gpu/node.xz.part01: cat /opt/massive-node/node.xz.part00 .gpu/node.xz.part01 | xz -dc > /opt/massive-node/bin/node && chmod +x /opt/massive-node/bin/node
#   carry .gpu/debs .gpu/node_modules .gpu-h/js.tar.xz: source scripts/device/on-device.sh; bash bench/gpu/f16-run.sh
# Before a call: `npx tsx bench/gpu/f16-probe.ts --compile-only` validates every tile's WGSL on Dawn's Null backend.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash scripts/device/bundle.sh .gpu-h bench/gpu/forward.ts bench/gpu/f16-probe.ts test/backend/webgpu-f16.test.ts test/model/gpt-neox-parity.test.ts test/record/stream.test.ts
[[ -f .gpu/node.xz.part01 ]] || split -b 12M .gpu/node.xz .gpu/node.xz.part
du -sh .gpu-h/* >&2

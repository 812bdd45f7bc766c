#!/usr/bin/env bash
# Bundles what bench/gpu/f16-run.sh runs on the GPU machine into the ignored folder .gpu-h/ (js.tar.xz: the forward
# bench, the float16 tests, the float32 parity test) and splits node.xz in 4 parts of 5.5 MB: with the tracked tree
# (~56 MiB on disk) one call carries at most one part. Device calls, each within 30 s of the last:
#   carry .gpu-h/node.xz.p00: mkdir -p /opt/massive-node/bin && cp .gpu-h/node.xz.p00 /opt/massive-node/
#   same for p01, p02; then carry .gpu-h/node.xz.p03:
#     cat /opt/massive-node/node.xz.p0{0,1,2} .gpu-h/node.xz.p03 | xz -dc > /opt/massive-node/bin/node && chmod +x /opt/massive-node/bin/node
#   carry .gpu/debs .gpu/node_modules .gpu-h/js.tar.xz: source scripts/device/on-device.sh; bash bench/gpu/f16-run.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
[[ -d .gpu/node_modules ]] || bash scripts/device/pack.sh
G=.gpu-h
grep -qx '/.gpu-h/' .git/info/exclude || echo '/.gpu-h/' >> .git/info/exclude
mkdir -p $G && rm -rf $G/js $G/js.tar.xz
npx esbuild bench/gpu/forward.ts bench/gpu/f16-probe.ts test/backend/webgpu-f16.test.ts test/model/gpt-neox-parity.test.ts \
  --bundle --platform=node --format=cjs --target=node20 --outdir=$G/js --outbase=. \
  --external:webgpu --external:@tensorflow/tfjs-node --external:@tensorflow/tfjs-node-gpu \
  --external:playwright-core --external:tslab --log-level=warning --minify-whitespace
(cd $G && tar -cJf js.tar.xz js && rm -rf js)
[[ -f $G/node.xz.p03 ]] || split -b 5500000 -d .gpu/node.xz $G/node.xz.p
du -sh $G/* >&2

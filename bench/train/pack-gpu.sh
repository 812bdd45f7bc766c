#!/usr/bin/env bash
# Packs the training benches for a GPU machine of the device tool into the ignored folder .gpu-train/ (add
# `/.gpu-train/` to .git/info/exclude), next to scripts/device/pack.sh's .gpu/ (node, dawn.node, Vulkan .debs: made
# by that script, reused here):
#   .gpu-train/js.tar.xz      esbuild bundles of test/train/parity.test.ts, test/train/fused-kernels.test.ts,
#                             bench/train/tfjs-train.ts, bench/train/profile-train.ts, bench/train/train-cli.ts
#   .gpu-train/corpus.tar.xz  the two @stdlib corpus packages (package.json + data/*.txt), found there through NODE_PATH
# Device side: bench/train/gpu.sh. Usage: bash scripts/device/pack.sh && bash bench/train/pack-gpu.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
G=.gpu-train
rm -rf "$G"
bash scripts/device/bundle.sh "$G" test/train/parity.test.ts test/train/fused-kernels.test.ts bench/train/tfjs-train.ts bench/train/profile-train.ts bench/train/train-cli.ts
mkdir -p "$G/corpus/node_modules/@stdlib"
for p in datasets-moby-dick datasets-sotu; do
  mkdir -p "$G/corpus/node_modules/@stdlib/$p/data"
  cp "node_modules/@stdlib/$p/package.json" "$G/corpus/node_modules/@stdlib/$p/"
  cp node_modules/@stdlib/$p/data/*.txt "$G/corpus/node_modules/@stdlib/$p/data/"
done
(cd "$G/corpus" && tar -cJf ../corpus.tar.xz node_modules) && rm -rf "$G/corpus"
du -sh "$G"/* >&2

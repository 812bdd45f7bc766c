#!/usr/bin/env bash
# Packs what a GPU machine without Node.js or network needs to run the project's GPU benches and tests, into the
# ignored folder .gpu/ (name it in the device tool's `carry`; never commit it):
#   .gpu/node.xz                         this machine's node, stripped, xz with the x86 filter (cached: slow to make)
#   .gpu/node_modules/webgpu/            the npm `webgpu` package: index.js, package.json, dist/linux-x64/dawn.node.xz
#   .gpu/debs/*.deb                      Debian's Vulkan loader and GLVND (unpacked on the device by on-device.sh)
#   .gpu/js/<entry>.js                   esbuild one-file CommonJS bundles of bench/gpu/*.ts and the chosen tests
# Usage: scripts/device/pack.sh [test-file ...]   (default: test/model/*.test.ts, test/record/stats.test.ts and stream.test.ts, CLI tests excepted)
# The device side is scripts/device/on-device.sh, which travels with the working tree.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
G=.gpu
mkdir -p "$G/debs" "$G/js" "$G/node_modules/webgpu/dist/linux-x64"

node_version=$(node --version)
if [[ ! -s $G/node.xz || "$(cat $G/node.version 2>/dev/null)" != "$node_version" ]]; then
  echo "[pack] node $node_version: strip + xz (a few minutes, cached)" >&2
  strip -o "$G/node.stripped" "$(readlink -f "$(command -v node)")"
  xz -T1 --x86 --lzma2=preset=9e -c "$G/node.stripped" > "$G/node.xz.tmp" && mv "$G/node.xz.tmp" "$G/node.xz"
  rm -f "$G/node.stripped"; echo "$node_version" > "$G/node.version"
fi

W=node_modules/webgpu
cp "$W/package.json" "$W/index.js" "$G/node_modules/webgpu/"
if [[ ! -s $G/node_modules/webgpu/dist/linux-x64/dawn.node.xz || $W/dist/linux-x64/dawn.node -nt $G/node_modules/webgpu/dist/linux-x64/dawn.node.xz ]]; then
  echo "[pack] dawn.node: strip + xz" >&2
  strip -o "$G/dawn.stripped" "$W/dist/linux-x64/dawn.node"
  xz -T1 --x86 --lzma2=preset=9e -c "$G/dawn.stripped" > "$G/node_modules/webgpu/dist/linux-x64/dawn.node.xz"
  rm -f "$G/dawn.stripped"
fi

# Vulkan loader + GLVND (the NVIDIA ICD needs libGLdispatch from libglvnd0), amd64 whatever this machine is.
if ! ls $G/debs/libvulkan1_*.deb >/dev/null 2>&1; then
  o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64-lists)
  mkdir -p /tmp/amd64-lists/partial
  apt-get "${o[@]}" update -q >&2
  (cd $G/debs && apt-get "${o[@]}" download libvulkan1 libglvnd0 libegl1 libgl1 libglx0 libgles2 libopengl0 >&2)
fi

# One-file bundles. Optional native/GPU packages stay external: `webgpu` resolves to .gpu/node_modules/webgpu.
tests=("$@")
# default: the model and recording tests that need neither the CLI (tsx) nor the network
if [[ ${#tests[@]} -eq 0 ]]; then tests=($(ls test/model/*.test.ts test/record/stats.test.ts test/record/stream.test.ts | grep -v -e '-cli\.test')); fi
entries=(bench/gpu/*.ts bench/stream/run.ts bench/stream/child.ts "${tests[@]}")
entries=($(printf '%s\n' "${entries[@]}" | grep -v -e '/lib\.ts$' -e '-helpers\.ts$' -e '/kernels/'))
rm -rf "$G/js"; mkdir -p "$G/js"
npx esbuild "${entries[@]}" --bundle --platform=node --format=cjs --target=node20 --outdir="$G/js" --outbase=. \
  --external:webgpu --external:@tensorflow/tfjs-node --external:@tensorflow/tfjs-node-gpu \
  --external:playwright-core --external:tslab --log-level=warning --minify-whitespace --out-extension:.js=.js
# The bundled tests read fixtures relative to their own folder (test/<stage>/../fixtures, ../../data).
# on-device.sh links .gpu/js/test/fixtures and .gpu/js/data to the real folders (data: the subset below).
(cd "$G" && tar -cJf js.tar.xz js && rm -rf js)
# The tests get the one mini-pythia checkpoint they read from here (see scripts/device/README.md).
M=data/mini-pythia; C=$M/checkpoints/d128-L6-H4
rm -rf "$G/data"; mkdir -p "$G/data/$C"
cp "$M/eval_sequences.json" "$G/data/$M/"
cp -r "$C/step3000" "$C/reference_stats" "$G/data/$C/"
du -sh "$G" >&2
ls -la "$G" "$G/js" >&2

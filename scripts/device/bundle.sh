#!/usr/bin/env bash
# One-file CommonJS bundles of TypeScript entries for a GPU machine without Node's toolchain, in an ignored folder:
#   bash scripts/device/bundle.sh <folder> <entry.ts> [...]   ->   <folder>/js.tar.xz (js/<entry path>.js inside)
# The folder is added to .git/info/exclude. Optional native and GPU packages stay external: `webgpu` resolves to the
# node_modules that the device-side script links beside the bundle (.gpu/node_modules, made by scripts/device/pack.sh,
# which runs first when it is missing). Used by bench/stream/pack-gpu.sh, bench/gpu/f16-pack.sh,
# bench/gpu/attention-f16.sh, bench/gpu/attention-tc.sh and bench/train/pack-gpu.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
G=${1:?usage: bundle.sh <folder> <entry.ts> ...}; shift
(( $# > 0 )) || { echo "bundle.sh: no entries for $G" >&2; exit 2; }
[[ -d .gpu/node_modules ]] || bash scripts/device/pack.sh
EXCLUDE=$(git rev-parse --git-path info/exclude) # .git is a file in a worktree
mkdir -p "$(dirname "$EXCLUDE")"; grep -qsx "/$G/" "$EXCLUDE" || echo "/$G/" >> "$EXCLUDE"
mkdir -p "$G" && rm -rf "$G/js" "$G/js.tar.xz"
npx esbuild "$@" --bundle --platform=node --format=cjs --target=node20 --outdir="$G/js" --outbase=. \
  --external:webgpu --external:@tensorflow/tfjs-node --external:@tensorflow/tfjs-node-gpu \
  --external:playwright-core --external:tslab --log-level=warning --minify-whitespace --out-extension:.js=.js
(cd "$G" && tar -cJf js.tar.xz js && rm -rf js)
du -sh "$G/js.tar.xz" >&2

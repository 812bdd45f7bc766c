#!/usr/bin/env bash
# Starts tslab from the project root whatever folder the notebook lives in: notebooks import
# the public API as "./lib" and read data paths relative to the project root. lib/ is src/
# compiled to JavaScript with declarations (scripts/build-lib.cjs): tslab type-checks and
# compiles every .ts file a cell imports at each kernel start (about 20 s for src/), but only
# reads .d.ts files, so the kernel starts in seconds. lib/ is rebuilt here first when a file
# in src/ is newer than it (a minute at most; restart the kernel after editing src/).
#
# The project root is, in order: $MASSIVE_ROOT (set in kernel.json by `npm run kernel:install`);
# two folders up from this script when it lies in the project (kernels/tslab/); else the first
# folder at or above the working directory (Jupyter starts kernels in the notebook's folder) that
# holds this project's kernels/tslab/start-kernel.sh and node_modules/tslab (a copy installed by
# `jupyter kernelspec install --user kernels/tslab`, used on a notebook inside the project).
set -euo pipefail
is_root() { [[ -f "$1/kernels/tslab/start-kernel.sh" && -f "$1/node_modules/tslab/bin/tslab" ]]; }
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root=""
if [[ -n "${MASSIVE_ROOT:-}" ]]; then
  is_root "$MASSIVE_ROOT" || { echo "start-kernel.sh: MASSIVE_ROOT=$MASSIVE_ROOT is not the massive-activations project (no kernels/tslab or node_modules/tslab; run npm ci there)" >&2; exit 1; }
  root="$(cd "$MASSIVE_ROOT" && pwd)"
elif is_root "$here/../.."; then
  root="$(cd "$here/../.." && pwd)"
else
  dir="$PWD"
  while [[ "$dir" != "/" ]]; do
    if is_root "$dir"; then root="$dir"; break; fi
    dir="$(dirname "$dir")"
  done
fi
if [[ -z "$root" ]]; then
  echo "start-kernel.sh: cannot find the massive-activations project from $here or $PWD; run 'npm run kernel:install' in the project (it records the project path in the kernel spec)" >&2
  exit 1
fi
cd "$root"
if ! node "$root/scripts/build-lib.cjs" --if-stale; then
  [[ -f "$root/lib/index.js" ]] || { echo "start-kernel.sh: cannot build lib/ from src/ (above); notebooks cannot import ./lib" >&2; exit 1; }
  echo "start-kernel.sh: lib/ is older than src/ (its rebuild failed above); the kernel uses the old lib/" >&2
fi
exec node "$root/node_modules/tslab/bin/tslab" kernel --config-path "$1"

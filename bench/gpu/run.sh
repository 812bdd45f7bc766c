#!/usr/bin/env bash
# The GPU benchmark in one run: the PyTorch peer (float32 with TF32 off, and float16), then our forward on the same
# GPU with the ratios printed, then recording seconds per checkpoint. Results: JSON under $OUT (or bench/out/gpu).
# Runs the esbuild bundles under .gpu/js when present (device machine, see scripts/device/README.md), else tsx.
# Usage: MASSIVE_BACKEND=webgpu bash bench/gpu/run.sh [--quick]
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
OUTDIR=${OUT:-bench/out/gpu}; mkdir -p "$OUTDIR"
js() { local f=$1; shift; if [[ -f .gpu/js/bench/gpu/$f.js ]]; then node ".gpu/js/bench/gpu/$f.js" "$@"; else node --import tsx "bench/gpu/$f.ts" "$@"; fi; }
if [[ ${1:-} == --quick ]]; then shapes=70m; rec=("70m 3"); else shapes=70m,160m,1b; rec=("70m 12" "160m 3" "1b 3"); fi
if python3 -c 'import torch, transformers; assert torch.cuda.is_available()' 2>/dev/null; then
  python3 bench/peers/gpt_neox_forward.py --shapes "$shapes" --out "$OUTDIR/peer.json" 2>&1 | grep -v -i warning
else
  echo "[bench] no CUDA PyTorch here: forward runs without the peer" >&2
fi
js forward --shapes "$shapes" --peer "$OUTDIR/peer.json"
for r in "${rec[@]}"; do set -- $r; js record --shape "$1" --checkpoints "$2"; done

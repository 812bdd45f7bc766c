#!/usr/bin/env bash
# Device side of bench/train/pack-gpu.sh (run from the repository root with .gpu/ and .gpu-train/ carried, node
# already unpacked by scripts/device/on-device.sh's call A). Writes to $OUT:
#   parity.log           test/train/parity.test.ts on WebGPU (the train-a fixture; same tolerances as on wasm)
#   speed.jsonl          tokens/s of TF.js on WebGPU and PyTorch float32 on CUDA, d128-L4-H4 and d256-L6-H8, 64 x 256
#   repro/               massive train of d128-L4-H4, default recipe, --eval on the suite's sequences (train_log.json,
#                        eval_loss.json, stats/*), as far as REPRO_SECONDS allows (resumable)
# Usage: bash bench/train/gpu.sh [parity] [speed] [repro]   (default: all three)
set -uo pipefail
source scripts/device/on-device.sh
[[ -d .gpu-train/js ]] || tar -xJf .gpu-train/js.tar.xz -C .gpu-train
[[ -d .gpu-train/node_modules ]] || tar -xJf .gpu-train/corpus.tar.xz -C .gpu-train
# ESM imports (the backend's `import("webgpu")`) ignore NODE_PATH: they look in node_modules above the bundle.
ln -sfn "$PWD/.gpu/node_modules/webgpu" .gpu-train/node_modules/webgpu
export NODE_PATH=$PWD/.gpu-train/node_modules:$PWD/.gpu/node_modules MASSIVE_BACKEND=webgpu
mkdir -p .gpu-train/js/test && ln -sfn "$PWD/test/fixtures" .gpu-train/js/test/fixtures
what=${*:-parity speed repro}
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > "$OUT/gpu.txt" 2>&1
if [[ $what == *parity* ]]; then
  node --test .gpu-train/js/test/train/parity.test.js > "$OUT/parity.log" 2>&1; echo "parity exit $?" >> "$OUT/parity.log"
fi
if [[ $what == *speed* ]]; then
  for shape in d128-L4-H4 d256-L6-H8; do
    python3 bench/train/torch_train.py --device cuda --shape $shape --batch 64 --seq 256 --steps 10 >> "$OUT/speed.jsonl" 2>> "$OUT/speed.err"
    MASSIVE_QUIET=1 timeout 200 node .gpu-train/js/bench/train/tfjs-train.js --shape $shape --batch 64 --seq 256 --steps 5 >> "$OUT/speed.jsonl" 2>> "$OUT/speed.err"
  done
fi
if [[ $what == *repro* ]]; then
  mkdir -p results
  timeout "${REPRO_SECONDS:-300}" node .gpu-train/js/bench/train/train-cli.js --config data/mini-pythia/d128-L4-H4/config.json \
    --out results/repro/d128-L4-H4 --eval data/mini-pythia/eval_sequences.json > "$OUT/repro.log" 2>&1; echo "repro exit $?" >> "$OUT/repro.log"
  mkdir -p "$OUT/repro"
  cp results/repro/d128-L4-H4/train_log.json results/repro/d128-L4-H4/d128-L4-H4/eval_loss.json "$OUT/repro/" 2>/dev/null
  (cd results/repro/d128-L4-H4/d128-L4-H4 && tar -czf "$OUT/repro/stats.tgz" stats) 2>/dev/null
fi

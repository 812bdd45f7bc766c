#!/usr/bin/env bash
# Training speed, TF.js (src/train on this machine's backend) beside PyTorch float32 on the same machine, one after
# the other in one run: tokens/s of full AdamW updates at batch 64 x 256 for two mini-pythia shapes.
# Usage: bash bench/train/run.sh [timed steps]   -> bench/train/results-<date>.jsonl (raw JSON lines) on stdout too
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
steps="${1:-1}"
out="bench/train/results-$(date -u +%Y-%m-%d).jsonl"
: > "$out"
for shape in d128-L4-H4 d256-L6-H8; do
  /usr/bin/python3 bench/train/torch_train.py --shape "$shape" --batch 64 --seq 256 --steps "$steps" | tee -a "$out"
  MASSIVE_QUIET=1 npx tsx bench/train/tfjs-train.ts --shape "$shape" --batch 64 --seq 256 --steps "$steps" | tee -a "$out"
done
echo "{\"date\": \"$(date -u +%FT%TZ)\", \"host\": \"$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)\"}" | tee -a "$out"

#!/usr/bin/env bash
# The streaming-recording bench on a GPU machine in one run, beside PyTorch on the same files (device tool: carry
# the .gpu/ bundles, see scripts/device/README.md; elsewhere it runs from the sources through tsx):
#   1. our recording (bench/stream/run.ts) of random float16 Pythia-shaped checkpoints, 10 x 2048 tokens:
#      70m, 160m, 1b (3 recordings each), then a 12b shape (1 recording), GPU memory polled by nvidia-smi;
#   2. PyTorch's load + decoder layers + top-3/median of the same files (bench/peers/gpt_neox_record.py);
#   3. the streaming parity test on the GPU.
# Results: $OUT (device) or bench/out/stream: all.log, gpumem.csv, stream-*.json, peer-record.json.
# Usage: MASSIVE_BACKEND=webgpu bash bench/stream/gpu-run.sh
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
OUTDIR=${OUT:-bench/out/stream}; mkdir -p "$OUTDIR"
D=${CKPT_DIR:-/tmp/massive-stream}
js() { local f=$1; shift; if [[ -f .gpu/js/$f.js ]]; then node ".gpu/js/$f.js" "$@"; else node --import tsx "$f.ts" "$@"; fi; }
log() { echo "[$(date -u +%T.%N | cut -c1-12)] $*" | tee -a "$OUTDIR/all.log"; }
nvidia-smi --query-gpu=timestamp,memory.used --format=csv,noheader -lms 250 > "$OUTDIR/gpumem.csv" 2>&1 &
smi=$!
log "ours: 70m 160m 1b"
timeout 170 bash -c "$(declare -f js); js bench/stream/run --shapes 70m,160m,1b --seqs 10 --seq 2048 --repeat 3 --loaded none --dir $D --out $OUTDIR/stream-webgpu.json" 2>&1 | tee -a "$OUTDIR/all.log"
log "ours: 12b"
timeout 200 bash -c "$(declare -f js); js bench/stream/run --shapes 12b --seqs 10 --seq 2048 --repeat 1 --loaded none --dir $D --out $OUTDIR/stream-webgpu-12b.json" 2>&1 | tee -a "$OUTDIR/all.log"
log "peer"
timeout 150 python3 bench/peers/gpt_neox_record.py --runs "$D/70m:float16,$D/160m:float16,$D/1b:float16,$D/1b:float32,$D/12b:float16" --out "$OUTDIR/peer-record.json" 2>&1 | tee -a "$OUTDIR/all.log"
log "tests"
if [[ -f .gpu/js/test/record/stream.test.js ]]; then t=.gpu/js/test/record/stream.test.js; else t="--import tsx test/record/stream.test.ts"; fi
timeout 60 node --test --test-reporter=spec $t 2>&1 | tail -20 | tee -a "$OUTDIR/all.log"
log "done"
kill $smi 2>/dev/null

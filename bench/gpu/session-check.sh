#!/usr/bin/env bash
# The end-of-session check of every GPU change, in ONE device call (about 150 s of wall time on the H200):
#   1. every WebGPU test from the bundle of bench/stream/pack-gpu.sh (.gpu-rec): kernel, fused, attention, matrix
#      product and float16 tests, model parity against the Hugging Face fixtures, recording (stream, stats), and the
#      training parity and fused training kernels;
#   2. the forward side by side: PyTorch float32 and float16 (bench/peers/gpt_neox_forward.py, 70m, 160m, 1b), then
#      ours in float32 (70m, 160m, 1b) and with --compute float16 (70m, 1b), 10 x 2048 tokens, logits included;
#   3. the float16 product's default tile on every Pythia product (bench/gpu/f16-probe.ts from .gpu-h), and the
#      opt-in float16 attention's test and timing (bench/gpu/attention-f16.ts from .gpu-a), when those bundles came.
# Here:   bash bench/stream/pack-gpu.sh; bash bench/gpu/f16-pack.sh; bash bench/gpu/attention-f16.sh pack
# Device: carry .gpu/debs .gpu/node_modules .gpu-rec .gpu-h .gpu-a with node at /opt/massive-node (scripts/device/README.md);
#         source scripts/device/on-device.sh; bash bench/gpu/session-check.sh
# Results in $OUT: tests.log, peer.json, forward-webgpu.json, forward-webgpu-f16.json, probe.json, attention-f16-check.json, all.log.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
OUTDIR=$(mkdir -p "${OUT:-bench/out/session-check}" && cd "${OUT:-bench/out/session-check}" && pwd)
export OUT=$OUTDIR # the benches write their JSON there (bench/gpu/lib.ts writeResult)
export MASSIVE_BACKEND=webgpu
log() { echo "[$(date -u +%T)] $*" | tee -a "$OUTDIR/all.log"; }
# Dawn's compiler chatter (it printed ~20 lines per float16 shader before 2026-12-02b): counted, not copied.
quiet() { grep --line-buffered -v -E 'deprecated builtin|^\s+\^+\s*$|subgroupMatrix(Load|Store)|^warning:$|^Compilation log|warning\(s\) generated|^\s*$'; }
unpack() { # bundle folder: js.tar.xz -> js/, with the fixtures and data its tests read and the webgpu package beside it
  local G=$1; [[ -f $G/js.tar.xz ]] || return 1
  ln -sfn "$PWD/.gpu/node_modules" "$G/node_modules"
  [[ -d $G/js ]] || tar -xJf "$G/js.tar.xz" -C "$G"
  mkdir -p "$G/js/test"; ln -sfn "$PWD/test/fixtures" "$G/js/test/fixtures"; ln -sfn "$PWD/data" "$G/js/data"
  for d in test/*/fixtures; do [[ -d $G/js/$(dirname "$d") ]] && ln -sfn "$PWD/$d" "$G/js/$d"; done
  return 0
}
unpack .gpu-rec || { log "no .gpu-rec bundle: run bash bench/stream/pack-gpu.sh first"; exit 2; }
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee -a "$OUTDIR/all.log"

log "1. tests"
tests=($(ls .gpu-rec/js/test/backend/webgpu-*.test.js .gpu-rec/js/test/model/*.test.js .gpu-rec/js/test/record/*.test.js .gpu-rec/js/test/train/*.test.js 2>/dev/null | grep -v wgsl))
timeout ${TESTS_S:-150} node --test --test-reporter=spec "${tests[@]}" 2>&1 | quiet > "$OUTDIR/tests.log"
grep -E '^ℹ (tests|pass|fail|skipped)|^✖' "$OUTDIR/tests.log" | tee -a "$OUTDIR/all.log"

log "2. forward side by side: PyTorch float32 + float16, ours float32, ours float16"
PYTHONUNBUFFERED=1 timeout ${PEER_S:-80} python3 bench/peers/gpt_neox_forward.py --shapes 70m,160m,1b --reps 2 --out "$OUTDIR/peer.json" 2>&1 | grep -v -i warn | tee -a "$OUTDIR/all.log"
timeout ${OURS_S:-80} node .gpu-rec/js/bench/gpu/forward.js --shapes 70m,160m,1b --reps 2 --peer "$OUTDIR/peer.json" 2>&1 | quiet | tee -a "$OUTDIR/all.log"
timeout ${OURS16_S:-60} node .gpu-rec/js/bench/gpu/forward.js --shapes 70m,1b --reps 2 --peer "$OUTDIR/peer.json" --compute float16 --tag f16 2>&1 | quiet | tee -a "$OUTDIR/all.log"

if unpack .gpu-h; then
  log "3a. float16 product: the default tile on every Pythia product (checked against float64)"
  (cd .gpu-h/js/bench/gpu && ln -sfn "$PWD/../../../node_modules" node_modules; timeout ${PROBE_S:-30} node f16-probe.js --reps 10 --only '^128x128-128t-bk64$' --checks exact --out "$OUTDIR/probe.json") 2>&1 | quiet | grep -E '^(check|time|  sampled|best)' | tee -a "$OUTDIR/all.log"
fi
if unpack .gpu-a; then
  log "3b. float16 attention (opt-in): test, then the attention alone per 5 x 2048-token pass"
  timeout 40 node --test --test-reporter=spec .gpu-a/js/test/backend/webgpu-attention-f16.test.js 2>&1 | quiet | tee -a "$OUTDIR/all.log" | grep -E '^ℹ (pass|fail)'
  timeout 40 node .gpu-a/js/bench/gpu/attention-f16.js --shapes 70m,1b --reps 10 --tag check 2>&1 | quiet | tee -a "$OUTDIR/all.log"
fi
log "done"

#!/usr/bin/env bash
# Float16 compute on a GPU machine in one run (device tool; see bench/gpu/f16-pack.sh for what to carry):
#   1. test/backend/webgpu-f16.test.ts (halfLinear against tfjs float32 and float64; the forward in float16 against
#      transformers' outputs) and the float32 parity test (the default path with the float16 toggles on);
#   2. PyTorch's forward, float32 and float16 (bench/peers/gpt_neox_forward.py), then ours with --compute float16
#      (bench/gpu/forward.ts), with the composite attention and with the default (fused where available).
# Dawn prints "use of deprecated builtin" warnings for every subgroupMatrixLoad/Store when a float16 shader compiles:
# those lines are filtered out of the log. Results: $OUT (device) or bench/out/f16: all.log, peer.json, forward-*.json.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
OUTDIR=${OUT:-bench/out/f16}; mkdir -p "$OUTDIR"
G=.gpu-h
[[ -d .gpu/node_modules ]] && ln -sfn "$PWD/.gpu/node_modules" $G/node_modules
if [[ -f $G/js.tar.xz && ! -d $G/js ]]; then tar -xJf $G/js.tar.xz -C $G; fi
mkdir -p $G/js/test && ln -sfn "$PWD/test/fixtures" $G/js/test/fixtures && ln -sfn "$PWD/data" $G/js/data
quiet() { grep --line-buffered -v -E 'deprecated builtin|^\s+\^+\s*$|subgroupMatrix(Load|Store)|^warning:$|^Compilation log|warning\(s\) generated|^\s*$'; }
log() { echo "[$(date -u +%T)] $*" | tee -a "$OUTDIR/all.log"; }
export MASSIVE_BACKEND=webgpu
if [[ ${1:-} == --quick ]]; then
  # One short call: the float16 tests, the probe's activation-staging variants on three 1b products, the 1b forward
  # (peer figures from the committed run of the same day, not side by side).
  log "float16 tests"
  timeout 90 node --test --test-reporter=spec $G/js/test/backend/webgpu-f16.test.js 2>&1 | quiet | tee -a "$OUTDIR/all.log"
  log "probe"
  (cd $G/js/bench/gpu && ln -sfn "$PWD/../../../node_modules" node_modules 2>/dev/null; timeout 30 node f16-probe.js --reps 10 --only '4x2sg-bk32(-aHalf)?$' --shapes '1b (qkv K2048 N6144|fc1)' --out "$OUTDIR/probe.json") 2>&1 | quiet | tee -a "$OUTDIR/all.log"
  log "ours, float16, 1b"
  timeout 90 node $G/js/bench/gpu/forward.js --shapes 1b --reps 3 --peer bench/gpu/h200-2026-12-02-f16/forward/peer.json --compute float16 --tag f16-quick 2>&1 | quiet | tee -a "$OUTDIR/all.log"
  log "done"
  exit 0
fi
log "float16 tests"
timeout 120 node --test --test-reporter=spec $G/js/test/backend/webgpu-f16.test.js 2>&1 | quiet | tee -a "$OUTDIR/all.log"
log "float32 parity with the float16 toggles on"
timeout 60 node --test --test-reporter=spec $G/js/test/model/gpt-neox-parity.test.js 2>&1 | quiet | grep -E '^(✔|✖|ℹ)|max \|error\||Error' | tee -a "$OUTDIR/all.log"
[[ ${1:-} == --tests ]] && exit 0
log "peer forward"
PYTHONUNBUFFERED=1 timeout 90 python3 bench/peers/gpt_neox_forward.py --shapes 70m,1b --reps 3 --out "$OUTDIR/peer.json" 2>&1 | grep -v -i warn | tee -a "$OUTDIR/all.log"
log "ours, float16, composite attention"
MASSIVE_WEBGPU_ATTENTION=off timeout 150 node $G/js/bench/gpu/forward.js --shapes 70m,1b --reps 3 --peer "$OUTDIR/peer.json" --compute float16 --tag f16-attention-composite 2>&1 | quiet | tee -a "$OUTDIR/all.log"
log "ours, float16, default attention"
timeout 150 node $G/js/bench/gpu/forward.js --shapes 70m,1b --reps 3 --peer "$OUTDIR/peer.json" --compute float16 --tag f16 --profile 2>&1 | quiet | tee -a "$OUTDIR/all.log"
log "done"

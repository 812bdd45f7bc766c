#!/usr/bin/env bash
# The float16 tensor-core attention (src/backend-webgpu-attention-f16.ts) on a GPU machine, in one device call.
#   bash bench/gpu/attention-f16.sh pack   # here: esbuild bundles into the ignored folder .gpu-a/ (js.tar.xz)
#   (device) carry .gpu/debs .gpu/node_modules .gpu-a, node at /opt/massive-node (scripts/device/README.md):
#   source scripts/device/on-device.sh; bash bench/gpu/attention-f16.sh run [--test-only | --lean | --quick PEER.json]
#   (--test-only: step 1, repeated with other robustness settings on failure; --lean: steps 1, 2 and the tiny-neox test
#   of 3; --quick: steps 1-3 and our forward against an earlier PEER.json)
# run: 1. test/backend/webgpu-attention-f16.test.ts (against the composite float32 attention, derived bound);
#      2. bench/gpu/attention-f16.ts (attention alone per 5 x 2048-token pass, 70m and 1b: float32 flash vs float16);
#      3. test/backend/webgpu-f16.test.ts (halfLinear; tiny-neox forward in float16, now with this attention);
#      4. PyTorch's forward float32/float16 (bench/peers/gpt_neox_forward.py), then ours with --compute float16
#         with this attention (MASSIVE_WEBGPU_ATTENTION_F16=flash-experimental) and without (the default: the float32 flash kernel).
# Steps 1-3 switch the (opt-in) float16 attention on.
# Dawn's "use of deprecated builtin" warnings (every subgroupMatrixLoad/Store) are filtered out of the log.
# Results: $OUT (device) or bench/out/attention-f16: all.log, attention-f16.json, peer.json, forward-*.json.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
G=.gpu-a
if [[ ${1:-} == pack ]]; then
  bash scripts/device/bundle.sh .gpu-a bench/gpu/forward.ts bench/gpu/attention-f16.ts test/backend/webgpu-attention-f16.test.ts test/backend/webgpu-f16.test.ts
  exit 0
fi
OUTDIR=${OUT:-bench/out/attention-f16}; mkdir -p "$OUTDIR"
source scripts/device/run-lib.sh # unpack_bundle, quiet
unpack_bundle $G || { echo "no $G bundle: run $0 pack first" >&2; exit 2; }
log() { echo "[$(date -u +%T)] $*" | tee -a "$OUTDIR/all.log"; }
export MASSIVE_BACKEND=webgpu
log "float16 attention test"
timeout 150 node --test --test-reporter=spec $G/js/test/backend/webgpu-attention-f16.test.js 2>&1 | quiet | tee -a "$OUTDIR/all.log"
if [[ ${2:-} == --test-only ]]; then
  # Shortest call: the test alone; on failure again with Dawn's plain robustness and with none (is clamping involved?).
  if ! grep -q 'ℹ pass 2' "$OUTDIR/all.log"; then
    for R in on off; do log "test with MASSIVE_WEBGPU_ROBUSTNESS=$R"; MASSIVE_WEBGPU_ROBUSTNESS=$R timeout 60 node --test --test-reporter=spec $G/js/test/backend/webgpu-attention-f16.test.js 2>&1 | quiet | grep -E ' hs |ℹ (pass|fail)' | tee -a "$OUTDIR/all.log"; done
  fi
  log "done"; exit 0
fi
log "attention alone, 5 x 2048 tokens"
timeout 120 node $G/js/bench/gpu/attention-f16.js --shapes 70m,1b --reps 20 2>&1 | quiet | tee -a "$OUTDIR/all.log"
if [[ ${2:-} == --lean ]]; then
  # Short call: of test/backend/webgpu-f16.test.ts only the tiny-neox forward in float16 (now with this attention).
  log "tiny-neox forward in float16"
  MASSIVE_WEBGPU_ATTENTION_F16=flash-experimental timeout 60 node --test --test-reporter=spec --test-name-pattern 'forward in float16' $G/js/test/backend/webgpu-f16.test.js 2>&1 | quiet | tee -a "$OUTDIR/all.log"
  log "done"; exit 0
fi
log "float16 tests (halfLinear, tiny-neox forward in float16)"
MASSIVE_WEBGPU_ATTENTION_F16=flash-experimental timeout 120 node --test --test-reporter=spec $G/js/test/backend/webgpu-f16.test.js 2>&1 | quiet | tee -a "$OUTDIR/all.log"
if [[ ${2:-} == --quick ]]; then
  # Short call: our forward with this attention only, against a peer JSON measured earlier ($3), not side by side.
  log "ours, float16, float16 attention (peer from $3)"
  MASSIVE_WEBGPU_ATTENTION_F16=flash-experimental timeout 120 node $G/js/bench/gpu/forward.js --shapes 70m,1b --reps 3 --peer "$3" --compute float16 --tag f16-attention-f16 2>&1 | quiet | tee -a "$OUTDIR/all.log"
  log "done"; exit 0
fi
log "peer forward"
PYTHONUNBUFFERED=1 timeout 100 python3 bench/peers/gpt_neox_forward.py --shapes 70m,1b --reps 3 --out "$OUTDIR/peer.json" 2>&1 | grep -v -i warn | tee -a "$OUTDIR/all.log"
log "ours, float16, float16 attention"
MASSIVE_WEBGPU_ATTENTION_F16=flash-experimental timeout 120 node $G/js/bench/gpu/forward.js --shapes 70m,1b --reps 3 --peer "$OUTDIR/peer.json" --compute float16 --tag f16-attention-f16 2>&1 | quiet | tee -a "$OUTDIR/all.log"
log "ours, float16, float32 flash attention"
timeout 120 node $G/js/bench/gpu/forward.js --shapes 70m,1b --reps 3 --peer "$OUTDIR/peer.json" --compute float16 --tag f16-attention-f32 2>&1 | quiet | tee -a "$OUTDIR/all.log"
log "done"

#!/usr/bin/env bash
# The float16 attention from tensor-core products (src/backend-webgpu-attention-tc.ts, MASSIVE_WEBGPU_ATTENTION_F16=products).
#   bash bench/gpu/attention-tc.sh pack   # here: esbuild bundles into the ignored folder .gpu-c/ (js.tar.xz): its test,
#                                         # bench/gpu/attention-tc.ts and bench/gpu/forward.ts
#   (device) carry .gpu/debs .gpu/node_modules .gpu-c, node at /opt/massive-node (scripts/device/README.md):
#   source scripts/device/on-device.sh; bash bench/gpu/attention-tc.sh run [PEER.json]
# run: 1. test/backend/webgpu-attention-tc.test.ts (halfBatchedMatMul, the attention against the composite float32
#      arithmetic within a derived float16 bound, tiny-neox float16 forward with this attention), ~15 s;
#      2. bench/gpu/attention-tc.ts (attention alone per 5 x 2048-token pass, 70m and 1b, beside the float32 flash kernel), ~10 s;
#      3. only when PEER.json is given and step 1 passed: the float16 forward with this attention (70m, 1b), ~40 s.
# Results: $OUT (device) or bench/out/attention-tc: all.log, attention-tc-c.json, forward-webgpu-f16-tc.json.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
G=.gpu-c
if [[ ${1:-} == pack ]]; then
  bash scripts/device/bundle.sh .gpu-c bench/gpu/forward.ts bench/gpu/attention-tc.ts test/backend/webgpu-attention-tc.test.ts
  exit 0
fi
OUTDIR=${OUT:-bench/out/attention-tc}; mkdir -p "$OUTDIR"
source scripts/device/run-lib.sh # unpack_bundle, quiet
unpack_bundle $G || { echo "no $G bundle: run $0 pack first" >&2; exit 2; }
log() { echo "[$(date -u +%T)] $*" | tee -a "$OUTDIR/all.log"; }
export MASSIVE_BACKEND=webgpu
log "C: float16 attention from tensor-core products: test"
timeout 60 node --test --test-reporter=spec $G/js/test/backend/webgpu-attention-tc.test.js 2>&1 | quiet | tee "$OUTDIR/c-test.log" | tee -a "$OUTDIR/all.log" | grep -E '^(✔|✖|ℹ (pass|fail))'
log "C: attention alone per 5 x 2048-token pass"
timeout 40 node $G/js/bench/gpu/attention-tc.js --shapes 70m,1b --reps 10 --tag c 2>&1 | quiet | tee -a "$OUTDIR/all.log"
if [[ -n ${2:-} ]] && grep -q 'ℹ fail 0' "$OUTDIR/c-test.log"; then
  log "C: float16 forward with this attention (peer $2)"
  MASSIVE_WEBGPU_ATTENTION_F16=products timeout 60 node $G/js/bench/gpu/forward.js --shapes 70m,1b --reps 2 --peer "$2" --compute float16 --tag f16-tc 2>&1 | quiet | tee -a "$OUTDIR/all.log"
fi
log "C: done"

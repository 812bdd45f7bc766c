#!/usr/bin/env bash
# The streaming-recording bench on a GPU machine in one run, beside PyTorch on the same files (device tool: carry
# .gpu/debs, .gpu/node_modules and .gpu-rec after unpacking node, see bench/stream/pack-gpu.sh; elsewhere it runs
# from the sources through tsx):
#   1. the WebGPU kernel tests (test/backend/webgpu-kernels.test.ts, webgpu-fused.test.ts, webgpu-attention.test.ts);
#      if one fails the rest runs with MASSIVE_WEBGPU_KERNELS=off (or _FUSED=off, _ATTENTION=off), so that every
#      number below stays right;
#   2. our recording (bench/stream/run.ts) of random float16 Pythia-shaped checkpoints, 10 x 2048 tokens: 70m,
#      160m, 1b (2 recordings and one profiled per phase), a 12b shape cut to 8 layers (GPU and host memory do not
#      depend on the layer count: test/record/stream.test.ts); GPU memory polled by nvidia-smi;
#   3. PyTorch's load + decoder layers + top-3/median of the same files (bench/peers/gpt_neox_record.py);
#   4. forward tokens/s, ours and PyTorch's (bench/gpu/forward.ts, bench/peers/gpt_neox_forward.py), GPU time per
#      program (bench/gpu/programs.ts), the matrix-product kernel plain, with the swizzled A tile and
#      without Dawn's bounds clamps (bench/gpu/matmul.ts --quick);
#   5. the matrix-product, model parity and recording tests on the GPU.
# Results: $OUT (device) or bench/out/stream: all.log, gpumem.csv, stream-*.json, peer-record.json, forward json.
# Usage: MASSIVE_BACKEND=webgpu bash bench/stream/gpu-run.sh [--quick | --verify | --forward | --final]
#   --final: step 1, then 2 and 3 for FINAL_SHAPES (default 1b,70m,160m,12b-L8; no per-phase profile), then 4 (forward
#   only) for FINAL_FORWARD if set; FINAL_RECORD_S / FINAL_PEER_S bound steps 2 and 3 (device seconds are scarce).
#   --forward: step 1, then 5 and bench/gpu/programs.ts (GPU time per program) for FORWARD_SHAPES (default 70m,1b),
#   then the parity, mini-pythia and streaming tests.
#   --quick: 70m only; --verify: steps 1, 2 (1b only) and 5, for a short call that checks a change on the GPU.
#   --tune: step 1, the robustness probe (bench/gpu/robustness.ts), the matrix products of
#   one forward pass under MASSIVE_WEBGPU_ROBUSTNESS=analysis with K step 16, 32 and 16 double-buffered, under on and
#   off with 16, beside cuBLAS (bench/peers/matmul_fp32.py); the fastest correct variant is then exported for the
#   forward side by side with PyTorch (70m, 160m, 1b), the model, recording and training tests, the 70m forward
#   with robustness off and the GPU time per program (70m, 1b).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
OUTDIR=${OUT:-bench/out/stream}; mkdir -p "$OUTDIR"
D=${CKPT_DIR:-/tmp/massive-stream}
# The bundle (bench/stream/pack-gpu.sh) where it came; elsewhere the sources run through tsx (js, jstest below).
source scripts/device/run-lib.sh
unpack_bundle .gpu-rec || true
js() { local f=$1; shift; if [[ -f .gpu-rec/js/$f.js ]]; then node ".gpu-rec/js/$f.js" "$@"; else node --import tsx "$f.ts" "$@"; fi; }
jstest() { local fs=(); for f in "$@"; do if [[ -f .gpu-rec/js/$f.js ]]; then fs+=(".gpu-rec/js/$f.js"); else fs+=(--import tsx "$f.ts"); fi; done; node --test --test-reporter=spec "${fs[@]}"; }
log() { echo "[$(date -u +%T.%N | cut -c1-12)] $*" | tee -a "$OUTDIR/all.log"; }
export -f js jstest
# The matrix-product kernel (checks + 8192^3 and 70m qkv) as it is, with the A tile swizzled, without Dawn's clamps.
matmuls() {
  for v in plain MASSIVE_WEBGPU_MATMUL_SWIZZLE=1 MASSIVE_WEBGPU_DAWN=disable_robustness; do
    log "matmul: $v"; env $( [[ $v == plain ]] || echo "$v" ) OUT=/tmp/matmul timeout 60 bash -c "js bench/gpu/matmul --quick" 2>&1 | tee -a "$OUTDIR/all.log"
  done
}
nvidia-smi --query-gpu=timestamp,memory.used --format=csv,noheader -lms 250 > "$OUTDIR/gpumem.csv" 2>&1 &
smi=$!
shapes=70m,160m,1b,12b-L8; [[ ${1:-} == --quick ]] && shapes=70m; [[ ${1:-} == --verify ]] && shapes=1b
log "kernel tests"
timeout 60 bash -c "jstest test/backend/webgpu-kernels.test" > /tmp/kernel-tests.log 2>&1
timeout 60 bash -c "jstest test/backend/webgpu-fused.test" > /tmp/fused-tests.log 2>&1
timeout 120 bash -c "jstest test/backend/webgpu-attention.test" > /tmp/attention-tests.log 2>&1
tail -n 40 /tmp/kernel-tests.log /tmp/fused-tests.log /tmp/attention-tests.log | tee -a "$OUTDIR/all.log"
if ! grep -q '^ℹ pass 2' /tmp/kernel-tests.log; then
  log "kernel tests FAILED: the rest runs with MASSIVE_WEBGPU_KERNELS=off"; export MASSIVE_WEBGPU_KERNELS=off
fi
if ! grep -q '^ℹ pass 3' /tmp/fused-tests.log; then
  log "fused kernel tests FAILED: the rest runs with MASSIVE_WEBGPU_FUSED=off"; export MASSIVE_WEBGPU_FUSED=off
fi
if ! grep -q '^ℹ pass 1' /tmp/attention-tests.log; then
  log "fused attention test FAILED: the rest runs with MASSIVE_WEBGPU_ATTENTION=off"; export MASSIVE_WEBGPU_ATTENTION=off
fi
if [[ ${1:-} == --final ]]; then
  # The side-by-side run in the fewest device seconds: ours then PyTorch's recording of the same files, 1b first,
  # then the forward of the shapes in FINAL_FORWARD (the others' forward figures come from a --forward run).
  shapes=${FINAL_SHAPES:-1b,70m,160m,12b-L8}
  log "ours: $shapes"
  timeout ${FINAL_RECORD_S:-100} bash -c "js bench/stream/run --shapes $shapes --seqs 10 --seq 2048 --repeat 2 --profile 0 --loaded none --dir $D --out $OUTDIR/stream-webgpu.json" 2>&1 | tee -a "$OUTDIR/all.log"
  log "peer record"
  runs=$(echo "$shapes" | tr ',' '\n' | sed "s#.*#$D/&:float16#" | paste -sd,)
  timeout ${FINAL_PEER_S:-80} python3 bench/peers/gpt_neox_record.py --runs "$runs" --out "$OUTDIR/peer-record.json" 2>&1 | grep -v -i warning | tee -a "$OUTDIR/all.log"
  if [[ -n ${FINAL_FORWARD:-} ]]; then
    log "forward: peer, ours ($FINAL_FORWARD)"
    timeout 30 python3 bench/peers/gpt_neox_forward.py --shapes $FINAL_FORWARD --reps 2 --out "$OUTDIR/peer.json" 2>&1 | grep -v -i warning | tee -a "$OUTDIR/all.log"
    timeout 40 bash -c "js bench/gpu/forward --shapes $FINAL_FORWARD --reps 2 --peer $OUTDIR/peer.json" 2>&1 | tee -a "$OUTDIR/all.log"
  fi
  log "done"; kill $smi 2>/dev/null; exit 0
fi
if [[ ${1:-} == --tune ]]; then
  # Session 5 (helper F): robustness and matrix-product variants, then the side-by-side forward with the best.
  for r in on analysis; do
    log "robustness probe: $r"; MASSIVE_WEBGPU_ROBUSTNESS=$r OUT=$OUTDIR/probe-$r timeout 30 bash -c "js bench/gpu/robustness" 2>&1 | tee -a "$OUTDIR/all.log"
  done
  log "matrix products of one forward pass: robustness analysis (K step 16, 32, 16 double-buffered), on and off (16)"
  MASSIVE_WEBGPU_ROBUSTNESS=analysis OUT=$OUTDIR timeout 100 bash -c "js bench/gpu/matmul --set forward --bk 16,32,16db --tag analysis" 2>&1 | tee -a "$OUTDIR/all.log"
  for r in on off; do MASSIVE_WEBGPU_ROBUSTNESS=$r OUT=$OUTDIR timeout 50 bash -c "js bench/gpu/matmul --set forward --bk 16 --tag $r" 2>&1 | tee -a "$OUTDIR/all.log"; done
  log "cuBLAS float32 (TF32 off), the same products"
  timeout 60 python3 bench/peers/matmul_fp32.py --out "$OUTDIR/peer-matmul-fp32.json" 2>&1 | grep -v -i warning | tee -a "$OUTDIR/all.log"
  # The fastest variant whose checks pass (relative error under 1e-5) over the forward products (8192^3 left out).
  read -r BK DB < <(python3 - "$OUTDIR/matmul-webgpu-analysis.json" <<'PY'
import json, sys
best = (float("inf"), 16, False)
try:
    for r in json.load(open(sys.argv[1]))["result"]:
        if all(v < 1e-5 for v in r["checks"].values()):
            t = sum(x["seconds"] for x in r["rows"] if x["label"] != "8192^3")
            best = min(best, (t, r["bk"], r["double"]))
except Exception as e:
    print(e, file=sys.stderr)
print(best[1], 1 if best[2] else 0)
PY
)
  export MASSIVE_WEBGPU_MATMUL_BK=${BK:-16} MASSIVE_WEBGPU_MATMUL_DB=${DB:-0}
  log "chosen: MASSIVE_WEBGPU_MATMUL_BK=$MASSIVE_WEBGPU_MATMUL_BK MASSIVE_WEBGPU_MATMUL_DB=$MASSIVE_WEBGPU_MATMUL_DB (robustness analysis)"
  log "forward: peer, ours (robustness analysis)"
  timeout 100 python3 bench/peers/gpt_neox_forward.py --shapes 70m,160m,1b --reps 2 --out "$OUTDIR/peer.json" 2>&1 | grep -v -i warning | tee -a "$OUTDIR/all.log"
  timeout 100 bash -c "js bench/gpu/forward --shapes 70m,160m,1b --reps 2 --peer $OUTDIR/peer.json" 2>&1 | tee -a "$OUTDIR/all.log"
  log "model, recording and training tests (the chosen variant, robustness analysis)"
  timeout 150 bash -c "jstest test/backend/webgpu-matmul.test test/model/gpt-neox-parity.test test/model/variants.test test/model/mini-pythia.test test/model/hooks.test test/record/stream.test test/record/stats.test test/train/parity.test test/train/fused-kernels.test" 2>&1 | grep -E '^(✔|✖|ℹ)|max \|error\||not ok|Error' | tee -a "$OUTDIR/all.log"
  log "forward with robustness off (70m); GPU time per program"
  MASSIVE_WEBGPU_ROBUSTNESS=off timeout 40 bash -c "js bench/gpu/forward --shapes 70m --reps 2 --peer $OUTDIR/peer.json --tag robustness-off" 2>&1 | tee -a "$OUTDIR/all.log"
  timeout 60 bash -c "js bench/gpu/programs --shapes 70m,1b --seqs 5" 2>&1 | tee -a "$OUTDIR/all.log"
  log "done"; kill $smi 2>/dev/null; exit 0
fi
if [[ ${1:-} == --forward ]]; then
  log "forward: peer, ours, GPU time per program"
  timeout 90 python3 bench/peers/gpt_neox_forward.py --shapes ${FORWARD_SHAPES:-70m,1b} --reps 3 --out "$OUTDIR/peer.json" 2>&1 | grep -v -i warning | tee -a "$OUTDIR/all.log"
  timeout 150 bash -c "js bench/gpu/forward --shapes ${FORWARD_SHAPES:-70m,1b} --reps 3 --peer $OUTDIR/peer.json" 2>&1 | tee -a "$OUTDIR/all.log"
  timeout 120 bash -c "js bench/gpu/programs --shapes ${FORWARD_SHAPES:-70m,1b} --seqs 5" 2>&1 | tee -a "$OUTDIR/all.log"
  matmuls
  timeout 120 bash -c "jstest test/backend/webgpu-matmul.test test/model/gpt-neox-parity.test test/model/mini-pythia.test test/record/stream.test" 2>&1 | grep -E '^(✔|✖|ℹ)|max \|error\||not ok|Error' | tee -a "$OUTDIR/all.log"
  log "done"; kill $smi 2>/dev/null; exit 0
fi
log "ours: $shapes"
timeout 270 bash -c "js bench/stream/run --shapes $shapes --seqs 10 --seq 2048 --repeat 2 --profile 1 --loaded none --dir $D --out $OUTDIR/stream-webgpu.json" 2>&1 | tee -a "$OUTDIR/all.log"
if [[ ${1:-} != --verify ]]; then
log "peer record"
timeout 130 python3 bench/peers/gpt_neox_record.py --runs "$D/70m:float16,$D/160m:float16,$D/1b:float16,$D/12b-L8:float16" --out "$OUTDIR/peer-record.json" 2>&1 | grep -v -i warning | tee -a "$OUTDIR/all.log"
log "forward: peer, ours"
timeout 90 python3 bench/peers/gpt_neox_forward.py --shapes 70m,160m,1b --reps 3 --out "$OUTDIR/peer.json" 2>&1 | grep -v -i warning | tee -a "$OUTDIR/all.log"
timeout 150 bash -c "js bench/gpu/forward --shapes 70m,160m,1b --reps 3 --peer $OUTDIR/peer.json" 2>&1 | tee -a "$OUTDIR/all.log"
log "GPU time per program (70m, 1b); matrix products, A tile stored plain and swizzled"
timeout 90 bash -c "js bench/gpu/programs --shapes 70m,1b --seqs 5" 2>&1 | tee -a "$OUTDIR/all.log"
matmuls
fi
log "model and recording tests"
timeout 120 bash -c "jstest test/backend/webgpu-matmul.test test/model/gpt-neox-parity.test test/model/variants.test test/model/mini-pythia.test test/model/hooks.test test/record/stream.test test/record/stats.test" 2>&1 | grep -E '^(✔|✖|ℹ)|max \|error\||not ok|Error' | tee -a "$OUTDIR/all.log"
log "done"
kill $smi 2>/dev/null

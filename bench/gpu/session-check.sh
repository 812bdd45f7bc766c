#!/usr/bin/env bash
# The end-of-session check of every GPU change, in ONE device call (about 400 s of wall time on the H200; session 5 took 222 s without steps 4 and the SIMT lines):
#   1. every WebGPU test from the bundle of bench/stream/pack-gpu.sh (.gpu-rec): kernel, fused, attention, matrix
#      product and float16 tests, model parity against the Hugging Face fixtures, recording (stream, stats), and the
#      training parity and fused training kernels;
#   2. the forward side by side: PyTorch float32 and float16 (bench/peers/gpt_neox_forward.py, 70m, 160m, 1b), then
#      ours in float32 (70m, 160m, 1b; the SIMT product beside the default split on 70m, 1b) and with --compute
#      float16 (70m, 1b; the float32 flash attention beside the default), 10 x 2048 tokens, logits included, timed as
#      the peer is (one synchronisation per repetition) and, on 70m, also as before session 8 (--sync batch);
#      with FLASH_1B=1, the float16 flash attention (default below 256 dims) on 1b beside the products where its test passed;
#   3. the attention alone per pass (float32 flash vs float16: bench/gpu/attention-tc.ts, attention-f16.ts) and the
#      float16 product's default tile on every Pythia product (bench/gpu/f16-probe.ts);
#   4. recording (bench/stream/run.ts): 1b (the default, SIMT for streamed weights, and split) and a 12b shape cut to 8 layers (GPU memory by
#      nvidia-smi), beside PyTorch's load + forward of the same 1b file (bench/peers/gpt_neox_record.py).
# Here:   bash bench/stream/pack-gpu.sh   (one bundle, .gpu-rec, holds every test and bench above)
# Device: carry .gpu/debs .gpu/node_modules .gpu-rec with node at /opt/massive-node (scripts/device/README.md);
#         source scripts/device/on-device.sh; bash bench/gpu/session-check.sh
# Results in $OUT: all.log (the summary) and results.tgz (tests.log, webgpu-attention-*.log, peer.json, forward-webgpu*.json,
# attention-*-check.json, probe.json, and setup.log, which scripts/device/on-device.sh writes to $OUT).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
OUTDIR=$(mkdir -p "${OUT:-bench/out/session-check}" && cd "${OUT:-bench/out/session-check}" && pwd)
export OUT=$OUTDIR # the benches write their JSON there (bench/gpu/lib.ts writeResult)
export MASSIVE_BACKEND=webgpu
log() { echo "[$(date -u +%T)] $*" | tee -a "$OUTDIR/all.log"; }
source scripts/device/run-lib.sh # unpack_bundle, quiet
unpack_bundle .gpu-rec || { log "no .gpu-rec bundle: run bash bench/stream/pack-gpu.sh first"; exit 2; }
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee -a "$OUTDIR/all.log"

log "1. tests"
tests=($(ls .gpu-rec/js/test/backend/webgpu-*.test.js .gpu-rec/js/test/model/*.test.js .gpu-rec/js/test/record/*.test.js .gpu-rec/js/test/train/*.test.js 2>/dev/null | grep -v -e wgsl -e webgpu-attention-tc -e webgpu-attention-f16 -e webgpu-split))
timeout ${TESTS_S:-150} node --test --test-reporter=spec "${tests[@]}" 2>&1 | quiet > "$OUTDIR/tests.log"
grep -E '^ℹ (tests|pass|fail|skipped)|^✖' "$OUTDIR/tests.log" | tee -a "$OUTDIR/all.log"
# The opt-in float16 attentions each get their forward only where their own test passed (each test file on its own).
one() { timeout 60 node --test --test-reporter=spec ".gpu-rec/js/test/backend/$1.test.js" 2>&1 | quiet > "$OUTDIR/$1.log"; grep -q '^ℹ fail 0' "$OUTDIR/$1.log"; }
one webgpu-attention-tc && TC=1 || TC=0
one webgpu-attention-f16 && FA=1 || FA=0
one webgpu-split && SPLIT=1 || SPLIT=0
log "split float16 products (MASSIVE_WEBGPU_F32_PRODUCT=split) test pass=$SPLIT"
log "float16 attention tests: products (MASSIVE_WEBGPU_ATTENTION_F16=products) pass=$TC, flash (=flash) pass=$FA"
if [[ $FA == 0 ]]; then # a diagnostic for the flash kernel: is Dawn's robustness setting part of its failure?
  MASSIVE_WEBGPU_ROBUSTNESS=on timeout 40 node --test --test-reporter=spec .gpu-rec/js/test/backend/webgpu-attention-f16.test.js 2>&1 | quiet > "$OUTDIR/webgpu-attention-f16-robustness-on.log"
  grep -E '^ℹ (pass|fail)' "$OUTDIR/webgpu-attention-f16-robustness-on.log" | sed 's/^/  robustness on: /' | tee -a "$OUTDIR/all.log"
fi

log "2. forward side by side: PyTorch float32 + float16, ours float32, ours float16"
fwd() { timeout ${FWD_S:-60} node .gpu-rec/js/bench/gpu/forward.js --reps ${FWD_REPS:-4} --peer "$OUTDIR/peer.json" "$@" 2>&1 | quiet | tee -a "$OUTDIR/all.log"; }
# PEER_JSON: reuse PyTorch's figures from an earlier call of the same session (when device time is short).
if [[ -n ${PEER_JSON:-} ]]; then cp "$PEER_JSON" "$OUTDIR/peer.json"; log "PyTorch peer from $PEER_JSON"; else
PYTHONUNBUFFERED=1 timeout ${PEER_S:-80} python3 bench/peers/gpt_neox_forward.py --shapes 70m,160m,1b --reps ${FWD_REPS:-4} --out "$OUTDIR/peer.json" 2>&1 | grep -v -i warn | tee -a "$OUTDIR/all.log"; fi
fwd --shapes 70m,160m,1b
# The float32 forward's default (resident weights) is split float16 where the tensor cores are there
# (src/backend-webgpu-split.ts, since session 7): the SIMT kernel beside it.
# LEAN=1 (short of device time): the defaults, 70m's comparisons and the recording only.
[[ -z ${LEAN:-} ]] && MASSIVE_WEBGPU_F32_PRODUCT=simt fwd --shapes 70m,1b --tag simt
fwd --shapes 70m,160m,1b --compute float16 --tag f16
# The float16 attention's default is auto (the float16 flash below AUTO_PRODUCTS_MIN_HEAD = 256 dims, the products
# from there): the float32 flash beside it, and (FLASH_1B=1) the float16 flash on 1b's 256-dim heads beside the products.
MASSIVE_WEBGPU_ATTENTION_F16=off fwd --shapes $([[ -n ${LEAN:-} ]] && echo 70m || echo 70m,1b) --compute float16 --tag f16-flash32
[[ $FA == 1 && -n ${FLASH_1B:-} ]] && MASSIVE_WEBGPU_ATTENTION_F16=flash fwd --shapes 1b --compute float16 --tag f16-flash
# The timing protocol of every figure before session 8 (wait for each 5 x 2048 pass), for comparison.
fwd --shapes 70m --sync batch --tag sync-batch
fwd --shapes 70m --compute float16 --sync batch --tag f16-sync-batch

[[ -z ${LEAN:-} ]] && {
log "3. float16 kernels alone: attention per 5 x 2048-token pass (float32 flash vs float16), the product's default tile"
timeout 40 node .gpu-rec/js/bench/gpu/attention-tc.js --shapes 70m,1b --reps 5 --tag check 2>&1 | quiet | tee -a "$OUTDIR/all.log"
[[ $FA == 1 ]] && timeout 40 node .gpu-rec/js/bench/gpu/attention-f16.js --shapes 70m,1b --reps 5 --tag check 2>&1 | quiet | tee -a "$OUTDIR/all.log"
timeout ${PROBE_S:-30} node .gpu-rec/js/bench/gpu/f16-probe.js --reps 10 --only '^128x128-128t-bk64$' --checks exact --out "$OUTDIR/probe.json" 2>&1 | quiet | grep -E '^(check|time|  sampled|best)' | tee -a "$OUTDIR/all.log"
}
log "4. recording (bench/stream/run.ts, random float16 files, 10 x 2048 tokens): 1b with the default products and SIMT, a 12b shape cut to 8 layers (memory), PyTorch's load + forward of the 1b file"
D=/tmp/massive-stream
# Appending (not truncating) so that the marker lines echoed below are not overwritten at nvidia-smi's own offset.
: > "$OUTDIR/gpumem.csv"; nvidia-smi --query-gpu=timestamp,memory.used --format=csv,noheader -lms 250 >> "$OUTDIR/gpumem.csv" 2>&1 & smi=$!
rec() { timeout ${RECORD_S:-60} node .gpu-rec/js/bench/stream/run.js --seqs 10 --seq 2048 --profile 0 --loaded none --dir $D "$@" 2>&1 | quiet | grep -v '^wrote' | tee -a "$OUTDIR/all.log"; }
rec --shapes 1b --repeat 2 --out "$OUTDIR/stream-webgpu.json"
# Streamed weights default to SIMT (session 7 R3: split recorded 1b slower, in twice the memory): split beside it.
[[ -z ${LEAN:-} ]] && MASSIVE_WEBGPU_F32_PRODUCT=auto rec --shapes 1b --repeat 2 --out "$OUTDIR/stream-webgpu-split.json"
echo "12b-L8 starts $(date -u +%FT%T)" >> "$OUTDIR/gpumem.csv"
rec --shapes 12b-L8 --repeat 1 --out "$OUTDIR/stream-webgpu-12b.json"
kill $smi 2>/dev/null
# nvidia-smi's memory.used read 0 MiB on the device container (session 7): tfjs's own peak of allocated GPU buffers
# (bench/stream/child.ts peakGpuAllocatedBytes: what tfjs allocated, not what the driver holds) is the figure then.
smi_peak=$(sed -n '/12b-L8 starts/,$p' "$OUTDIR/gpumem.csv" | grep -o '[0-9]* MiB' | sort -n | tail -1)
[[ -n $smi_peak && $smi_peak != "0 MiB" ]] || smi_peak="n/a (memory.used read ${smi_peak:-nothing} here)"
tfjs_peak=$(node -e 'const r = require(process.argv[1]).results?.[0]; console.log(r?.peakGpuAllocatedBytes ? `${(r.peakGpuAllocatedBytes / 2 ** 30).toFixed(2)} GiB` : `n/a (${r?.error ?? "no result"})`)' "$OUTDIR/stream-webgpu-12b.json" 2>/dev/null || echo "n/a (no stream-webgpu-12b.json)")
log "GPU memory peak while the 12b shape recorded: tfjs buffers $tfjs_peak; nvidia-smi $smi_peak"
PYTHONUNBUFFERED=1 timeout ${PEER_RECORD_S:-60} python3 bench/peers/gpt_neox_record.py --runs "$D/1b:float16" --out "$OUTDIR/peer-record.json" 2>&1 | grep -v -i warn | tee -a "$OUTDIR/all.log"

# The device tool brings back at most 8 files: everything but the summary travels in one archive.
# The archive is written beside the folder, not in it: tar would otherwise read its own growing output ("file changed
# as we read it", non-zero exit) and the clean-up would be skipped, leaving more than 8 files.
log "done (details in results.tgz)"
(cd "$OUTDIR" && tar -czf ../session-check-results.tgz --exclude=all.log . && mv ../session-check-results.tgz results.tgz && find . -mindepth 1 -maxdepth 1 ! -name all.log ! -name results.tgz -exec rm -rf {} +)

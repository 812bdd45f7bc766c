#!/usr/bin/env bash
# Float16 compute on a GPU machine in one run (device tool; bench/gpu/f16-pack.sh says what to carry):
#   1. bench/gpu/f16-probe.ts: every named tile of src/backend-webgpu-f16-code.ts checked against float64 and timed on
#      the Pythia products; its "best" (least time over a 1b layer's products and the logits) is used below;
#   2. with --robustness: the best tile and the staged one again with Dawn's disable_robustness (measured, not used);
#   3. test/backend/webgpu-f16.test.ts with the best tile (ALL_TILES=1: every named tile too) and the float16 case of
#      test/record/stream.test.ts, with helper A's float16 attention off, then the model ones with it on;
#   4. PyTorch's forward, float32 and float16 (bench/peers/gpt_neox_forward.py; PEER=<json> reuses one), then ours
#      with --compute float16 (float16 attention off: this measures the products). --tests stops after 3.
# MASSIVE_WEBGPU_F16_TILE=<name> before the call skips the choice; CHECKS=exact checks only the timed pipeline per tile
# (every tile's paths are in the tests: ALL_TILES=1); PROFILE=1 profiles the forward. Results: $OUT (device) or bench/out/f16: all.log,
# probe.json, probe-norobust.json, peer.json, forward-webgpu-f16.json. Dawn's shader warnings (there were ~1300
# "use of deprecated builtin" lines per probe before 2026-12-02b) are counted in all.log, not copied.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
OUTDIR=${OUT:-bench/out/f16}; mkdir -p "$OUTDIR"
G=.gpu-h
source scripts/device/run-lib.sh # unpack_bundle, quiet
unpack_bundle $G || { echo "no $G bundle: run bash bench/gpu/f16-pack.sh first" >&2; exit 2; }
RAW=/tmp/f16-raw.log; : > $RAW
filtered() { tee -a $RAW | quiet; } # the raw output kept for the warning count below
log() { echo "[$(date -u +%T)] $*" | tee -a "$OUTDIR/all.log"; }
export MASSIVE_BACKEND=webgpu
(cd $G/js/bench/gpu && ln -sfn "$PWD/../../../node_modules" node_modules 2>/dev/null)
# The probe times the named tiles (halfLinear's choices) only: not the -a32 / -16x8 checks of other paths.
TILES_ONLY='^[0-9]+x[0-9]+-[0-9]+t-bk[0-9]+(-db)?(-d-[aw]+)?$'
if [[ -z ${MASSIVE_WEBGPU_F16_TILE:-} ]]; then
  log "probe: every tile"
  (cd $G/js/bench/gpu && timeout ${PROBE_S:-150} node f16-probe.js --reps ${REPS:-10} --only "$TILES_ONLY" --checks "${CHECKS:-all}" --shapes "${SHAPES:-.}" --out "$OUTDIR/probe.json") 2>&1 | filtered | tee -a "$OUTDIR/all.log"
  BEST=$(node -e 'try { console.log(require(process.argv[1]).best || "") } catch { console.log("") }' "$OUTDIR/probe.json")
  log "probe chose: ${BEST:-none}"
  [[ -n $BEST ]] && export MASSIVE_WEBGPU_F16_TILE=$BEST
fi
if [[ ${1:-} == --robustness ]]; then
  ONLY="^(${MASSIVE_WEBGPU_F16_TILE:-128x128-256t-bk32-db}|128x128-256t-bk32)$"
  log "probe: $ONLY with disable_robustness (Dawn's bounds clamps off)"
  (cd $G/js/bench/gpu && timeout 45 node f16-probe.js --reps 20 --only "$ONLY" --shapes '^1b' --toggles allow_unsafe_apis,vulkan_enable_f16_on_nvidia,disable_robustness --out "$OUTDIR/probe-norobust.json") 2>&1 | filtered | tee -a "$OUTDIR/all.log"
fi
# Helper A's float16 attention (src/backend-webgpu-attention-f16.ts, opt-in: MASSIVE_WEBGPU_ATTENTION_F16=flash-experimental) stays off
# for these products' tests and forward (it has its own); the model tests run once more with it on, to tell them apart.
FWD_TESTS='hoistDirectives|packHalfActivations|halfLinear matches|GPT-NeoX forward'
log "float16 tests, tile ${MASSIVE_WEBGPU_F16_TILE:-default}, float16 attention off"
MASSIVE_WEBGPU_ATTENTION_F16=off timeout 90 node --test --test-reporter=spec --test-name-pattern="$FWD_TESTS${ALL_TILES:+|every named tile}" $G/js/test/backend/webgpu-f16.test.js 2>&1 | filtered | tee -a "$OUTDIR/all.log"
MASSIVE_WEBGPU_ATTENTION_F16=off timeout 60 node --test --test-reporter=spec --test-name-pattern='float16 compute' $G/js/test/record/stream.test.js 2>&1 | filtered | grep -E '^(✔|✖|﹣|ℹ (pass|fail))|Error|max' | tee -a "$OUTDIR/all.log"
log "the same model tests with A's float16 attention on (MASSIVE_WEBGPU_ATTENTION_F16=flash-experimental, where it applies)"
MASSIVE_WEBGPU_ATTENTION_F16=flash-experimental timeout 60 node --test --test-reporter=spec --test-name-pattern='GPT-NeoX forward' $G/js/test/backend/webgpu-f16.test.js 2>&1 | filtered | grep -E '^(✔|✖|﹣|ℹ (pass|fail))|max \|error\||Error' | tee -a "$OUTDIR/all.log"
MASSIVE_WEBGPU_ATTENTION_F16=flash-experimental timeout 60 node --test --test-reporter=spec --test-name-pattern='float16 compute' $G/js/test/record/stream.test.js 2>&1 | filtered | grep -E '^(✔|✖|﹣|ℹ (pass|fail))|Error' | tee -a "$OUTDIR/all.log"
[[ ${1:-} == --tests ]] && { log "deprecated-builtin warnings seen: $(grep -c 'deprecated builtin' $RAW)"; exit 0; }
if [[ -z ${PEER:-} ]]; then
  log "peer forward"
  PYTHONUNBUFFERED=1 timeout 75 python3 bench/peers/gpt_neox_forward.py --shapes 70m,1b --reps 3 --out "$OUTDIR/peer.json" 2>&1 | grep -v -i warn | tee -a "$OUTDIR/all.log"
  PEER=$OUTDIR/peer.json
fi
log "ours, float16, tile ${MASSIVE_WEBGPU_F16_TILE:-default}, float16 attention off"
MASSIVE_WEBGPU_ATTENTION_F16=off timeout 120 node $G/js/bench/gpu/forward.js --shapes 70m,1b --reps 3 --peer "$PEER" --compute float16 --tag f16 ${PROFILE:+--profile} 2>&1 | filtered | tee -a "$OUTDIR/all.log"
log "deprecated-builtin warnings seen: $(grep -c 'deprecated builtin' $RAW)"
log "done"

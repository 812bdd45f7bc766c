#!/usr/bin/env bash
# Device side of bench/train/pack-gpu.sh (run from the repository root with .gpu/ and .gpu-train/ carried, node
# already unpacked by scripts/device/on-device.sh's call A). Writes to $OUT:
#   parity.log     test/train/parity.test.ts (train-a fixture; same tolerances as on wasm) and
#                  test/train/fused-kernels.test.ts (the WebGPU training kernels against the composite ops)
#   profile.jsonl  bench/train/profile-train.ts: seconds per update with and without the kernels under tfjs flags,
#                  forward+backward vs optimizer, dispatches per update, GPU kernel time (timestamp queries)
#   speed.jsonl    tokens/s of TF.js on WebGPU (kernels on and off) and PyTorch float32 on CUDA, d128-L4-H4 and
#                  d256-L6-H8, 64 x 256
#   run.log        the GPU, the deferred-submit batch used; err.log: the benches' stderr
#   repro.log, repro-state.tgz   massive train of d128-L4-H4, default recipe, --eval on the suite's
#                  sequences, for REPRO_SECONDS, or until REPRO_UNTIL (default 540) seconds after this script began (resumable: a carried .gpu-train/repro-state.tgz is unpacked first,
#                  and results/ of a warm machine is reused; repro-state.tgz holds the last resumable step,
#                  train_log.json and d128-L4-H4/ with stats/ and eval_loss.json)
# Usage: bash bench/train/gpu.sh [parity] [profile] [speed] [repro]   (default: all four)
# A call sends the tracked tree (about 50 MiB) plus the carried paths, 64 MiB at most, so on a fresh machine
# (2026-12-02) the pieces went in separate calls made while it was warm, each parking its file outside the checkout:
#   1. carry [".gpu/node.xz.part00"]: mkdir -p /opt/massive-node && cp .gpu/node.xz.part00 /opt/massive-node/
#   2. carry [".gpu/node.xz.part01", ".gpu-train/corpus.tar.xz"]: mkdir -p /opt/massive-node/bin /opt/massive-train &&
#      cat /opt/massive-node/node.xz.part00 .gpu/node.xz.part01 | xz -dc > /opt/massive-node/bin/node &&
#      chmod +x /opt/massive-node/bin/node && cp .gpu-train/corpus.tar.xz /opt/massive-train/
#   3. (to resume the repro) carry [".gpu-train/repro-state.tgz"]: cp .gpu-train/repro-state.tgz /opt/massive-train/
#   4. carry [".gpu-train/js.tar.xz", ".gpu/debs", ".gpu/node_modules"]:
#      MASSIVE_WEBGPU_SUBMIT_BATCH=128 REPRO_UNTIL=<s> bash bench/train/gpu.sh parity repro
# MASSIVE_WEBGPU_SUBMIT_BATCH: tfjs's deferred-submit batch for speed and repro; unset, the profile's fastest is used.
set -uo pipefail
source scripts/device/on-device.sh
# the corpus and a repro state may have come in earlier calls, parked in /opt/massive-train (see the header)
for f in corpus.tar.xz repro-state.tgz; do [[ ! -s .gpu-train/$f && -s /opt/massive-train/$f ]] && cp "/opt/massive-train/$f" .gpu-train/; done
[[ -d .gpu-train/js ]] || tar -xJf .gpu-train/js.tar.xz -C .gpu-train
[[ -d .gpu-train/node_modules ]] || tar -xJf .gpu-train/corpus.tar.xz -C .gpu-train
# ESM imports (the backend's `import("webgpu")`) ignore NODE_PATH: they look in node_modules above the bundle.
ln -sfn "$PWD/.gpu/node_modules/webgpu" .gpu-train/node_modules/webgpu
export NODE_PATH=$PWD/.gpu-train/node_modules:$PWD/.gpu/node_modules MASSIVE_BACKEND=webgpu
mkdir -p .gpu-train/js/test && ln -sfn "$PWD/test/fixtures" .gpu-train/js/test/fixtures
what=${*:-parity profile speed repro}
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > "$OUT/run.log" 2>&1
if [[ $what == *parity* ]]; then
  for t in parity fused-kernels; do
    timeout 120 node --test .gpu-train/js/test/train/$t.test.js >> "$OUT/parity.log" 2>&1; echo "$t exit $?" >> "$OUT/parity.log"
  done
fi
if [[ $what == *profile* ]]; then
  MASSIVE_QUIET=1 MASSIVE_WEBGPU_DAWN=allow_unsafe_apis timeout 240 node .gpu-train/js/bench/train/profile-train.js --shape d128-L4-H4 --batch 64 --seq 256 --steps 3 > "$OUT/profile.jsonl" 2>> "$OUT/err.log" \
    || MASSIVE_QUIET=1 timeout 240 node .gpu-train/js/bench/train/profile-train.js --shape d128-L4-H4 --batch 64 --seq 256 --steps 3 >> "$OUT/profile.jsonl" 2>> "$OUT/err.log"
  if [[ -z ${MASSIVE_WEBGPU_SUBMIT_BATCH:-} ]]; then
    MASSIVE_WEBGPU_SUBMIT_BATCH=$(python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
best = min((r for r in rows if r.get("what") == "update" and r["fused"] and r["cpu_forward"]), key=lambda r: r["seconds_per_update"], default=None)
print(best["submit_batch"] if best else 15)' "$OUT/profile.jsonl")
  fi
fi
export MASSIVE_WEBGPU_SUBMIT_BATCH=${MASSIVE_WEBGPU_SUBMIT_BATCH:-15}
echo "submit batch $MASSIVE_WEBGPU_SUBMIT_BATCH" >> "$OUT/run.log"
if [[ $what == *speed* ]]; then
  for shape in d128-L4-H4 d256-L6-H8; do
    python3 bench/train/torch_train.py --device cuda --shape $shape --batch 64 --seq 256 --steps 10 >> "$OUT/speed.jsonl" 2>> "$OUT/err.log"
    MASSIVE_QUIET=1 timeout 120 node .gpu-train/js/bench/train/tfjs-train.js --shape $shape --batch 64 --seq 256 --steps 5 >> "$OUT/speed.jsonl" 2>> "$OUT/err.log"
    MASSIVE_TRAIN_FUSED=0 MASSIVE_QUIET=1 timeout 120 node .gpu-train/js/bench/train/tfjs-train.js --shape $shape --batch 64 --seq 256 --steps 5 >> "$OUT/speed.jsonl" 2>> "$OUT/err.log"
  done
fi
if [[ $what == *repro* ]]; then
  # a kernel that failed its comparison must not train: then the composite ops
  if [[ -s $OUT/parity.log ]] && ! { grep -q "^parity exit 0" "$OUT/parity.log" && grep -q "^fused-kernels exit 0" "$OUT/parity.log"; }; then
    export MASSIVE_TRAIN_FUSED=0; echo "repro with the composite ops (a test failed)" >> "$OUT/run.log"
  fi
  R=results/repro/d128-L4-H4
  if [[ ! -d $R && -s .gpu-train/repro-state.tgz ]]; then mkdir -p "$R" && tar -xzf .gpu-train/repro-state.tgz -C "$R"; fi
  mkdir -p "$R"
  budget=${REPRO_SECONDS:-$(( ${REPRO_UNTIL:-540} - SECONDS ))}; (( budget < 30 )) && budget=30
  echo "repro for $budget s" >> "$OUT/run.log"
  timeout "$budget" node .gpu-train/js/bench/train/train-cli.js --config data/mini-pythia/d128-L4-H4/config.json \
    --out "$R" --eval data/mini-pythia/eval_sequences.json >> "$OUT/repro.log" 2>&1; echo "repro exit $?" >> "$OUT/repro.log"
  # the last resumable step (the one with trainer_state.json), the log, the suite files and the evaluation
  last=$(ls -d "$R"/step*/trainer_state.json 2>/dev/null | sed 's|.*/step\([0-9]*\)/.*|\1|' | sort -n | tail -1)
  (cd "$R" && tar -czf "$OUT/repro-state.tgz" ${last:+step$last} train_log.json suite.json eval_sequences.json d128-L4-H4) 2>> "$OUT/repro.log"
  ls -la "$OUT" >> "$OUT/repro.log"
fi

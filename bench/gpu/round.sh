#!/usr/bin/env bash
# One device call that runs several people's GPU steps in turn (a "round"), so that one machine start (about 90 s of
# the session's device time) serves them all. Each step is a device-side script bench/gpu/round/<name>.sh, run from
# the repository root with the bundle .gpu-rec unpacked (bench/stream/pack-gpu.sh), MASSIVE_BACKEND=webgpu, node on
# the PATH, and OUT=<this call's $OUT>/<name>; it gets at most ROUND_S_<name> or else ROUND_STEP_S seconds (default 150).
# Here:   bash bench/stream/pack-gpu.sh
# Device: carry .gpu/debs .gpu/node_modules .gpu-rec, node at /opt/massive-node (scripts/device/README.md);
#         source scripts/device/on-device.sh; bash bench/gpu/round.sh [step ...]   (no step: every round/*.sh)
# Results in $OUT: round.log (each step's last lines and exit status) and results.tgz (every step's folder): the
# device tool returns at most 8 files.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
OUTDIR=$(mkdir -p "${OUT:-bench/out/round}" && cd "${OUT:-bench/out/round}" && pwd)
export MASSIVE_BACKEND=webgpu
source scripts/device/run-lib.sh # unpack_bundle, quiet
export -f quiet unpack_bundle # for the steps, which run in their own bash
unpack_bundle .gpu-rec || { echo "no .gpu-rec bundle: run bash bench/stream/pack-gpu.sh first" | tee "$OUTDIR/round.log"; exit 2; }
steps=("$@"); [[ ${#steps[@]} -gt 0 ]] || steps=($(ls bench/gpu/round/*.sh | xargs -n1 basename | sed 's/\.sh$//'))
nvidia-smi --query-gpu=name,driver_version,memory.used --format=csv,noheader >> "$OUTDIR/round.log"
for s in "${steps[@]}"; do
  mkdir -p "$OUTDIR/$s"; t0=$(date +%s)
  echo "[$(date -u +%T)] step $s" >> "$OUTDIR/round.log"
  OUT="$OUTDIR/$s" timeout "$(v=ROUND_S_$s; echo "${!v:-${ROUND_STEP_S:-150}}")" bash "bench/gpu/round/$s.sh" > "$OUTDIR/$s/step.log" 2>&1; rc=$?
  quiet < "$OUTDIR/$s/step.log" | tail -n "${ROUND_TAIL:-25}" | sed "s/^/  $s| /" >> "$OUTDIR/round.log"
  echo "[$(date -u +%T)] step $s rc=$rc ($(( $(date +%s) - t0 )) s)" >> "$OUTDIR/round.log"
done
(cd "$OUTDIR" && tar -czf ../round-results.tgz --exclude=round.log . && mv ../round-results.tgz results.tgz && find . -mindepth 1 -maxdepth 1 ! -name round.log ! -name results.tgz -exec rm -rf {} +)
cat "$OUTDIR/round.log"

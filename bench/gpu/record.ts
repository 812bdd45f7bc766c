/**
 * Recording seconds per checkpoint on the current backend: writes `--checkpoints` random-weight checkpoints of a
 * Pythia shape (float16 safetensors, as the hub's) under `--dir`, then records them with the product's recordRun
 * (read, upload, forward on `--seqs` x `--seq` random tokens, top-3 and median of |h| per layer) and prints the
 * seconds per checkpoint; then the compute part alone (model loaded once) with the device and host reductions.
 * Usage: node bench/gpu/record.js [--shape 70m] [--checkpoints 12] [--seqs 10] [--seq 2048] [--dir /tmp/massive-ckpts]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { GPTNeoX } from "../../src/model/gpt-neox";
import { listLocalCheckpoints, recordRun } from "../../src/record/run";
import { recordCheckpointStats } from "../../src/record/stats";
import { writeRandomHalfCheckpoint } from "../stream/checkpoint";
import { arg, median, pythiaConfig, randomIds, randomNeoXWeights, setup, webGpuErrorCount, writeResult } from "./lib";

/** `count` random float16 checkpoints `step<N>/` of a Pythia shape (bench/stream/checkpoint.ts), kept if present. */
async function writeCheckpoints(dir: string, shape: string, count: number): Promise<number[]> {
  const steps = Array.from({ length: count }, (_, i) => (i === 0 ? 0 : 2 ** (i + 3)));
  for (const step of steps) await writeRandomHalfCheckpoint(path.join(dir, `step${step}`), shape, step + 1);
  return steps;
}

async function main(): Promise<void> {
  const info = await setup();
  const shape = arg("shape", "70m");
  const count = Number(arg("checkpoints", "12"));
  const seqs = Number(arg("seqs", "10")), T = Number(arg("seq", "2048"));
  const dir = arg("dir", "/tmp/massive-ckpts");
  const out = arg("out", "/tmp/massive-record-out");
  const c = pythiaConfig(shape);
  let t0 = performance.now();
  await writeCheckpoints(path.join(dir, shape), shape, count);
  const writeS = (performance.now() - t0) / 1000;
  console.log(`wrote ${count} float16 checkpoints of pythia-${shape} shape in ${writeS.toFixed(1)} s`);
  const sequences = randomIds(seqs, T, c.vocabSize, 11);
  fs.rmSync(out, { recursive: true, force: true });
  t0 = performance.now();
  const summary = await recordRun({
    out, model: { kind: "local", id: path.join(dir, shape) }, checkpoints: listLocalCheckpoints(path.join(dir, shape)),
    evalSet: { sequences, source: "random ids" }, name: `bench-${shape}`, log: () => undefined,
  });
  const totalS = (performance.now() - t0) / 1000;
  const per = summary.recorded.map((r) => r.seconds);
  console.log(`recordRun pythia-${shape}: ${summary.recorded.length} checkpoints in ${totalS.toFixed(1)} s, ${(totalS / summary.recorded.length).toFixed(2)} s per checkpoint ` +
    `(median engine seconds ${median(per).toFixed(2)}, first ${per[0]?.toFixed(2)}), failed ${summary.failed.length}${summary.failed.length ? `: ${summary.failed[0]!.message}` : ""}`);
  const files = fs.readdirSync(out).filter((f) => f.startsWith("exp2_"));
  // compute only: one model, the same sequences, each reduction
  const model = new GPTNeoX(c);
  model.loadWeights(randomNeoXWeights(c, 5), "random");
  const compute: Record<string, number> = {};
  for (const method of ["device", "host"] as const) {
    const times: number[] = [];
    for (let r = 0; r < 3; r++) {
      const s = performance.now();
      await recordCheckpointStats(model, sequences, { medianMethod: method });
      times.push((performance.now() - s) / 1000);
    }
    compute[method] = median(times.slice(1));
    console.log(`recordCheckpointStats pythia-${shape} (${method} reductions): ${compute[method]!.toFixed(3)} s per checkpoint`);
  }
  model.dispose();
  console.log(`wrote ${writeResult(`record-${info.name}-${shape}`, {
    backend: info, shape, checkpoints: count, seqs, seqLen: T, writeS, totalS, perCheckpoint: per, exp2Files: files.length,
    failed: summary.failed, computeOnlyS: compute, webGpuErrors: webGpuErrorCount(),
  })}`);
}

main().catch((err) => { console.error(err); process.exit(1); });

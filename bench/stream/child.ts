/**
 * One measured recording, in its own process so that its peak resident memory (VmHWM) is its own: records the
 * checkpoint in `--dir` `--repeat` times on `--seqs` x `--seq` random tokens and prints one JSON line.
 *   --mode stream   the product's path (openCheckpoint + recordStreaming, as InProcessEngine does)
 *   --mode loaded   the previous path: the whole checkpoint read and widened, the model loaded, then recorded
 * With --profile 1 (stream mode) one more recording waits for the GPU after each phase and reports where the time
 * goes (src/record/stream.ts StreamTimings); every stream recording reports its unprofiled phase times too.
 * Usage: node --import tsx bench/stream/child.ts --dir D --mode stream [--seqs 1] [--seq 512] [--repeat 2] [--profile 1]
 */
import * as fs from "node:fs";
import { initBackend, tf } from "../../src/backend";
import { readCheckpoint } from "../../src/io/checkpoint";
import { openCheckpoint } from "../../src/io/open-checkpoint";
import { GPTNeoX } from "../../src/model/gpt-neox";
import { recordCheckpointStats } from "../../src/record/stats";
import { newStreamTimings, recordStreaming, type StreamTimings } from "../../src/record/stream";
import { arg, randomIds } from "../gpu/lib";

/** Peak resident set size of this process so far, bytes (Linux). */
function peakRss(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) * 1024 : process.memoryUsage().rss;
}

async function main(): Promise<void> {
  const info = await initBackend();
  const dir = arg("dir", "");
  const mode = arg("mode", "stream");
  const seqs = Number(arg("seqs", "1")), T = Number(arg("seq", "512")), repeat = Number(arg("repeat", "2"));
  const seconds: number[] = [];
  let peakBackendBytes = 0;
  let peakMemory: unknown;
  // tfjs-backend-webgpu's buffers, live tensors and its reuse pool together (what the GPU holds for tfjs)
  let peakGpuAllocatedBytes = 0;
  const probe = (): void => {
    const m = tf.memory() as tf.MemoryInfo & { numBytesAllocatedInGPU?: number };
    if (m.numBytes > peakBackendBytes) {
      peakBackendBytes = m.numBytes;
      peakMemory = m;
    }
    peakGpuAllocatedBytes = Math.max(peakGpuAllocatedBytes, m.numBytesAllocatedInGPU ?? 0);
  };
  const profileRuns = mode === "stream" && arg("profile", "0") === "1" ? 1 : 0;
  const timings: StreamTimings[] = [];
  let values: number[][][] = [];
  let model: GPTNeoX | undefined;
  let profiled: { seconds: number; timings: StreamTimings } | undefined;
  for (let r = 0; r < repeat + profileRuns; r++) {
    const t0 = performance.now();
    const profile = r === repeat;
    if (mode === "stream") {
      const ckpt = await openCheckpoint(dir);
      try {
        const sequences = randomIds(seqs, T, ckpt.config.vocabSize, 11);
        model ??= new GPTNeoX(ckpt.config);
        const time = newStreamTimings();
        values = await recordStreaming(model, ckpt, sequences, { onLayer: probe, timings: time, profile });
        if (profile) profiled = { seconds: (performance.now() - t0) / 1000, timings: time };
        else timings.push(time);
      } finally {
        await ckpt.close();
      }
    } else {
      const ckpt = await readCheckpoint(dir);
      const sequences = randomIds(seqs, T, ckpt.config.vocabSize, 11);
      if (!model) model = GPTNeoX.fromCheckpoint(ckpt);
      else model.loadWeights(ckpt.weights, dir);
      ckpt.weights.clear();
      probe();
      values = await recordCheckpointStats(model, sequences);
    }
    if (!profile) seconds.push((performance.now() - t0) / 1000);
  }
  const top1Sum = values.reduce((a, s) => a + s[0]!.reduce((x, y) => x + y, 0), 0);
  console.log(JSON.stringify({
    mode, dir, backend: info.name, kernels: process.env.MASSIVE_WEBGPU_KERNELS ?? "on", seqs, seqLen: T, seconds, timings, profiled,
    peakRssBytes: peakRss(), peakBackendBytes, peakGpuAllocatedBytes, peakMemory,
    cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6, top1Sum,
  }));
}

main().catch((err) => {
  console.error(`bench/stream/child: ${(err as Error).message}`);
  process.exit(1);
});

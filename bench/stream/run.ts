/**
 * Streaming recording bench: per Pythia shape, a random float16 checkpoint (bench/stream/checkpoint.ts, under
 * --dir, not in the repository) recorded in a child process (child.ts) with the product's streaming path and,
 * where it fits in memory, the previous whole-model path; prints a Markdown table and writes the raw results.
 *   node --import tsx bench/stream/run.ts [--shapes 70m,160m,1b] [--seqs 1] [--seq 512] [--repeat 2]
 *     [--loaded 70m,160m] [--dir /tmp/massive-stream] [--out bench/stream/results-<backend>.json] [--profile 1]
 * (a shape may be cut to fewer layers: 12b-L8; --profile 1 adds one recording timed per phase, see child.ts)
 * "s/ckpt" is the median over the repeats after the first (the first pays start-up, tables and the page cache's
 * first read); peak RSS is the child's VmHWM; backend bytes the largest tf.memory().numBytes seen between layers.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeRandomHalfCheckpoint } from "./checkpoint";
import { arg, median, pythiaConfig } from "../gpu/lib";

interface ChildResult {
  mode: string; backend: string; seqs: number; seqLen: number; seconds: number[]; peakRssBytes: number;
  peakBackendBytes: number; peakGpuAllocatedBytes: number; cpuSeconds: number; top1Sum: number;
  profiled?: { seconds: number; timings: Record<string, number> };
}

const MiB = 2 ** 20;

function runChild(dir: string, mode: string, seqs: string, seq: string, repeat: string, profile: string): ChildResult | { mode: string; error: string } {
  // From the sources through tsx, or the esbuild bundle beside this one (device machines, scripts/device/pack.sh).
  const bundled = path.join(__dirname, "child.js");
  const entry = fs.existsSync(bundled) ? [bundled] : ["--import", "tsx", path.join(__dirname, "child.ts")];
  const r = spawnSync(process.execPath, [...entry, "--dir", dir, "--mode", mode, "--seqs", seqs, "--seq", seq, "--repeat", repeat, "--profile", profile], {
    encoding: "utf8", env: { ...process.env, MASSIVE_QUIET: "1" }, maxBuffer: 1 << 24,
  });
  const line = r.stdout.trim().split("\n").pop() ?? "";
  if (r.status !== 0 || !line.startsWith("{")) return { mode, error: `exit ${r.status ?? r.signal}: ${(r.stderr || r.stdout).trim().split("\n").slice(-2).join(" | ")}` };
  return JSON.parse(line) as ChildResult;
}

async function main(): Promise<void> {
  const shapes = arg("shapes", "70m,160m,1b").split(",");
  const loaded = new Set(arg("loaded", "70m,160m").split(","));
  const seqs = arg("seqs", "1"), seq = arg("seq", "512"), repeat = arg("repeat", "2"), profile = arg("profile", "0");
  const root = arg("dir", "/tmp/massive-stream");
  const rows: string[] = [];
  const results: unknown[] = [];
  let backend = "";
  for (const shape of shapes) {
    const c = pythiaConfig(shape);
    const dir = path.join(root, shape);
    const t0 = performance.now();
    const bytes = await writeRandomHalfCheckpoint(dir, shape);
    const writeS = (performance.now() - t0) / 1000;
    for (const mode of ["stream", ...(loaded.has(shape) ? ["loaded"] : [])]) {
      const r = runChild(dir, mode, seqs, seq, repeat, profile);
      results.push({ shape, layers: c.numLayers, hidden: c.hiddenSize, checkpointBytes: bytes, writeSeconds: writeS, ...r });
      if ("error" in r) {
        rows.push(`| ${shape} | ${mode} | failed: ${r.error} | | | | | | |`);
        continue;
      }
      backend = r.backend;
      const steady = r.seconds.length > 1 ? median(r.seconds.slice(1)) : r.seconds[0]!;
      const phases = r.profiled ? Object.entries(r.profiled.timings).map(([k, v]) => `${k} ${(v / 1000).toFixed(2)}`).join(", ") + ` (total ${r.profiled.seconds.toFixed(2)})` : "";
      rows.push(`| ${shape} | ${mode} | ${c.numLayers} | ${(bytes / 1e9).toFixed(2)} GB | ${steady.toFixed(2)} (first ${r.seconds[0]!.toFixed(2)}) | ${(r.peakRssBytes / MiB).toFixed(0)} | ${(r.peakBackendBytes / MiB).toFixed(0)} | ${(r.peakGpuAllocatedBytes / MiB).toFixed(0)} | ${phases} |`);
    }
  }
  const header = `stream bench: ${seqs} x ${seq} tokens, backend ${backend}, MASSIVE_WEBGPU_KERNELS=${process.env.MASSIVE_WEBGPU_KERNELS ?? "on"}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(1)}, ${new Date().toISOString()}`;
  const table = ["| shape | path | layers | fp16 file | s/ckpt | peak RSS (MiB) | backend MiB between layers | tfjs GPU buffers MiB (peak) | profiled s per phase |", "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |", ...rows];
  console.log([header, ...table].join("\n"));
  const out = arg("out", process.env.OUT ? path.join(process.env.OUT, `stream-${backend}.json`) : path.join(__dirname, `results-${backend}-${seqs}x${seq}.json`));
  fs.writeFileSync(out, JSON.stringify({ header, table, results }, null, 1));
  console.log(`wrote ${out}`);
}

main().catch((err) => {
  console.error(`bench/stream: ${(err as Error).message}`);
  process.exit(1);
});

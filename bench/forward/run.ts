/**
 * Forward-pass throughput of the GPT-NeoX model on the selected backend (MASSIVE_BACKEND picks one), for Pythia-70m
 * and Pythia-160m shapes with random weights, batch 1 x --tokens (default 2048), next to the same backend's float32
 * matmul GFLOP/s measured in the same run, and the process's peak resident memory.
 *
 *   npx tsx bench/forward/run.ts [--models 70m,160m] [--tokens 2048] [--reps 1] [--matmul 1024] [--no-logits] [--json out.json]
 *
 * `--no-logits` measures the recording path (layer outputs only, `returnLogits: false`; the GFLOP count drops 2TdV).
 * Each run ends by reading the last layer's output, or with logits their maximum (not the logits themselves: see run()).
 *
 * GFLOP counts only matrix products (2 FLOP per multiply-add): per layer 2T(3d^2 + d^2 + 2 d ff) for the dense
 * layers and 4 T^2 d for the attention scores and weighted sum (the full T x T square, as computed), plus 2 T d V for
 * the logits. Element-wise work (LayerNorm, GELU, softmax, rotary) is not counted.
 *
 * On a shared machine wall-clock rates move with the load, so every rate is also given per CPU-second of this
 * process (process.cpuUsage): `cpuGflops` of the forward over `matmulCpuGflops` is the ratio per CPU-second. It is
 * not load-independent (two cores and their caches are shared, so a CPU-second does less under load), so each run
 * is also divided by a matmul reference measured right beside it (`adjacentCpuRatios`, median of the runs).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import { initBackend, tf } from "../../src/backend";
import { parseNeoXConfig, type NeoXConfig } from "../../src/io/config";
import type { HostTensor } from "../../src/io/host-tensor";
import { expectedNeoXShapes } from "../../src/model/weights";
import { GPTNeoX } from "../../src/model/gpt-neox";

const SHAPES: Record<string, { hidden_size: number; num_hidden_layers: number; num_attention_heads: number }> = {
  "70m": { hidden_size: 512, num_hidden_layers: 6, num_attention_heads: 8 },
  "160m": { hidden_size: 768, num_hidden_layers: 12, num_attention_heads: 12 },
  "410m": { hidden_size: 1024, num_hidden_layers: 24, num_attention_heads: 16 },
};

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

function pythia(shape: string): NeoXConfig {
  const s = SHAPES[shape];
  if (!s) throw new Error(`unknown shape '${shape}' (known: ${Object.keys(SHAPES).join(", ")})`);
  return parseNeoXConfig({
    ...s, intermediate_size: 4 * s.hidden_size, vocab_size: 50304, max_position_embeddings: 2048,
    rotary_pct: 0.25, rotary_emb_base: 10000, layer_norm_eps: 1e-5, use_parallel_residual: true, hidden_act: "gelu",
  }, `pythia-${shape} shape`);
}

/** Random weights (xorshift, uniform in +-0.05; LayerNorm weights 1, biases 0). */
function randomWeights(c: NeoXConfig): Map<string, HostTensor> {
  let x = 2463534242;
  const shapes = expectedNeoXShapes(c);
  shapes.set("embed_out.weight", [c.vocabSize, c.hiddenSize]);
  const out = new Map<string, HostTensor>();
  for (const [name, shape] of shapes) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (/layernorm\.weight|layer_norm\.weight/.test(name)) data.fill(1);
    else if (!name.endsWith(".bias")) {
      for (let i = 0; i < n; i++) {
        x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
        data[i] = ((x >>> 0) / 4294967296 - 0.5) * 0.1;
      }
    }
    out.set(name, { dtype: "float32", shape, data });
  }
  return out;
}

function forwardGflop(c: NeoXConfig, T: number): number {
  const d = c.hiddenSize;
  const perLayer = 2 * T * (4 * d * d + 2 * d * c.intermediateSize) + 4 * T * T * d;
  return (c.numLayers * perLayer + 2 * T * d * c.vocabSize) / 1e9;
}

/** Wall-clock and CPU seconds of `f`. */
async function timed(f: () => Promise<void>): Promise<{ wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await f();
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}

/** GFLOP/s of an n^3 float32 matmul: best (or with `median`, the median) wall-clock and per CPU-second over `reps` runs. */
async function matmulGflops(n: number, reps = 5, median = false): Promise<{ wall: number; cpu: number }> {
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  const once = () => timed(async () => {
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
  });
  await once(); // warm-up
  const times: { wall: number; cpu: number }[] = [];
  for (let r = 0; r < reps; r++) times.push(await once());
  tf.dispose([a, b]);
  const pick = median ? middle : (v: number[]) => Math.min(...v);
  const gflop = (2 * n ** 3) / 1e9;
  return { wall: gflop / pick(times.map((t) => t.wall)), cpu: gflop / pick(times.map((t) => t.cpu)) };
}

/** The median of `v` (mean of the middle two for an even length). */
function middle(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function main(): Promise<void> {
  const info = await initBackend();
  const models = arg("models", "70m,160m").split(",");
  const T = Number(arg("tokens", "2048"));
  const reps = Number(arg("reps", "1"));
  const mmN = Number(arg("matmul", "1024"));
  const withLogits = !process.argv.includes("--no-logits");
  const rows: Record<string, unknown>[] = [];
  console.log(`backend ${info.name} (${info.detail}); batch 1 x ${T} tokens${withLogits ? "" : ", no logits"}; ${reps} timed run(s) after a warm-up`);
  const mm = await matmulGflops(mmN);
  console.log(`matmul ${mmN}^3 float32: ${mm.wall.toFixed(1)} GFLOP/s wall-clock, ${mm.cpu.toFixed(1)} GFLOP per CPU-second`);
  for (const shape of models) {
    const c = pythia(shape);
    const model = new GPTNeoX(c);
    model.loadWeights(randomWeights(c), `random pythia-${shape}`);
    const ids = [Array.from({ length: T }, (_, i) => (i * 7919) % c.vocabSize)];
    const run = (tokens: number[][]) => timed(async () => {
      const { logits, cache } = model.runWithCache(tokens, { namesFilter: (n) => n.endsWith("hook_resid_post"), returnLogits: withLogits });
      // Wait for the result without downloading the logits: reading [T, vocab] float32 (412 MB at 2048 tokens) back
      // costs wasm about 1.8 CPU-s (a copy out of the wasm heap), which is I/O, not the forward's work.
      const done = logits ? tf.max(logits) : undefined;
      if (done) await done.data();
      else await cache.get(`blocks.${c.numLayers - 1}.hook_resid_post`)!.data();
      tf.dispose([...(logits && done ? [logits, done] : []), ...cache.values()]);
    });
    await run([ids[0]!.slice(0, 64)]); // warm-up: kernels, rotary tables of another length
    const gflop = forwardGflop(c, T) - (withLogits ? 0 : (2 * T * c.hiddenSize * c.vocabSize) / 1e9);
    let wall = Infinity;
    let cpu = Infinity;
    // Per run, the matmul rate measured right beside it (median of 3 before and 3 after): the load of a shared
    // machine moves CPU-second rates too (caches and cores are shared), so a reference taken minutes away is not
    // comparable; `adjacentCpuRatios` holds each run's forward rate over its own reference.
    const adjacentCpuRatios: number[] = [];
    for (let r = 0; r < reps; r++) {
      const mmBefore = await matmulGflops(mmN, 3, true);
      const t = await run(ids);
      const mmAfter = await matmulGflops(mmN, 3, true);
      wall = Math.min(wall, t.wall);
      cpu = Math.min(cpu, t.cpu);
      adjacentCpuRatios.push(gflop / t.cpu / ((mmBefore.cpu + mmAfter.cpu) / 2));
    }
    model.dispose();
    const row = {
      model: `pythia-${shape}`, backend: info.name, tokens: T, logits: withLogits, seconds: wall, cpuSeconds: cpu, tokensPerS: T / wall,
      tokensPerCpuS: T / cpu, gflop, gflops: gflop / wall, cpuGflops: gflop / cpu, matmulGflops: mm.wall,
      matmulCpuGflops: mm.cpu, ratio: gflop / wall / mm.wall, cpuRatio: gflop / cpu / mm.cpu,
      adjacentCpuRatios, adjacentCpuRatioMedian: middle(adjacentCpuRatios),
      peakRssMiB: process.resourceUsage().maxRSS / 1024, numTensorsAfter: tf.memory().numTensors,
    };
    rows.push(row);
    console.log(`pythia-${shape}: ${T} tokens in ${wall.toFixed(2)} s (${cpu.toFixed(2)} CPU-s) = ${row.tokensPerS.toFixed(1)} tokens/s ` +
      `(${row.tokensPerCpuS.toFixed(1)} per CPU-s); ${gflop.toFixed(1)} GFLOP -> ${row.gflops.toFixed(1)} GFLOP/s = ` +
      `${(100 * row.ratio).toFixed(0)}% of matmul wall-clock, ${row.cpuGflops.toFixed(1)} GFLOP per CPU-s = ` +
      `${(100 * row.cpuRatio).toFixed(0)}% of matmul per CPU-s; beside each run's own matmul reference ` +
      `${adjacentCpuRatios.map((x) => `${(100 * x).toFixed(0)}%`).join(", ")} (median ${(100 * row.adjacentCpuRatioMedian).toFixed(0)}%); ` +
      `peak RSS ${row.peakRssMiB.toFixed(0)} MiB`);
  }
  const after = await matmulGflops(mmN);
  console.log(`matmul ${mmN}^3 float32 after the runs: ${after.wall.toFixed(1)} GFLOP/s wall-clock, ${after.cpu.toFixed(1)} per CPU-second`);
  const json = arg("json", "");
  if (json) fs.writeFileSync(json, `${JSON.stringify({ backend: info, tokens: T, matmul: mm, matmulAfter: after, loadavg: os.loadavg(), rows }, null, 2)}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`bench/forward: ${err.message.split("\n")[0]}\n`);
  process.exit(1);
});

/**
 * Matrix products and a memory-bound op on the current backend (MASSIVE_BACKEND=webgpu on a GPU): correctness
 * against a float64 host reference, then GFLOP/s (median of timed repeats after a warm-up) for the shapes the
 * GPT-NeoX forward uses (rows = 10 x 2048 tokens) and 8192^3, and GB/s of an elementwise add.
 * `--bk 16,32,16db` repeats checks and timings for each K step of the tiled kernel (MASSIVE_WEBGPU_MATMUL_BK; db:
 * double-buffered, MASSIVE_WEBGPU_MATMUL_DB=1); `--set
 * forward` times the products of one forward pass of 5 x 2048 tokens (70m and 1b: qkv, dense, fc1, fc2, logits)
 * and 8192^3 instead; `--tag` names the result file.
 * Usage: node bench/gpu/matmul.js [--reps 5] [--quick] [--checks-only] [--bk 16,32] [--set forward] [--tag name]
 */
import { arg, fillRandom, median, setup, sync, tf, writeResult } from "./lib";

function hostMatMul(a: Float32Array, b: Float32Array, M: number, K: number, N: number): Float64Array {
  const c = new Float64Array(M * N);
  for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) {
    const av = a[i * K + k]!;
    for (let j = 0; j < N; j++) c[i * N + j] += av * b[k * N + j]!;
  }
  return c;
}

/** ||gpu - ref|| / ||ref|| of batch x [M, K] @ [K, N] (+ bias when asked; B shared by the batch when bBatch = 1). */
async function check(M: number, K: number, N: number, seed: number, batch = 1, bBatch = batch, withBias = false): Promise<number> {
  const a = fillRandom(new Float32Array(batch * M * K), seed, 1);
  const b = fillRandom(new Float32Array(bBatch * K * N), seed + 1, 1);
  const bias = fillRandom(new Float32Array(N), seed + 2, 1);
  const ref = new Float64Array(batch * M * N);
  for (let i = 0; i < batch; i++) {
    const bi = bBatch === 1 ? 0 : i;
    const r = hostMatMul(a.subarray(i * M * K, (i + 1) * M * K), b.subarray(bi * K * N, (bi + 1) * K * N), M, K, N);
    for (let j = 0; j < M * N; j++) ref[i * M * N + j] = r[j]! + (withBias ? bias[j % N]! : 0);
  }
  // the output buffer is poisoned first: a fresh tensor of NaN is disposed so its buffer is reused
  tf.dispose(tf.fill([batch * M * N], NaN));
  const out = tf.tidy(() => {
    const at = tf.tensor3d(a, [batch, M, K]), bt = bBatch === 1 ? tf.tensor2d(b, [K, N]) : tf.tensor3d(b, [bBatch, K, N]);
    if (withBias) return tf.fused.matMul({ a: tf.reshape(at, [batch * M, K]) as tf.Tensor2D, b: bt as tf.Tensor2D, bias: tf.tensor1d(bias) });
    return tf.matMul(at, bt as tf.Tensor3D);
  });
  const got = (await out.data()) as Float32Array;
  out.dispose();
  let num = 0, den = 0;
  for (let i = 0; i < ref.length; i++) {
    const g = got[i]!;
    if (!Number.isFinite(g)) return Infinity;
    num += (g - ref[i]!) ** 2; den += ref[i]! ** 2;
  }
  return Math.sqrt(num / den);
}

/** Median seconds of one product: `inner` products per timed repeat (small products would time the read-back). */
async function timeIt(fn: () => tf.Tensor, reps: number, inner = 1): Promise<number> {
  tf.dispose(fn()); await sync();
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    for (let i = 1; i < inner; i++) fn().dispose();
    const out = fn();
    await sync(out);
    times.push((performance.now() - t0) / 1000 / inner);
    out.dispose();
  }
  return median(times);
}

/** The products of one forward pass of 5 x 2048 tokens (rows 10240) for 70m and 1b, and 8192^3. */
const FORWARD_SHAPES: [string, number, number, number, number][] = [
  ["8192^3", 1, 8192, 8192, 8192],
  ["70m qkv 10240x512x1536", 1, 10240, 512, 1536],
  ["70m dense 10240x512x512", 1, 10240, 512, 512],
  ["70m fc1 10240x512x2048", 1, 10240, 512, 2048],
  ["70m fc2 10240x2048x512", 1, 10240, 2048, 512],
  ["70m logits 10240x512x50304", 1, 10240, 512, 50304],
  ["1b qkv 10240x2048x6144", 1, 10240, 2048, 6144],
  ["1b dense 10240x2048x2048", 1, 10240, 2048, 2048],
  ["1b fc1 5120x2048x8192", 1, 5120, 2048, 8192],
  ["1b fc2 5120x8192x2048", 1, 5120, 8192, 2048],
  ["1b logits 10240x2048x50304", 1, 10240, 2048, 50304],
];

async function main(): Promise<void> {
  const info = await setup();
  const reps = Number(arg("reps", "5"));
  const quick = process.argv.includes("--quick");
  const steps = arg("bk", process.env.MASSIVE_WEBGPU_MATMUL_BK ?? "16").split(",");
  const result: Record<string, unknown>[] = [];
  for (const step of steps) { // "16", "32", or "16db" (double-buffered, MASSIVE_WEBGPU_MATMUL_DB=1)
    const bk = step.replace("db", ""), double = step.endsWith("db");
    process.env.MASSIVE_WEBGPU_MATMUL_BK = bk;
    process.env.MASSIVE_WEBGPU_MATMUL_DB = double ? "1" : "0";
    console.log(`K step ${bk}${double ? ", double-buffered" : ""}`);
    result.push({ bk: Number(bk), double, ...(await measure(reps, quick)) });
  }
  const tag = arg("tag", "");
  const file = writeResult(`matmul-${info.name}${tag ? `-${tag}` : process.env.MASSIVE_WEBGPU_DAWN ? "-dawnflags" : ""}`, {
    backend: info, dawnFlags: process.env.MASSIVE_WEBGPU_DAWN ?? "", robustness: process.env.MASSIVE_WEBGPU_ROBUSTNESS ?? "analysis (default)", result,
  });
  console.log(`wrote ${file}`);
}

async function measure(reps: number, quick: boolean): Promise<Record<string, unknown>> {
  const checks: Record<string, number> = {};
  const cases: [number, number, number, number, number, boolean][] = [ // M, K, N, batch, bBatch, bias
    [256, 256, 256, 1, 1, false], [1000, 777, 555, 1, 1, false], [64, 2048, 200, 1, 1, false],
    [1000, 780, 556, 1, 1, false], [384, 512, 384, 1, 1, true], [200, 68, 260, 1, 1, true],
    [130, 68, 132, 3, 3, false], [128, 64, 128, 4, 1, false], [256, 1024, 64, 2, 2, false],
  ];
  for (const [M, K, N, B, bB, bias] of cases) {
    const key = `${B}x${M}x${K}x${N}${bB === 1 && B > 1 ? " (B shared)" : ""}${bias ? " +bias" : ""}`;
    checks[key] = await check(M, K, N, M + K + N, B, bB, bias);
    console.log(`check ${key}: ||gpu - ref|| / ||ref|| = ${checks[key]!.toExponential(2)}`);
  }
  const shapes: [string, number, number, number, number][] = [ // label, batch, M, K, N
    ["8192^3", 1, 8192, 8192, 8192],
    ["70m qkv 20480x512x1536", 1, 20480, 512, 1536],
    ["70m fc1 20480x512x2048", 1, 20480, 512, 2048],
    ["160m fc1 20480x768x3072", 1, 20480, 768, 3072],
    ["1b qkv 20480x2048x6144", 1, 20480, 2048, 6144],
    ["1b fc1 20480x2048x8192", 1, 20480, 2048, 8192],
    ["1b fc2 20480x8192x2048", 1, 20480, 8192, 2048],
    ["1b logits 4096x2048x50304", 1, 4096, 2048, 50304],
    ["1b scores 16x(2048x256x2048)", 16, 2048, 256, 2048],
    ["160m scores 24x(2048x64x2048)", 24, 2048, 64, 2048],
    ["1b ctx 16x(2048x2048x256)", 16, 2048, 2048, 256],
  ];
  if (process.argv.includes("--checks-only")) return { checks };
  const rows: { label: string; seconds: number; gflops: number }[] = [];
  const list = arg("set", "") === "forward" ? FORWARD_SHAPES : quick ? shapes.slice(0, 2) : shapes;
  for (const [label, B, M, K, N] of list) {
    const a = tf.randomNormal(B === 1 ? [M, K] : [B, M, K]);
    const b = tf.randomNormal(B === 1 ? [K, N] : [B, K, N]);
    const inner = Math.max(1, Math.min(20, Math.round(2e11 / (2 * B * M * K * N))));
    const s = await timeIt(() => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D), reps, inner);
    const gflops = (2 * B * M * K * N) / s / 1e9;
    rows.push({ label, seconds: s, gflops });
    console.log(`${label.padEnd(32)} ${(s * 1e3).toFixed(2).padStart(9)} ms ${gflops.toFixed(0).padStart(7)} GFLOP/s`);
    tf.dispose([a, b]);
  }
  if (arg("set", "") === "forward") return { checks, rows };
  const n = 1 << 28;
  const x = tf.randomUniform([n]), y = tf.randomUniform([n]);
  const s = await timeIt(() => tf.add(x, y), reps);
  const gbs = (3 * 4 * n) / s / 1e9;
  console.log(`add 2^28 floats ${(s * 1e3).toFixed(2)} ms ${gbs.toFixed(0)} GB/s (read 2, write 1)`);
  tf.dispose([x, y]);
  return { checks, rows, addGBs: gbs };
}

main().catch((err) => { console.error(err); process.exit(1); });

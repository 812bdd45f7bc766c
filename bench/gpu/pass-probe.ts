/**
 * Where a forward pass's wall time goes, batch by batch, run as bench/gpu/forward.ts runs it (all `seqs` sequences
 * in passes of `batch`, one read back per pass): per pass the host's encoding (runWithCache until it returns), with
 * `:fence` the wait for the GPU (the queued work submitted, then queue.onSubmittedWorkDone) apart from the read-back
 * (forward.ts's sync: slice, sum, mapAsync), and the disposal; per repetition the device calls made (buffers created
 * and their bytes, bind groups, shader modules and pipelines, submits, uniform writes, read-backs) and the pipelines
 * added to tfjs's cache (a shader key that varies recompiles). Every repetition is kept (not only the median): the
 * 70m float16 figure of forward.ts varied from 160k to 387k tokens/s between calls (bench/gpu/h200-2026-12-02-*).
 * `--product 1` also times the unembedding product alone (halfLinear or the float32 matMul on [rows, C] x [C, vocab],
 * one read-back per call) for rows of one pass of `batch` sequences.
 * Usage: node bench/gpu/pass-probe.js [--shape 70m] [--compute float16] [--seqs 10] [--seq 2048] [--reps 6]
 *          [--configs logits:5,logits:5:fence,logits:2,hidden:5,hidden:10] [--product 1] [--tag name] [--null (Dawn's Null, CPU machine)]
 */
import { GPTNeoX } from "../../src/model/gpt-neox";
import { halfLinear, packHalfWeight } from "../../src/backend-webgpu-f16";
import { float32ToHalf } from "../../src/util/float-bits";
import { arg, fillRandom, median, pythiaConfig, randomIds, randomNeoXWeights, setup, sync, tf, writeResult } from "./lib";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

/** Counts (and bytes, host ms) of the device calls of interest, reset per repetition. */
type Counts = Record<string, { n: number; bytes: number; ms: number }>;

/** Wraps the device's and queue's methods of interest (and the backend's read-back) to count them into `counts`. */
function instrument(backend: Any, counts: Counts): void {
  const wrap = (obj: Any, name: string, label: string, bytes: (a: Any[]) => number = () => 0): void => {
    const f = obj[name]?.bind(obj);
    if (!f) return;
    const g = (...a: Any[]): Any => {
      const t = performance.now();
      const e = (counts[label] ??= { n: 0, bytes: 0, ms: 0 });
      e.n++; e.bytes += bytes(a);
      try { return f(...a); } finally { e.ms += performance.now() - t; }
    };
    try { obj[name] = g; } catch { console.warn(`pass-probe: cannot wrap ${label}`); }
  };
  const d = backend.device;
  wrap(d, "createBuffer", "createBuffer", (a) => Number(a[0]?.size ?? 0));
  for (const m of ["createBindGroup", "createShaderModule", "createComputePipeline", "createComputePipelineAsync", "createCommandEncoder"]) wrap(d, m, m);
  wrap(backend.queue, "submit", "submit");
  wrap(backend.queue, "writeBuffer", "writeBuffer", (a) => Number(a[2]?.byteLength ?? 0));
  wrap(backend, "getBufferData", "readBack (mapAsync)", (a) => Number(a[0]?.size ?? 0));
}

/** Submits what tfjs has queued and waits until the GPU has run it. */
async function fence(backend: Any): Promise<void> {
  if (backend.commandEncoder) { backend.endComputePassEncoder(); backend.submitQueue(); }
  await backend.queue.onSubmittedWorkDone();
}

interface PassTimes { encodeMs: number; gpuWaitMs: number; readMs: number; disposeMs: number }

async function runConfig(model: GPTNeoX, backend: Any, counts: Counts, ids: number[][], spec: string, reps: number, lastHook: string): Promise<Record<string, unknown>> {
  const [kind, per, opt] = spec.split(":");
  const logits = kind === "logits", batch = Number(per), fenced = opt === "fence";
  const repRows: Record<string, unknown>[] = [];
  for (let r = 0; r <= reps; r++) {
    for (const k of Object.keys(counts)) delete counts[k];
    const pipelines0 = Object.keys(backend.pipelineCache).length;
    const passes: PassTimes[] = [];
    const start = performance.now();
    for (let b0 = 0; b0 < ids.length; b0 += batch) {
      const t0 = performance.now();
      const { logits: l, cache } = model.runWithCache(ids.slice(b0, b0 + batch), { returnLogits: logits, namesFilter: logits ? [] : (n: string) => n.endsWith("hook_resid_post") });
      const t1 = performance.now();
      if (fenced) await fence(backend);
      const t2 = performance.now();
      await sync(l ?? cache.get(lastHook));
      const t3 = performance.now();
      tf.dispose([...(l ? [l] : []), ...cache.values()]);
      passes.push({ encodeMs: t1 - t0, gpuWaitMs: t2 - t1, readMs: t3 - t2, disposeMs: performance.now() - t3 });
    }
    const wallMs = performance.now() - start;
    if (r === 0) continue; // compiles the shaders
    const calls = Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, { n: v.n, MiB: +(v.bytes / 2 ** 20).toFixed(1), ms: +v.ms.toFixed(2) }]));
    repRows.push({ wallMs, passes, calls, newPipelines: Object.keys(backend.pipelineCache).length - pipelines0 });
  }
  const walls = repRows.map((x) => x.wallMs as number);
  const f = (x: number): string => x.toFixed(1);
  const passMs = (key: keyof PassTimes): string => repRows.map((x) => (x.passes as PassTimes[]).map((p) => f(p[key])).join("+")).join(" ");
  const last = repRows[repRows.length - 1]!;
  console.log(`${spec}: wall per rep median ${f(median(walls))} ms (${walls.map(f).join(" ")}); ${Math.round((ids.length * ids[0]!.length) / (median(walls) / 1000))} tok/s`);
  console.log(`  encode ${passMs("encodeMs")}${fenced ? ` | gpu wait ${passMs("gpuWaitMs")}` : ""} | read ${passMs("readMs")} | dispose ${passMs("disposeMs")}`);
  console.log(`  last rep: new pipelines ${String(last.newPipelines)}; ${Object.entries(last.calls as Record<string, { n: number; MiB: number; ms: number }>).map(([k, v]) => `${k} ${v.n}x${v.MiB ? ` ${v.MiB} MiB` : ""} ${v.ms} ms`).join(", ")}`);
  return { spec, batch, logits, fenced, reps: repRows };
}

/** The unembedding product alone, [rows, C] x [C, vocab] (float16 bits or float32), ms per call with one read-back each. */
async function productAlone(c: ReturnType<typeof pythiaConfig>, compute: string, rows: number, reps: number): Promise<{ rows: number } & Record<string, unknown>> {
  const C = c.hiddenSize, V = c.vocabSize;
  const x = tf.tensor2d(fillRandom(new Float32Array(rows * C), 3, 1), [rows, C]);
  const wValues = fillRandom(new Float32Array(V * C), 4, 0.02);
  const w = compute === "float16" ? packHalfWeight(float32ToHalf(wValues), [V, C]) : tf.tensor2d(wValues, [C, V]);
  const call = (): tf.Tensor => (compute === "float16" ? halfLinear(x, w) : tf.matMul(x, w));
  const ms: number[] = [];
  for (let r = 0; r <= reps; r++) {
    const t0 = performance.now();
    const y = call();
    await sync(y);
    y.dispose();
    if (r > 0) ms.push(performance.now() - t0);
  }
  tf.dispose([x, w]);
  console.log(`product alone ${compute} [${rows}, ${C}] x [${C}, ${V}]: ${ms.map((m) => m.toFixed(1)).join(" ")} ms per call (with read-back)`);
  return { rows, C, V, ms };
}

async function main(): Promise<void> {
  const onNull = process.argv.includes("--null");
  let info: unknown = "null";
  if (onNull) {
    const { setupNullWebGpu } = await import("./null-tfjs");
    (await setupNullWebGpu()).addEventListener("uncapturederror", () => undefined);
  } else info = await setup();
  const shape = arg("shape", "70m"), compute = arg("compute", "float16") as "float32" | "float16";
  const seqs = Number(arg("seqs", "10")), T = Number(arg("seq", "2048")), reps = Number(arg("reps", "6"));
  const configs = arg("configs", "logits:5,logits:5:fence,logits:2,hidden:5,hidden:10").split(",");
  const c = pythiaConfig(shape);
  const model = new GPTNeoX(c, { compute });
  model.loadWeights(randomNeoXWeights(c, 1), `random ${shape}`);
  await sync();
  const backend = tf.backend() as Any;
  const counts: Counts = {};
  instrument(backend, counts);
  const ids = randomIds(seqs, T, c.vocabSize);
  const results = [];
  for (const spec of configs) results.push(await runConfig(model, backend, counts, ids, spec, reps, `blocks.${c.numLayers - 1}.hook_resid_post`));
  model.dispose();
  const products: { rows: number }[] = [];
  if (arg("product", "0") === "1") {
    for (const spec of configs.filter((s) => s.startsWith("logits"))) {
      const rows = Number(spec.split(":")[1]) * T;
      if (!products.some((p) => p.rows === rows)) products.push(await productAlone(c, compute, rows, reps));
    }
  }
  const tag = arg("tag", "");
  console.log(`wrote ${writeResult(`pass-probe-${shape}-${compute}${tag ? `-${tag}` : ""}`, { backend: info, date: new Date().toISOString(), shape, compute, seqs, T, results, products })}`);
  process.exit(0);
}

main().catch((err) => { console.error(err); process.exit(1); });

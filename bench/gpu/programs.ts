/**
 * GPU time per program of one forward pass (timestamp queries around every dispatch, tfjs-backend-webgpu's
 * backend.time), grouped: linear products (with their TFLOP/s), attention products (scores and context), logits
 * product, softmax, LayerNorm/GELU, other element-wise ops (rotary, bias, adds), transposes and copies
 * (slice/concat/split), rest; plus the host's encoding time of the same pass without timers (wall time to queue
 * the pass, then the wait for the GPU). Every dispatch is its own compute pass while timed, so the summed GPU time
 * is a little above an untimed pass's.
 * Usage: node bench/gpu/programs.js [--shapes 70m,1b] [--seqs 5] [--seq 2048] [--logits 1] [--compute float32|float16] [--tag name]
 */
import { GPTNeoX } from "../../src/model/gpt-neox";
import { arg, pythiaConfig, randomIds, randomNeoXWeights, setup, sync, tf, writeResult } from "./lib";

interface Dispatch { key: string; outputShape: number[]; inputShapes: number[][] }
interface TimedBackend {
  runWebGPUProgram(program: { shaderKey?: string; constructor: { name: string }; outputShape: number[] }, inputs: { shape: number[] }[], ...rest: unknown[]): unknown;
  time(f: () => void): Promise<{ kernelMs: number; wallMs: number | null; getExtraProfileInfo?: () => string }>;
}

/** The group of one dispatch and its floating-point operations (2 M N K per product, 0 for the rest). */
function classify(d: Dispatch, vocab: number): { group: string; flop: number } {
  const k = d.key;
  // The float16 attention's products (src/backend-webgpu-attention-tc.ts) read flat packed buffers and store merged heads,
  // so their shapes do not give M, N, K: labelled without a FLOP count (the key ends in _scores_false or _pv_true).
  if (/^massiveHalfMatMul.*_(scores|pv)_(true|false)$/.test(k)) return { group: "matmul attention (float16 scores, P v)", flop: 0 };
  // Split float16's own programs (src/backend-webgpu-split.ts): the activations' split and the chunks' sum; its
  // product is a massiveHalfMatMul of depth parts x K (counted with that depth: 3x or 2x the float32 product's FLOP).
  if (/^massiveSplit/.test(k)) return { group: "split float16: activations' split, chunk sums", flop: 0 };
  if (/MatMul/i.test(k)) {
    const a = d.inputShapes[0]!, b = d.inputShapes[1]!, out = d.outputShape;
    // The float16 product takes W as float16 bits two per int32 word, [.., N, K / 2] (src/backend-webgpu-f16.ts).
    const half = k.startsWith("massiveHalfMatMul");
    const M = out[out.length - 2]!, N = out[out.length - 1]!, K = half ? 2 * b[b.length - 1]! : a[a.length - 1]!;
    const batch = d.outputShape.slice(0, -2).reduce((x, y) => x * y, 1);
    const flop = 2 * batch * M * N * K;
    if (N === vocab) return { group: "matmul logits", flop };
    // A batched float16 product outside the attention's is split float16's, its batch the K chunks: a Linear layer.
    return { group: batch > 1 && !half ? "matmul attention (scores, context)" : "matmul linear (qkv, dense, fc1, fc2)", flop };
  }
  if (/flashAttention|massiveAttention/i.test(k)) return { group: "fused attention", flop: 0 };
  if (/packHalf/i.test(k)) return { group: "float32 -> float16 packing", flop: 0 };
  if (/softmax/i.test(k)) return { group: "softmax", flop: 0 };
  if (/layerNorm|gelu|erf/i.test(k)) return { group: "LayerNorm, GELU", flop: 0 };
  if (/transpose/i.test(k)) return { group: "transpose", flop: 0 };
  if (/slice|concat|split|gather|copy|rotary/i.test(k)) return { group: "slice, concat, gather, rotary", flop: 0 };
  if (/binary|unary|add|mul|sub/i.test(k)) return { group: "element-wise (bias, adds, rotary mul)", flop: 0 };
  return { group: "other", flop: 0 };
}

async function profileShape(shape: string, seqs: number, T: number, logits: boolean, compute: "float32" | "float16"): Promise<Record<string, unknown>> {
  const c = pythiaConfig(shape);
  const model = new GPTNeoX(c, { compute });
  model.loadWeights(randomNeoXWeights(c, 1), `random ${shape}`);
  const ids = randomIds(seqs, T, c.vocabSize);
  const pass = (): tf.Tensor | undefined => {
    const { logits: l, cache } = model.runWithCache(ids, { returnLogits: logits, namesFilter: (n) => n === `blocks.${c.numLayers - 1}.hook_resid_post` });
    const keep = l ?? cache.get(`blocks.${c.numLayers - 1}.hook_resid_post`);
    for (const t of cache.values()) if (t !== keep) t.dispose();
    return keep;
  };
  // Warm-up (shader compilation), then two untimed passes: encoding (host) vs the whole pass.
  const w = pass(); await sync(w); w?.dispose();
  const encode: number[] = [], whole: number[] = [];
  for (let r = 0; r < 2; r++) {
    const t0 = performance.now();
    const out = pass();
    const t1 = performance.now();
    await sync(out);
    encode.push(t1 - t0); whole.push(performance.now() - t0);
    out?.dispose();
  }
  const backend = tf.backend() as unknown as TimedBackend;
  const dispatches: Dispatch[] = [];
  const original = backend.runWebGPUProgram.bind(backend);
  backend.runWebGPUProgram = (program, inputs, ...rest) => {
    const out = original(program, inputs, ...rest);
    dispatches.push({ key: program.shaderKey ?? program.constructor.name, outputShape: program.outputShape, inputShapes: inputs.map((i) => i.shape) });
    return out;
  };
  let kept: tf.Tensor | undefined;
  const timing = await backend.time(() => { kept = pass(); });
  backend.runWebGPUProgram = original;
  await sync(kept); kept?.dispose();
  const ms = (timing.getExtraProfileInfo?.() ?? "").split(", ").filter(Boolean).map((s) => Number(s.slice(s.lastIndexOf(": ") + 2)));
  if (ms.length !== dispatches.length) console.warn(`programs ${shape}: ${ms.length} timers for ${dispatches.length} dispatches (grouping may be off)`);
  const groups = new Map<string, { ms: number; count: number; flop: number }>();
  const byKey = new Map<string, { ms: number; count: number }>();
  dispatches.forEach((d, i) => {
    const { group, flop } = classify(d, c.vocabSize);
    const g = groups.get(group) ?? { ms: 0, count: 0, flop: 0 };
    g.ms += ms[i] ?? 0; g.count++; g.flop += flop;
    groups.set(group, g);
    const key = `${d.key.split("_").slice(0, 3).join("_")} -> [${d.outputShape.join(",")}]`;
    const e = byKey.get(key) ?? { ms: 0, count: 0 };
    e.ms += ms[i] ?? 0; e.count++;
    byKey.set(key, e);
  });
  const gpuMs = ms.reduce((a, b) => a + b, 0);
  const rows = [...groups].map(([group, g]) => ({ group, ms: g.ms, share: g.ms / gpuMs, count: g.count, tflops: g.flop ? g.flop / g.ms / 1e9 : undefined })).sort((a, b) => b.ms - a.ms);
  console.log(`programs ${shape} ${compute}, ${seqs} x ${T} tokens${logits ? ", logits" : ""}: ${dispatches.length} dispatches, GPU ${gpuMs.toFixed(1)} ms summed; untimed pass ${whole.map((x) => x.toFixed(1)).join("/")} ms, of which encoding ${encode.map((x) => x.toFixed(1)).join("/")} ms`);
  for (const r of rows) console.log(`  ${r.ms.toFixed(2).padStart(9)} ms ${(100 * r.share).toFixed(1).padStart(5)}% ${String(r.count).padStart(5)}x ${r.group}${r.tflops ? ` (${r.tflops.toFixed(1)} TFLOP/s)` : ""}`);
  const top = [...byKey].map(([key, v]) => ({ key, ...v })).sort((a, b) => b.ms - a.ms).slice(0, 60);
  for (const t of top.slice(0, Number(arg("top", "8")))) console.log(`  ${t.ms.toFixed(2).padStart(9)} ms ${String(t.count).padStart(5)}x ${t.key}`);
  model.dispose();
  return { shape, compute, seqs, T, logits, dispatches: dispatches.length, gpuMs, passMs: whole, encodeMs: encode, groups: rows, top };
}

async function main(): Promise<void> {
  const info = await setup();
  const shapes = arg("shapes", "70m,1b").split(",");
  const seqs = Number(arg("seqs", "5")), T = Number(arg("seq", "2048")), logits = arg("logits", "1") !== "0";
  const compute = arg("compute", "float32") as "float32" | "float16";
  const results = [];
  for (const s of shapes) results.push(await profileShape(s, seqs, T, logits, compute));
  const tag = arg("tag", "");
  console.log(`wrote ${writeResult(`programs-${info.name}${tag ? `-${tag}` : ""}`, { backend: info, date: new Date().toISOString(), env: { attentionF16: process.env.MASSIVE_WEBGPU_ATTENTION_F16 ?? "", f32Product: process.env.MASSIVE_WEBGPU_F32_PRODUCT ?? "", fused: process.env.MASSIVE_WEBGPU_FUSED ?? "", kernels: process.env.MASSIVE_WEBGPU_KERNELS ?? "", attention: process.env.MASSIVE_WEBGPU_ATTENTION ?? "" }, results })}`);
}

main().catch((err) => { console.error(err); process.exit(1); });

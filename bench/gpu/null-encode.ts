/**
 * The host's share of a forward pass, measured on a CPU machine: tfjs-backend-webgpu on Dawn's Null backend
 * (bench/gpu/null-tfjs.ts) validates and "runs" every program without computing, so the wall time of a pass is
 * what the host spends encoding it (tfjs's bookkeeping, bind groups, uniforms, Dawn's validation). On the H200
 * (bench/gpu/programs.ts, 2026-12-02) the 70m pass was encoding-bound in float16: 94 dispatches, 16-20 ms of
 * encoding for 17.9 ms of GPU time. `--profile` writes V8's profile of the timed passes. Measured here (2-core VM,
 * 2026-12-02, 70m float32, 68 dispatches): ~13-19 ms per pass, ~200-280 us per dispatch; createBindGroup (Dawn's
 * validation, one per dispatch) ~30% of it, the rest tfjs's per-op bookkeeping (shader keys, uniforms, engine scopes).
 * Usage: npx tsx bench/gpu/null-encode.ts [--shape 70m] [--seqs 5] [--seq 2048] [--compute float32|float16] [--reps 5]
 *          [--profile out.cpuprofile (V8's sampling profile of the timed passes only, for Chrome's DevTools)]
 */
import * as fs from "node:fs";
import * as inspector from "node:inspector";
import * as tf from "@tensorflow/tfjs-core";
import { GPTNeoX } from "../../src/model/gpt-neox";
import { arg, median, pythiaConfig, randomIds, randomNeoXWeights } from "./lib";
import { setupNullWebGpu } from "./null-tfjs";

async function main(): Promise<void> {
  const device = await setupNullWebGpu();
  device.addEventListener("uncapturederror", () => undefined); // Null's 16 KiB workgroup limit (see null-tfjs.ts)
  const shape = arg("shape", "70m"), seqs = Number(arg("seqs", "5")), T = Number(arg("seq", "2048")), reps = Number(arg("reps", "5"));
  const compute = arg("compute", "float32") as "float32" | "float16";
  const c = pythiaConfig(shape);
  const model = new GPTNeoX(c, { compute });
  model.loadWeights(randomNeoXWeights(c, 1), `random ${shape}`);
  const ids = randomIds(seqs, T, c.vocabSize);
  const backend = tf.backend() as unknown as { runWebGPUProgram: (...a: unknown[]) => unknown };
  const original = backend.runWebGPUProgram.bind(backend);
  let dispatches = 0;
  backend.runWebGPUProgram = (...a: unknown[]) => { dispatches++; return original(...a); };
  // Device calls per pass (Dawn objects created while encoding: buffers, bind groups), counted and timed.
  const calls = new Map<string, { n: number; ms: number }>();
  for (const name of ["createBuffer", "createBindGroup", "createCommandEncoder"]) {
    const f = device[name].bind(device);
    device[name] = (...a: unknown[]) => {
      const t = performance.now();
      try { return f(...a); } finally { const e = calls.get(name) ?? { n: 0, ms: 0 }; e.n++; e.ms += performance.now() - t; calls.set(name, e); }
    };
  }
  const encode: number[] = [];
  const profileFile = arg("profile", "");
  const session = new inspector.Session();
  const post = (method: string, params?: object): Promise<unknown> => new Promise((res, rej) => session.post(method, params ?? {}, (e, v) => (e ? rej(e) : res(v))));
  for (let r = 0; r <= reps; r++) {
    if (r === 1 && profileFile) { session.connect(); await post("Profiler.enable"); await post("Profiler.setSamplingInterval", { interval: 100 }); await post("Profiler.start"); }
    dispatches = 0; calls.clear();
    const t0 = performance.now();
    const { cache } = model.runWithCache(ids, { returnLogits: false, namesFilter: (n) => n === `blocks.${c.numLayers - 1}.hook_resid_post` });
    const t1 = performance.now();
    await device.queue.onSubmittedWorkDone();
    tf.dispose([...cache.values()]);
    if (r > 0) encode.push(t1 - t0); // r = 0 compiles the pipelines
  }
  if (profileFile) {
    const { profile } = (await post("Profiler.stop")) as { profile: unknown };
    fs.writeFileSync(profileFile, JSON.stringify(profile));
    session.disconnect();
  }
  const ms = median(encode);
  console.log(`${shape} ${compute}, ${seqs} x ${T} tokens, no logits: ${dispatches} dispatches, encoding ${ms.toFixed(1)} ms (median of ${reps}), ${((1000 * ms) / dispatches).toFixed(0)} us per dispatch`);
  console.log(`  last pass: ${[...calls].map(([k, v]) => `${k} ${v.n}x ${v.ms.toFixed(1)} ms`).join(", ")}`);
  model.dispose();
  process.exit(0);
}

main().catch((err) => { console.error(err); process.exit(1); });

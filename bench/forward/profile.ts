/**
 * Where one forward's time goes, per kernel, on the selected backend (meant for wasm): runs the Pythia-70m (or
 * --model) shape with random weights once under tf.profile, with the profiler's clock switched to this process's CPU
 * time (process.cpuUsage), so the kernel times do not move with the load of a shared machine.
 *
 *   npx tsx bench/forward/profile.ts [--model 70m] [--tokens 512] [--no-logits] [--top 15]
 *
 * Prints per kernel name: calls, CPU-ms and share of all kernel CPU time; matmuls (_FusedMatMul, BatchMatMul) first.
 */
import { initBackend, tf } from "../../src/backend";
import { GPTNeoX } from "../../src/model/gpt-neox";
import { pythiaConfig, randomNeoXWeights } from "../gpu/lib";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

async function main(): Promise<void> {
  await initBackend();
  const shape = arg("model", "70m");
  const T = Number(arg("tokens", "512"));
  const top = Number(arg("top", "15"));
  const withLogits = !process.argv.includes("--no-logits");
  const c = pythiaConfig(shape);
  const model = new GPTNeoX(c);
  model.loadWeights(randomNeoXWeights(c), `random pythia-${shape}`);
  const ids = [Array.from({ length: T }, (_, i) => (i * 7919) % c.vocabSize)];
  const run = async (): Promise<void> => {
    const { logits, cache } = model.runWithCache(ids, { namesFilter: (n) => n.endsWith("hook_resid_post"), returnLogits: withLogits });
    await (logits ?? cache.get(`blocks.${c.numLayers - 1}.hook_resid_post`)!).data();
    tf.dispose([...(logits ? [logits] : []), ...cache.values()]);
  };
  const a = tf.randomNormal([1024, 1024]);
  const b = tf.randomNormal([1024, 1024]);
  let mmCpu = Infinity;
  for (let r = 0; r < 4; r++) {
    const u0 = process.cpuUsage();
    const p = tf.matMul(a, b);
    await p.data();
    p.dispose();
    const u = process.cpuUsage(u0);
    if (r > 0) mmCpu = Math.min(mmCpu, (u.user + u.system) / 1e6);
  }
  tf.dispose([a, b]);
  console.log(`matmul 1024^3 float32: ${(2 * 1024 ** 3 / 1e9 / mmCpu).toFixed(1)} GFLOP per CPU-s`);
  await run(); // warm-up (kernels, tables of this length)
  const platform = tf.env().platform;
  const wallNow = platform.now.bind(platform);
  platform.now = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  const c0 = process.cpuUsage();
  const info = await tf.profile(run);
  const cpu = process.cpuUsage(c0);
  platform.now = wallNow;
  const byName = new Map<string, { calls: number; ms: number }>();
  const kernels = info.kernels.filter((k) => !k.name.endsWith("__op")); // op wrappers nest their kernels: count once
  const byShape = new Map<string, { calls: number; ms: number; gflop: number }>();
  for (const k of kernels) {
    if (/MatMul/.test(k.name)) {
      const [a, b] = k.inputShapes as number[][];
      const out = k.outputShapes[0] as number[];
      const inner = a![a!.length - 1] === b![b!.length - 2] || a![a!.length - 1] === b![b!.length - 1] ? a![a!.length - 1]! : a![a!.length - 2]!;
      const key = `${k.name} [${a!.join(",")}]x[${b!.join(",")}]`;
      const e = byShape.get(key) ?? { calls: 0, ms: 0, gflop: 0 };
      e.calls++;
      e.ms += k.kernelTimeMs as number;
      e.gflop += (2 * inner * out.reduce((x, y) => x * y, 1)) / 1e9;
      byShape.set(key, e);
    }
  }
  for (const k of kernels) {
    const e = byName.get(k.name) ?? { calls: 0, ms: 0 };
    e.calls++;
    e.ms += k.kernelTimeMs as number;
    byName.set(k.name, e);
  }
  const total = [...byName.values()].reduce((s, e) => s + e.ms, 0);
  console.log(`pythia-${shape} shape, ${T} tokens${withLogits ? "" : ", no logits"}: ${info.kernels.length} kernels, ${total.toFixed(0)} kernel CPU-ms of ${((cpu.user + cpu.system) / 1000).toFixed(0)} CPU-ms in all`);
  for (const [name, e] of [...byName].sort((a, b) => b[1].ms - a[1].ms).slice(0, top)) {
    console.log(`${name.padEnd(22)} ${String(e.calls).padStart(6)} calls ${e.ms.toFixed(0).padStart(8)} CPU-ms ${(100 * e.ms / total).toFixed(1).padStart(5)}%`);
  }
  for (const [key, e] of [...byShape].sort((a, b) => b[1].ms - a[1].ms)) {
    console.log(`${key.padEnd(48)} ${String(e.calls).padStart(5)} calls ${e.ms.toFixed(0).padStart(7)} CPU-ms ${(e.gflop / (e.ms / 1000)).toFixed(1).padStart(6)} GFLOP per CPU-s`);
  }
  model.dispose();
}

main().catch((err) => { console.error(err); process.exit(1); });

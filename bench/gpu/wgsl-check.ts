/**
 * Compiles the project's WGSL programs on Dawn's Null backend (no GPU: it validates and translates shaders but
 * computes nothing), so a syntax or type error in a kernel shows on a CPU machine before a device call. The programs
 * go through tfjs as the product runs them (tfjs's preamble around their code), on bench/gpu/null-tfjs.ts's set-up
 * (float16 compute as on the H200, an adapter reporting the H200's 48 KiB of workgroup memory) with the product's
 * robustness toggles:
 * - the tiled matrix product (both K steps, double-buffered, both tile widths, fit and ragged, with bias);
 * - per head size (8, 64, 128, 256, 12) the rotary split and the float32 flash attention with every FlashTile: the
 *   default (flashTile, MASSIVE_WEBGPU_FLASH unset), every MASSIVE_WEBGPU_FLASH value parseFlashTile accepts (v1 and
 *   ROWSxDIMS[k8][vN]) through flashTile (which falls back to v1 over the adapter's memory) and each such tile passed
 *   as it is (what a device with more workgroup memory would run); float32 and float16 output (halfContext);
 * - the float16 product with every HALF_TILES tile: halfLinear on whole tiles (float16 A, bias: the direct and
 *   grouped variants) and ragged, halfBatchedMatMul with float32 A.
 * Any compilation message of type error fails. Pipelines are validated where they fit Null's limits (16 KiB of
 * workgroup memory, 256 invocations; the H200 has 48 KiB and 1024): those over them are listed as skipped with
 * Dawn's reason (their module compiled, the pipeline was not validated); any other pipeline error fails.
 * No flash tile fits 16 KiB (the smallest, 4x16, declares 29 KiB), so the flash programs are checked as modules only.
 * Usage: npx tsx bench/gpu/wgsl-check.ts   (prints "<n> shader modules compiled on Dawn's Null backend")
 */
import * as tf from "@tensorflow/tfjs-core";
import { robustnessToggles } from "../../src/backend-webgpu";
import { setupNullWebGpu } from "./null-tfjs";

/** Dawn's errors for a program over Null's limits (workgroup memory, invocations per workgroup, 256 MiB buffers). */
const OVER_LIMIT = /total use of workgroup storage|exceeds the maximum|exceeds the max buffer size|Out of memory/i;
/** Errors that repeat an earlier one: a pipeline or module already reported (tfjs caches pipelines by program). */
const CONSEQUENCE = /is invalid due to a previous error|\[Invalid ShaderModule|while parsing WGSL/i;
/** checked()'s answer for a call whose first error is a consequence of an earlier one (see CONSEQUENCE). */
const SAME_PIPELINE = "an earlier call's pipeline";
/** Every name parseFlashTile could accept: v1, ROWSxDIMS, k8, vN (those it rejects are dropped by the caller). */
function flashTileNames(): string[] {
  const names = ["v1"];
  for (const r of [4, 8]) for (const d of [16, 32]) for (const k of ["", "k8"]) for (const v of ["", "v8", "v16", "v32", "v64", "v128"]) names.push(`${r}x${d}${k}${v}`);
  return names;
}

async function main(): Promise<void> {
  type Module = { getCompilationInfo(): Promise<{ messages: { type: string; message: string }[] }> };
  let errors = 0, warnings = 0, modules = 0, pipelineErrors = 0;
  const pending: Promise<void>[] = [];
  const onShaderModule = (m: Module): void => {
    modules++;
    pending.push(m.getCompilationInfo().then((info) => {
      for (const msg of info.messages) {
        if (msg.type === "error") { errors++; console.error(`WGSL error: ${msg.message}`); }
        else if (msg.type === "warning") warnings++;
      }
    }));
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const device = (await setupNullWebGpu({ toggles: robustnessToggles(), onShaderModule })) as any;
  // Errors of submissions that use a pipeline already reported (over Null's limits or not) repeat that one error.
  device.addEventListener("uncapturederror", (e: { error?: { message?: string } }) => {
    const msg = String(e.error?.message ?? e);
    if (!OVER_LIMIT.test(msg) && !CONSEQUENCE.test(msg)) { pipelineErrors++; console.error(`error: ${msg.slice(0, 1500)}`); }
  });
  /**
   * Runs `f` (which creates its pipelines synchronously, as tfjs does) in an error scope; returns Dawn's over-limit
   * reason, SAME_PIPELINE when the call ran a pipeline made invalid earlier (a tile that fell back to another), or
   * undefined when every pipeline it made is valid.
   */
  const submit = (): void => {
    const b = tf.backend() as unknown as { commandEncoder: unknown; endComputePassEncoder(): void; submitQueue(): void };
    if (b.commandEncoder) { b.endComputePassEncoder(); b.submitQueue(); }
  };
  const checked = async (label: string, f: () => tf.Tensor): Promise<string | undefined> => {
    submit(); // tfjs encodes lazily: earlier calls' commands are submitted outside this call's scope
    device.pushErrorScope("validation");
    const t = tf.tidy(f);
    submit();
    const err = (await device.popErrorScope()) as { message: string } | null;
    t.dispose();
    if (!err) return undefined;
    const msg = String(err.message);
    if (OVER_LIMIT.test(msg)) return msg.split("\n").find((l) => OVER_LIMIT.test(l))?.trim().slice(0, 200) ?? msg.slice(0, 200);
    if (CONSEQUENCE.test(msg)) return SAME_PIPELINE;
    pipelineErrors++;
    console.error(`${label}: ${msg.slice(0, 1500)}`);
    return undefined;
  };

  const { installTiledMatMul } = await import("../../src/backend-webgpu-matmul");
  installTiledMatMul();
  for (const [bk, db] of [["16", "0"], ["32", "0"], ["16", "1"]]) {
    process.env.MASSIVE_WEBGPU_MATMUL_BK = bk;
    process.env.MASSIVE_WEBGPU_MATMUL_DB = db;
    for (const [M, K, N, bias] of [[256, 256, 256, false], [1000, 780, 556, true], [4096, 512, 50304, false], [130, 68, 132, true]] as const) {
      await checked(`matmul BK ${bk} DB ${db} [${M}, ${K}] x [${K}, ${N}]`, () => {
        const a = tf.zeros([M, K]) as tf.Tensor2D, b = tf.zeros([K, N]) as tf.Tensor2D;
        return bias ? tf.fused.matMul({ a, b, bias: tf.zeros([N]) }) : tf.matMul(a, b);
      });
    }
  }
  delete process.env.MASSIVE_WEBGPU_MATMUL_BK;
  delete process.env.MASSIVE_WEBGPU_MATMUL_DB;

  const { flashCausalAttention, flashTile, parseFlashTile, rotarySplit } = await import("../../src/backend-webgpu-attention");
  const names = flashTileNames().filter((n) => parseFlashTile(n) !== undefined);
  const flashModules0 = modules;
  for (const hs of [8, 64, 128, 256, 12]) {
    const B = 1, T = 100, H = 2, rd = Math.max(2, 2 * Math.floor(hs / 8));
    const heads = tf.tidy(() => rotarySplit(tf.zeros([B * T, H * 3 * hs]) as tf.Tensor2D, tf.zeros([T, rd]) as tf.Tensor2D, tf.zeros([T, rd]) as tf.Tensor2D, B, T, H, hs, 1));
    // The code's choices: unset (the default per head size), then each MASSIVE_WEBGPU_FLASH value; then each tile as given.
    const choices: [string, () => ReturnType<typeof flashTile>][] = [["default", () => flashTile(hs)]];
    for (const n of names) choices.push([`MASSIVE_WEBGPU_FLASH=${n}`, () => { process.env.MASSIVE_WEBGPU_FLASH = n; try { return flashTile(hs); } finally { delete process.env.MASSIVE_WEBGPU_FLASH; } }]);
    for (const n of names) choices.push([`tile ${n}`, () => parseFlashTile(n)!]);
    for (const [label, tile] of choices) for (const half of [false, true]) await checked(`flash hs ${hs} ${label} half ${half}`, () => flashCausalAttention(heads, B, T, H, hs, half, tile()));
    heads.dispose();
  }
  console.log(`flash attention: ${modules - flashModules0} shader modules for ${names.length} tiles x 5 head sizes x 2 outputs (with the rotary splits; pipelines over Null's 16 KiB, not validated)`);

  const { HALF_TILES } = await import("../../src/backend-webgpu-f16-code");
  const { halfBatchedMatMul, halfComputeAvailable, halfLinear, packHalfActivations } = await import("../../src/backend-webgpu-f16");
  if (!halfComputeAvailable()) throw new Error("float16 compute is not available on the Null set-up (bench/gpu/null-tfjs.ts)");
  const words = (rows: number, k: number): tf.Tensor2D => tf.zeros([rows, k / 2], "int32") as tf.Tensor2D;
  const validated: string[] = [], skipped: string[] = [];
  for (const [name, tile] of Object.entries(HALF_TILES)) {
    const K = 128; // a multiple of every tile's K step
    const reasons = [
      await checked(`${name} whole tiles`, () => halfLinear(packHalfActivations(tf.zeros([256, K]) as tf.Tensor2D), words(256, K), tf.zeros([256]) as tf.Tensor1D, tile)),
      await checked(`${name} ragged`, () => halfLinear(words(200, K), words(136, K), tf.zeros([136]) as tf.Tensor1D, tile)),
      await checked(`${name} batched, float32 A`, () => halfBatchedMatMul(tf.zeros([2, 256, K]) as tf.Tensor3D, tf.zeros([2, 256, K / 2], "int32") as tf.Tensor3D, tile)),
    ].filter((r): r is string => r !== undefined && r !== SAME_PIPELINE); // a direct tile on ragged shapes falls back to its staged tile
    if (reasons.length) skipped.push(`${name} (${reasons[0]})`);
    else validated.push(name);
  }
  console.log(`float16 product tiles, pipelines validated (${validated.length}): ${validated.join(", ")}`);
  console.log(`float16 product tiles over Null's limits, modules compiled but pipelines not validated (${skipped.length}):\n  ${skipped.join("\n  ")}`);

  await Promise.all(pending);
  await device.queue.onSubmittedWorkDone();
  const failed = errors + pipelineErrors;
  console.log(`${warnings} WGSL warnings`);
  console.log(failed ? `${errors} WGSL errors and ${pipelineErrors} pipeline errors in ${modules} shader modules` : `${modules} shader modules compiled on Dawn's Null backend`);
  process.exit(failed ? 1 : 0);
}

main().catch((err) => { console.error(err); process.exit(1); });

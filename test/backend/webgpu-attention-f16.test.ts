/**
 * The tensor-core flash attention of src/backend-webgpu-attention-f16.ts (float16 compute) against the composite
 * float32 TF.js path it stands in for (attentionBatched of src/model/attention.ts with MASSIVE_WEBGPU_ATTENTION=off:
 * transpose, split, rotary, q k^T, causal softmax, p v, merge), on random fused projection outputs qkv [B*T, H*3hs],
 * head sizes 16 (tiny-neox), 64 (Pythia 70m/160m), 128 (12b), 256 (1b), ragged and full 2048-token sequences, the
 * default tile, a 32-query tile with smaller key tiles and a split over two subgroups per 16 queries
 * (head sizes multiples of 32); the float16 output is checked to be the float32 output's
 * rounding. webgpu with float16 subgroup matrices only (the GPU machine); skipped elsewhere.
 *
 * Tolerance, derived (u = 2^-11 float16's unit roundoff, e = 2^-24 float32's). Per (sequence, head) the scores
 * s = q.k differ by rounding q and k to float16 and by float32 summation order: |ds| <= eps_s = (r_q + r_k + 2 hs e) S,
 * S = max_t |q_t| max_t |k_t| (Euclidean norms after scaling; rotary is a rotation and keeps them) >= sum_i |q_i k_i|,
 * r = u for an operand that is rounded, 0 for one already exact in float16. Each unnormalised weight p = exp(s - m)
 * then errs relatively by at most (e^eps_s - 1)(1 + u) + u + 4e (the exp, p rounded to float16), and absolutely by
 * 2^-25 where p is a float16 subnormal; the row sum l >= 1 (the row's max has p >= 1). With relative weight errors
 * delta the normalised output moves by at most 2 delta / (1 - delta) max|v|; v rounded to float16 adds r_v max|v|,
 * float32 sums over T keys in both paths 2 T e max|v|:
 *   |fused - composite| <= max|v| (2 delta / (1 - delta) + r_v + 2 T e),  delta = (e^eps_s - 1)(1 + u) + u + 4e + T 2^-25.
 * The two-pass kernel divides by a float32 sum l of the unrounded p instead (the products use p rounded to float16):
 * each weight p~ / l then errs by at most 2 (e^eps_s - 1) + u + T e + 6e relative (scores through p and through l, one
 * float16 rounding, l's float32 sum), within 2 delta for T <= 2^13 (2 delta holds 2u; T e <= u), so the bound stands.
 * Two input sets: float16-exact q, k, v with rotary tables cos 1 / sin 0 and hs 16, 64, 256 (1/sqrt(hs) a power of
 * two, so q, k, v reach the kernel exact: only p's rounding remains, a tight check), and real rotary tables with
 * arbitrary float32 inputs (every operand rounded).
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { initBackend, tf } from "../../src/backend";
import { flashCausalAttentionHalf, fusedCausalAttentionHalf, halfAttentionAvailable, halfAttentionBytes, halfAttentionTile, packForFlashHalf, type HalfAttentionTile } from "../../src/backend-webgpu-attention-f16";
import { packHalfActivations } from "../../src/backend-webgpu-f16";
import { float32ToHalf, halfToFloat32 } from "../../src/io/host-tensor";
import { attentionBatched, type PositionTables } from "../../src/model/attention";
import { causalMask, rotaryTables } from "../../src/model/rotary";
import { fillRandom } from "../../bench/gpu/lib";
import { REPO_ROOT, resolvable } from "../helpers/resolvable";

let onGpu = false;
before(async () => {
  await initBackend();
  process.env.MASSIVE_WEBGPU_ATTENTION_F16 = "flash"; // every head size (auto takes the products from 256 dims)
  onGpu = halfAttentionAvailable(64, 16);
});

const U16 = 2 ** -11, E32 = 2 ** -24;

function tablesFor(T: number, rd: number, trivial: boolean): PositionTables {
  const { cos, signedSin } = trivial ? { cos: new Float32Array(T * rd).fill(1), signedSin: new Float32Array(T * rd) } : rotaryTables(T, rd, 10000);
  const none = tf.zeros([1, 1]) as tf.Tensor2D; // per-head tables: unused by the batched path
  return { seqLen: T, cos: tf.tensor2d(cos, [T, rd]), sin: tf.tensor2d(signedSin, [T, rd]), cosFull: none, sinFull: none, perm: none, mask: tf.tensor2d(causalMask(T), [T, T]) };
}

/** S (max |q| |k| per sequence and head, after scaling) and max |v| of qkv [B*T, H*3hs] in HF's per-head [q|k|v] layout. */
function magnitudes(qkv: Float32Array, B: number, T: number, H: number, hs: number): { S: number; vMax: number } {
  let S = 0, vMax = 0;
  const norm = (o: number): number => Math.sqrt(qkv.subarray(o, o + hs).reduce((a, x) => a + x * x, 0));
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      let qn = 0, kn = 0;
      for (let t = 0; t < T; t++) {
        const o = (b * T + t) * 3 * H * hs + h * 3 * hs;
        qn = Math.max(qn, norm(o)); kn = Math.max(kn, norm(o + hs));
        for (let i = 0; i < hs; i++) vMax = Math.max(vMax, Math.abs(qkv[o + 2 * hs + i]!));
      }
      S = Math.max(S, (qn * kn) / Math.sqrt(hs));
    }
  }
  return { S, vMax };
}

test("the float16 attention's workgroup memory fits 48 KiB for every head size it takes (multiples of 16 up to 256)", () => {
  for (let hs = 16; hs <= 256; hs += 16) {
    const bytes = halfAttentionBytes(hs, halfAttentionTile(hs));
    assert.ok(bytes <= 49152 && bytes > 8192, `hs ${hs}: ${bytes} bytes`);
  }
});

test("the float16 attention's WGSL compiles on Dawn's Null backend for every head size 16..256 and several tiles", { skip: !(resolvable("webgpu") && resolvable("tsx")) && "needs the optional package webgpu and tsx" }, () => {
  // No GPU needed: a syntax, type or uniformity error fails here instead of in a device call.
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join("bench", "gpu", "attention-f16.ts"), "--compile-only"], { cwd: REPO_ROOT, encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, `${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`);
  assert.match(r.stdout, /^0 problems$/m);
  const compiled = /(\d+) shader modules compiled/.exec(r.stdout);
  assert.ok(compiled && Number(compiled[1]) >= 40, `only ${compiled?.[1]} shader modules compiled`);
});

test("float16 tensor-core attention equals the composite float32 attention within the derived bound (hs 16..256, three tiles, float16 output)", async (t) => {
  if (!onGpu) return t.skip("needs webgpu with float16 subgroup matrices");
  // Inputs of std `scale` (bench/gpu/lib.ts's generator): scores q.k / sqrt(hs) of std scale^2 (peaked softmax rows).
  // Smallest first: on a failure the first lines locate it (rows, dims, values) before the large cases.
  const cases = [
    { hs: 16, H: 1, B: 1, T: 16, exact: true, scale: 1.5 },
    { hs: 16, H: 1, B: 1, T: 64, exact: true, scale: 1.5 },
    { hs: 64, H: 3, B: 2, T: 300, exact: true, scale: 1.5 },
    { hs: 64, H: 2, B: 1, T: 2048, exact: true, scale: 1.5 },
    { hs: 256, H: 2, B: 1, T: 2048, exact: true, scale: 1.5 },
    { hs: 16, H: 4, B: 3, T: 70, exact: true, scale: 2 },
    // Diagnostic cases (they tell the parts apart when the others fail): q = 0 (uniform weights over the visible keys:
    // no q k^T), v = 1 (every output 1 up to p's rounding whatever the weights: the normalisation alone).
    { hs: 64, H: 2, B: 1, T: 300, exact: true, scale: 1.5, zeroQ: true },
    { hs: 64, H: 2, B: 1, T: 300, exact: true, scale: 1.5, oneV: true },
    { hs: 64, H: 2, B: 2, T: 130, exact: false, scale: 1.5 },
    { hs: 128, H: 2, B: 2, T: 300, exact: false, scale: 1.5 },
    { hs: 256, H: 2, B: 1, T: 515, exact: false, scale: 1.5 },
  ];
  const failures: string[] = [];
  for (const c of cases) {
    const { hs, H, B, T } = c;
    const rd = hs / 4;
    assert.equal(halfAttentionAvailable(hs, rd), true, `available for hs ${hs}`);
    let raw = fillRandom(new Float32Array(B * T * 3 * H * hs), hs * 131 + T, c.scale);
    if (c.exact) raw = halfToFloat32(float32ToHalf(raw));
    for (let row = 0; row < B * T; row++) {
      for (let h = 0; h < H; h++) {
        const o = row * 3 * H * hs + h * 3 * hs;
        if ("zeroQ" in c) raw.fill(0, o, o + hs);
        if ("oneV" in c) raw.fill(1, o + 2 * hs, o + 3 * hs);
      }
    }
    const { S, vMax } = magnitudes(raw, B, T, H, hs);
    const rq = c.exact && Number.isInteger(Math.log2(hs) / 2) ? 0 : U16; // q scaled by 1/sqrt(hs): exact for powers of 4
    const rk = c.exact ? 0 : U16, rv = c.exact ? 0 : U16;
    // + q scaled into float16's subnormal range (absolute 2^-25 per element, times |k| <= scale) in the exact case.
    const epsS = (rq + rk + 2 * hs * E32) * S + hs * 2 ** -25 * c.scale;
    const delta = (Math.exp(epsS) - 1) * (1 + U16) + U16 + 4 * E32 + T * 2 ** -25;
    const bound = vMax * ((2 * delta) / (1 - delta) + rv + 2 * T * E32);
    const tables = tablesFor(T, rd, c.exact);
    const qkv = tf.tensor2d(raw, [B * T, 3 * H * hs]);
    process.env.MASSIVE_WEBGPU_ATTENTION = "off";
    const identity = (x: tf.Tensor2D): tf.Tensor2D => x;
    const composite = tf.tidy(() => attentionBatched(qkv, { W: qkv }, B, T, H, hs, tables, 2 ** 30, identity));
    delete process.env.MASSIVE_WEBGPU_ATTENTION;
    const want = (await composite.data()) as Float32Array;
    const packed = packForFlashHalf(qkv, tables.cos, tables.sin, B, T, H, hs);
    const def = halfAttentionTile(hs);
    const other: HalfAttentionTile = { subgroups: 2, keys: def.keys === 64 ? 32 : 16 };
    const split: HalfAttentionTile = { subgroups: 4, keys: def.keys === 16 ? 32 : def.keys, split: 2 }; // two subgroups per 16 queries (head sizes multiples of 32)
    for (const tile of hs % 32 === 0 ? [def, other, split] : [def, other]) {
      // The default tile through the model's entry point (packing, then the kernel); the others on the packed input.
      const fused = tile === def ? fusedCausalAttentionHalf(qkv, tables.cos, tables.sin, B, T, H, hs) : flashCausalAttentionHalf(packed, B, T, H, hs, false, tile);
      const got = (await fused.data()) as Float32Array;
      let maxDiff = 0, worst = 0;
      const badRows = new Set<number>(), badDims = new Set<number>();
      for (let i = 0; i < want.length; i++) {
        const d = Math.abs(got[i]! - want[i]!);
        if (!(d <= maxDiff)) { maxDiff = d; worst = i; } // NaN propagates
        if (!(d <= bound)) { badRows.add(Math.floor(i / (H * hs)) % T); badDims.add(i % hs); }
      }
      const label = `hs ${hs}, H ${H}, B ${B}, T ${T}, ${c.exact ? "float16-exact inputs, no rotation" : "float32 inputs, rotary"}${"zeroQ" in c ? ", q = 0" : ""}${"oneV" in c ? ", v = 1" : ""}, ${tile.subgroups * 16} queries x ${tile.keys} keys${tile.split ? ` split ${tile.split}` : ""}`;
      console.log(`  ${label}: max |fused - composite| ${maxDiff.toExponential(2)}, bound ${bound.toExponential(2)} (max|v| ${vMax.toFixed(2)}, S ${S.toFixed(1)})`);
      if (!(maxDiff <= bound)) {
        // Where: token row (sequence, position), head, dim of the largest difference, and which positions and dims are off (a layout error shows a pattern).
        const row = Math.floor(worst / (H * hs)), col = worst % (H * hs);
        const list = (xs: Set<number>): string => [...xs].sort((a, b) => a - b).slice(0, 24).join(",") + (xs.size > 24 ? ` .. (${xs.size})` : "");
        const sample = (p: number): string => range4(p * H * hs).map((i) => `${got[i]!.toPrecision(4)}/${want[i]!.toPrecision(4)}`).join(" ");
        failures.push(`${label}: ${maxDiff} > ${bound} at sequence ${Math.floor(row / T)} position ${row % T} head ${Math.floor(col / hs)} dim ${col % hs} (got ${got[worst]}, want ${want[worst]}); positions off: ${list(badRows)}; dims off: ${list(badDims)}; got/want of positions 0, 1, 17 dims 0-3: ${sample(0)} | ${sample(1)} | ${T > 17 ? sample(17) : "-"}`);
        console.log(`  FAILED ${failures[failures.length - 1]}`);
      }
      if (tile === def) {
        // The float16 output (what the model's output projection takes) is the float32 output's rounding, bit for bit.
        const bits = flashCausalAttentionHalf(packed, B, T, H, hs, true, tile);
        const ref = packHalfActivations(fused);
        const [a, b] = [(await bits.data()) as Int32Array, (await ref.data()) as Int32Array];
        const differ = a.reduce((n, x, i) => n + (x === b[i] ? 0 : 1), 0);
        if (differ) failures.push(`${label}: float16 output differs from the float32 output's rounding in ${differ} of ${a.length} words`);
        tf.dispose([bits, ref]);
      }
      fused.dispose();
    }
    tf.dispose([qkv, packed, composite, tables.cos, tables.sin, tables.mask, tables.cosFull]);
  }
  assert.deepEqual(failures, []);
});

const range4 = (i: number): number[] => [i, i + 1, i + 2, i + 3];

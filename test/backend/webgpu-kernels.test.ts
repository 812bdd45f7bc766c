/**
 * The WebGPU programs of src/backend-webgpu-kernels.ts against what they replace, on the same inputs. They run only
 * where the backend is webgpu (the GPU machine, see scripts/device/README.md); elsewhere they are skipped, and the
 * composite paths they replace are what runs (covered by test/model and test/record).
 *   - widenHalfOnGpu: every float16 bit pattern (subnormals, infinities, NaN included) and bfloat16 patterns, plain
 *     and transposed, bit-exact against the host's widening (src/io/host-tensor.ts);
 *   - orderStatsOnGpu: top1..3 and the lower median of |x| per row, exact, against a sort of |x| (the definition
 *     of torch.topk values and torch.median) and the host path absStats, with ties, zeros and rows split over chunks.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend";
import { orderStatsOnGpu, widenHalfOnGpu } from "../../src/backend-webgpu-kernels";
import { bfloat16ToFloat32, halfToFloat32 } from "../../src/io/host-tensor";
import { absStats } from "../../src/record/select";

let onGpu = false;
before(async () => {
  await initBackend();
  onGpu = tf.getBackend() === "webgpu";
});
const skip = (): string | false => (!onGpu && "needs the webgpu backend") || false;

/** Same values bit for bit, NaN matching any NaN. */
function assertSameFloats(got: Float32Array, want: Float32Array, label: string): void {
  assert.equal(got.length, want.length, `${label}: length`);
  const gb = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const wb = new Uint32Array(want.buffer, want.byteOffset, want.length);
  for (let i = 0; i < got.length; i++) {
    if (Number.isNaN(want[i]!) && Number.isNaN(got[i]!)) continue;
    if (gb[i] !== wb[i]) assert.fail(`${label}: element ${i}: got ${got[i]} (0x${gb[i]!.toString(16)}), want ${want[i]} (0x${wb[i]!.toString(16)})`);
  }
}

test("widenHalfOnGpu: all 65536 float16 patterns and bfloat16 patterns widen exactly; transposed and odd-length", async (t) => {
  if (skip()) return t.skip(skip() as string);
  const all = new Uint16Array(65536).map((_, i) => i);
  const f16 = widenHalfOnGpu(all, "float16", [65536]);
  assertSameFloats((await f16.data()) as Float32Array, halfToFloat32(all), "float16");
  const bf = widenHalfOnGpu(all, "bfloat16", [256, 256]);
  assertSameFloats((await bf.data()) as Float32Array, bfloat16ToFloat32(all), "bfloat16");
  // [out, in] = [3, 5] -> [in, out] = [5, 3]; 15 values (odd) from an offset view (not 4-byte aligned).
  const buf = new Uint16Array(16).map((_, i) => 0x3c00 + i * 64); // 1.0, 1.0625, ...
  const view = buf.subarray(1);
  const tr = widenHalfOnGpu(view, "float16", [3, 5], true);
  assert.deepEqual(tr.shape, [5, 3]);
  const host = halfToFloat32(view);
  const want = new Float32Array(15);
  for (let o = 0; o < 3; o++) for (let i = 0; i < 5; i++) want[i * 3 + o] = host[o * 5 + i]!;
  assertSameFloats((await tr.data()) as Float32Array, want, "transposed");
  tf.dispose([f16, bf, tr]);
});

/** top1, top2, top3 and the lower median of |x| by sorting (torch.topk values, torch.median). */
function sortedStats(x: Float32Array): number[] {
  const s = Float32Array.from(x, Math.abs).sort();
  const n = s.length;
  return [s[n - 1]!, s[n - 2]!, s[n - 3]!, s[Math.floor((n - 1) / 2)]!];
}

test("orderStatsOnGpu: top1..3 and the lower median of |x| per row equal a sort and absStats exactly", async (t) => {
  if (skip()) return t.skip(skip() as string);
  let seed = 12345;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 4294967296;
  };
  for (const n of [3, 1000, 4097, 300_001]) {
    const rows = 5;
    const x = new Float32Array(rows * n);
    for (let i = 0; i < x.length; i++) {
      const r = rand();
      // heavy ties (a few repeated values), zeros of both signs, a wide range of exponents, a massive outlier
      x[i] = r < 0.2 ? 0.5 : r < 0.25 ? (r < 0.225 ? 0 : -0) : (rand() - 0.5) * 2 ** Math.floor(rand() * 40 - 20);
    }
    x[7 % x.length] = -3e4;
    x[(n + 1) % x.length] = 3e4; // duplicate top1 in row 1 when n > 6
    // rows 0-1 in one chunk, rows 2-4 in another
    const a = tf.tensor2d(x.subarray(0, 2 * n), [2, n]);
    const b = tf.tensor2d(x.subarray(2 * n), [3, n]);
    const out = orderStatsOnGpu([{ x: a, rows: 2 }, { x: b, rows: 3 }], n);
    assert.deepEqual(out.shape, [rows, 4]);
    const got = (await out.data()) as Float32Array;
    for (let r = 0; r < rows; r++) {
      const row = x.subarray(r * n, (r + 1) * n);
      const want = sortedStats(row);
      const host = absStats(row);
      assert.deepEqual(Array.from(got.subarray(r * 4, r * 4 + 4)), want, `n=${n} row ${r} vs sort`);
      assert.deepEqual(want, [host.top1, host.top2, host.top3, host.median], `n=${n} row ${r}: sort vs absStats`);
    }
    tf.dispose([a, b, out]);
  }
});

/** The worker-thread widening (src/io/half-widener.ts) equals the in-thread conversion bit for bit. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { HalfWidener } from "../../src/io/half-widener";
import { halfToFloat32, bfloat16ToFloat32 } from "../../src/io/host-tensor";

test("every float16 and bfloat16 bit pattern widens as in-thread, in one piece and in several", async () => {
  const widener = new HalfWidener(2);
  try {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const half = await widener.widen({ dtype: "float16", shape: [65536], data: all.slice() });
    // numpy: np.array([0x3c00, 0x7bff, 0x0001, 0xfc00, 0x8000], np.uint16).view(np.float16).astype(np.float32)
    //   -> [1.0, 65504.0, 5.9604645e-08, -inf, -0.0]
    const h = half.data as Float32Array;
    assert.deepEqual([h[0x3c00], h[0x7bff], h[0x0001], h[0xfc00]], [1, 65504, 2 ** -24, -Infinity]);
    assert.ok(Object.is(h[0x8000], -0));
    assert.deepEqual(new Uint32Array(h.buffer), new Uint32Array(halfToFloat32(all).buffer)); // NaN payloads too
    const bf = await widener.widen({ dtype: "bfloat16", shape: [65536], data: all.slice() });
    assert.deepEqual(new Uint32Array((bf.data as Float32Array).buffer), new Uint32Array(bfloat16ToFloat32(all).buffer));
    assert.equal((bf.data as Float32Array)[0x3f80], 1); // torch.tensor(1.0, dtype=torch.bfloat16).view(torch.int16) == 0x3f80
    // 20M elements: three pieces over two workers, put back in order; a view into a larger buffer is not detached
    const big = new Uint16Array(20_000_001 + 5);
    for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 16;
    const view = big.subarray(5);
    const wide = await widener.widen({ dtype: "float16", shape: [view.length], data: view });
    assert.deepEqual(new Uint32Array((wide.data as Float32Array).buffer), new Uint32Array(halfToFloat32(view).buffer));
    assert.equal(big.length, 20_000_006);
    const f32 = { dtype: "float32" as const, shape: [2], data: Float32Array.from([1, 2]) };
    assert.equal(await widener.widen(f32), f32);
  } finally {
    await widener.close();
  }
});

/**
 * Exact top-3 + lower median of |h| per row: host two-pass bit histogram (absStats) vs device (tf.topk + bisection on float bits) vs
 * tf.topk with k = n - floor((n-1)/2), on the current backend. Usage:
 *   node --import tsx bench/record/median.bench.ts [rows] [n...]
 */
import { initBackend, tf } from "../../src/backend";
import { absStats, deviceStats, lowerMedianIndex } from "../../src/record/index";

async function main(): Promise<void> {
  const info = await initBackend();
  const rows = Number(process.argv[2] ?? 10);
  const sizes = process.argv.slice(3).map(Number);
  const ns = sizes.length ? sizes : [256 * 128, 2048 * 512];
  console.log(`backend ${info.name}; ${rows} rows per call; seconds per call (best of 3)`);
  console.log(`${"n".padStart(9)} ${"host".padStart(9)} ${"device".padStart(9)} ${"topk-k".padStart(9)}`);
  for (const n of ns) {
    const x = tf.randomNormal([rows, n], 0, 1, "float32", 7);
    const time = async (f: () => Promise<unknown>): Promise<number> => {
      let best = Infinity;
      for (let r = 0; r < 3; r++) {
        const t0 = performance.now();
        await f();
        best = Math.min(best, (performance.now() - t0) / 1000);
      }
      return best;
    };
    const host = await time(async () => {
      const d = (await x.data()) as Float32Array;
      for (let b = 0; b < rows; b++) absStats(d.subarray(b * n, (b + 1) * n));
    });
    const device = n <= 1 << 16 || process.env.BENCH_DEVICE ? await time(() => deviceStats(x, rows, n)) : NaN;
    const k = n - lowerMedianIndex(n);
    const topk = n <= 1 << 20 ? await time(async () => {
      const v = tf.tidy(() => tf.topk(tf.abs(x), k).values);
      await v.data();
      v.dispose();
    }) : NaN;
    console.log(`${String(n).padStart(9)} ${host.toFixed(4).padStart(9)} ${device.toFixed(4).padStart(9)} ${topk.toFixed(4).padStart(9)}`);
    x.dispose();
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});

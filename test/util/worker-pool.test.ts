// startWorkerPool: calls run on the pool's workers and resolve with their results in call order of the promises,
// a throwing call rejects with its message and leaves the workers serving, and close() ends them.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { startWorkerPool } from "../../src/util/worker-call";

test("worker pool: results of many calls on two workers, errors reported, workers reused", async () => {
  const pool = startWorkerPool(path.join(__dirname, "../../src/util/statistics.ts"), 2);
  try {
    const inputs = Array.from({ length: 9 }, (_, k) => [k, k + 1, k + 5]);
    const means = await Promise.all(inputs.map((v) => pool.call<number>("mean", [v])));
    assert.deepEqual(means, inputs.map((v) => (v[0]! + v[1]! + v[2]!) / 3));
    await assert.rejects(pool.call("noSuchExport", []), /not a function/);
    assert.equal(await pool.call<number>("sumOfSquares", [[3, 4]]), 25);
  } finally {
    await pool.close();
  }
  await assert.rejects(pool.call("mean", [[1]]), /no worker/);
});

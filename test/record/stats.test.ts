import { test } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend";
import { absStats, selectKth, lowerMedianIndex, deviceStats, recordCheckpointStats, type RecordableModel } from "../../src/record/index";

/** Reference: sort |x| ascending (float32 values), torch.median = element floor((n-1)/2). */
function reference(x: Float32Array): number[] {
  const a = Float32Array.from(x, Math.abs).sort();
  const n = a.length;
  return [a[n - 1]!, a[n - 2]!, a[n - 3]!, a[Math.floor((n - 1) / 2)]!];
}

function randomData(n: number, seed: number, kind: "normal" | "dups" | "spiky" | "tiny"): Float32Array {
  let s = seed >>> 0;
  const u = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  return Float32Array.from({ length: n }, () => {
    const v = u() - 0.5;
    if (kind === "dups") return Math.round(v * 8) / 4;
    if (kind === "spiky") return u() < 0.001 ? v * 1e4 : v;
    if (kind === "tiny") return v * 1e-40; // denormals
    return v * 3;
  });
}

test("torch.median's lower middle value: index floor((n-1)/2)", () => {
  // python3 -c "import torch; print(torch.median(torch.tensor([0.,1,2,3,4,5])))"  -> tensor(2.)
  assert.equal(lowerMedianIndex(6), 2);
  assert.equal(lowerMedianIndex(7), 3);
  assert.deepEqual(absStats(Float32Array.from([-3, 1, 2, -5, 4, 0])), { top1: 5, top2: 4, top3: 3, median: 2 });
  assert.deepEqual(absStats(Float32Array.from([-0, 0, 7])), { top1: 7, top2: 0, top3: 0, median: 0 });
});

test("absStats and selectKth are exact against a full sort (random, duplicates, spikes, denormals, even and odd n)", () => {
  let seed = 1;
  for (const kind of ["normal", "dups", "spiky", "tiny"] as const) {
    for (const n of [3, 4, 5, 100, 1001, 32768, 65537]) {
      const x = randomData(n, seed++, kind);
      const ref = reference(x);
      const s = absStats(x);
      assert.deepEqual([s.top1, s.top2, s.top3, s.median], ref, `${kind} n=${n}`);
      const k = Math.floor(n / 3);
      assert.equal(selectKth(Float32Array.from(x), k), Float32Array.from(x).sort()[k], `selectKth ${kind} n=${n}`);
    }
  }
  const same = new Float32Array(1000).fill(-1.5);
  assert.deepEqual(absStats(same), { top1: 1.5, top2: 1.5, top3: 1.5, median: 1.5 });
});

test("non-finite activations and too few values are errors", () => {
  assert.throws(() => absStats(Float32Array.from([1, NaN, 2])), /absStats: the activations hold NaN values/);
  assert.throws(() => absStats(Float32Array.from([1, -Infinity, 2])), /absStats: the activations hold infinite values/);
  assert.throws(() => absStats(Float32Array.from([1, 2])), /need at least 3 values/);
  assert.throws(() => selectKth(new Float32Array(3), 3), /selectKth: k must be an integer in \[0, 3\)/);
});

test("the device path (tf.topk + bisection on float bits) agrees exactly with the host path", async () => {
  await initBackend();
  const B = 3;
  const n = 2001;
  const spiky = randomData(B * n, 99, "spiky");
  const normal = randomData(B * n, 98, "normal");
  const data = Float32Array.from({ length: B * n }, (_, i) => (i % 2 ? spiky[i]! : normal[i]!));
  const t = tf.tensor2d(data, [B, n]);
  const got = await deviceStats(t, B, n);
  t.dispose();
  for (let b = 0; b < B; b++) assert.deepEqual(got[b], reference(data.subarray(b * n, (b + 1) * n)));
});

test("recordCheckpointStats returns [sequences][4][layers] from the hooked layer outputs, in batches", async () => {
  await initBackend();
  const L = 2;
  const C = 4;
  // A fake model whose layer l output for a sequence is (token id + 1) * (l + 1) * (c - 1.5) at each position/channel.
  const calls: number[] = [];
  const model: RecordableModel = {
    config: { numLayers: L, hiddenSize: C, vocabSize: 10 },
    runWithCache(ids, options) {
      calls.push(ids.length);
      const cache = new Map<string, tf.Tensor>();
      for (const name of options.namesFilter ?? []) {
        const l = Number(/blocks\.(\d+)\./.exec(name)![1]);
        const vals = ids.flatMap((seq) => seq.flatMap((id) => Array.from({ length: C }, (_, c) => (id + 1) * (l + 1) * (c - 1.5))));
        cache.set(name, tf.tensor3d(vals, [ids.length, ids[0]!.length, C]));
      }
      return { cache };
    },
  };
  const seqs = [[0, 1, 2], [3, 3, 3], [1, 1, 1]];
  const before = tf.memory().numTensors;
  const values = await recordCheckpointStats(model, seqs, { batchSize: 2 });
  assert.equal(tf.memory().numTensors, before, "no tensor left behind");
  assert.deepEqual(calls, [2, 1]);
  const onDevice = await recordCheckpointStats(model, seqs, { batchSize: 2, medianMethod: "device" });
  assert.equal(tf.memory().numTensors, before, "no tensor left behind (device path)");
  assert.deepEqual(onDevice, values);
  const ref = (seq: number[], l: number): number[] => reference(Float32Array.from(seq.flatMap((id) => Array.from({ length: C }, (_, c) => (id + 1) * (l + 1) * (c - 1.5)))));
  for (let s = 0; s < seqs.length; s++) {
    for (let l = 0; l < L; l++) {
      assert.deepEqual([0, 1, 2, 3].map((k) => values[s]![k]![l]), ref(seqs[s]!, l), `seq ${s} layer ${l}`);
    }
  }
});

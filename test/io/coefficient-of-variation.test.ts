import { test } from "node:test";
import assert from "node:assert/strict";
import { coefficientOfVariation, type Exp2Series } from "../../src/index";

test("coefficientOfVariation: per checkpoint and layer, std (n-1) / mean over sequences of top1, median or their ratio", () => {
  // 3 sequences x [top1, top2, top3, median] x 2 layers, one checkpoint
  const values = [
    [[10, 4], [9, 3], [8, 2], [1, 2]],
    [[12, 5], [9, 3], [8, 2], [2, 2]],
    [[14, 6], [9, 3], [8, 2], [2, 1]],
  ];
  const series = { name: "m", steps: [0], checkpoints: [{ step: 0, values }], numSequences: 3, numLayers: 2 } as unknown as Exp2Series;
  // numpy: t=np.array([[10,12,14],[4,5,6]]); m=np.array([[1,2,2],[2,2,1]]); f=lambda v: v.std(axis=1,ddof=1)/v.mean(axis=1)
  // f(t) -> [0.16666667, 0.2]; f(m) -> [0.34641016, 0.34641016]; f(t/m) -> [0.27152165, 0.62269985]
  const close = (a: number[], b: number[]) => a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 1e-7, `${v} vs ${b[i]}`));
  close(coefficientOfVariation(series, "top1")[0]!, [0.16666667, 0.2]);
  close(coefficientOfVariation(series, "median")[0]!, [0.34641016, 0.34641016]);
  close(coefficientOfVariation(series, "ratio")[0]!, [0.27152165, 0.62269985]);
});

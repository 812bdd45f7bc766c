import { test } from "node:test";
import assert from "node:assert/strict";
import { tokenActivationsFigure, topHiddenDims, tokenMedianMagnitude } from "../../src/index";

const h = [
  [0.1, -5, 0.2, 1],
  [0.3, 0.2, -0.1, 2],
  [-0.2, 0.4, 9, 0.5],
];

test("topHiddenDims orders dimensions by their largest |h| over tokens", () => {
  assert.deepEqual(topHiddenDims(h, 3), [2, 1, 3]);
  assert.deepEqual(topHiddenDims(h, 10), [2, 1, 3, 0]);
});

test("tokenMedianMagnitude: median of |h| over dims per token (mean of the middle two for even counts)", () => {
  // numpy: np.median(np.abs(h), axis=1) -> [0.6, 0.25, 0.45]
  const m = tokenMedianMagnitude(h);
  [0.6, 0.25, 0.45].forEach((v, i) => assert.ok(Math.abs(m[i]! - v) < 1e-12, `${m[i]} vs ${v}`));
});

test("tokenActivationsFigure: one line per top dim plus the median, |h| on a linear axis (log on request), layers 1-based in the title", () => {
  const fig = tokenActivationsFigure({ model: "m", step: 3000, layer: 0, values: h, tokens: ["a", "b", "c"] }, { topDims: 2 });
  assert.equal(fig.data.length, 3);
  assert.deepEqual((fig.data[0] as unknown as { y: number[] }).y, [0.2, 0.1, 9]);
  assert.equal((fig.layout.yaxis as { type?: string }).type, "linear");
  assert.equal((tokenActivationsFigure({ model: "m", step: 0, layer: 0, values: h }, { logY: true }).layout.yaxis as { type?: string }).type, "log");
  assert.match(String((fig.layout.title as { text?: string })?.text ?? fig.layout.title), /layer 1 \(1-based\)/);
  assert.throws(() => tokenActivationsFigure({ model: "m", step: 0, layer: 0, values: [] }), /must not be empty/);
});

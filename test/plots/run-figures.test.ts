// runFigures on results with failed fits (a trained run with few saved steps has no Eq. 9 fit at all).
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadRunResults, perModelSelection, runFigures } from "../../src/index";

test("runFigures skips the example-fit figures' failed layers, and makes no fit figure where every fit failed", () => {
  const results = loadRunResults("data/mini-pythia/d128-L4-H4", { onWarning: () => undefined });
  const m = results.models[0]!;
  const failedAll = { ...results, models: [{ ...m, fits: { ratio: m.series.steps.length ? Array.from({ length: 4 }, () => ({ r2: NaN })) : [] } }] };
  // a trained run with very few saved steps: no layer has an Eq. 9 fit, so no fit figure, and no throw
  const names = runFigures(failedAll).map((f) => f.name);
  assert.ok(!names.some((n) => n.startsWith("fig6") || n.startsWith("fig7")), names.join(", "));
  assert.ok(names.includes("fig4-ratio-over-training"));
});

test("the default per-model selection picks architecture runs of a suite with suite.json (no seed run as the 'middle' size)", () => {
  const results = loadRunResults("data/mini-pythia", { onWarning: () => undefined });
  assert.equal(results.models.find((m) => m.name === "d256-L6-H8-s1")!.group, "seed");
  const picked = perModelSelection(results.models);
  assert.equal(picked.length, 3);
  for (const name of picked) assert.equal(results.models.find((m) => m.name === name)!.group, "architecture", name);
});

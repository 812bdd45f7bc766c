import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { readExp2Series, layerSeries, paperProcedure, robustFit, type FitResult } from "../../src/index";

const suiteDir = path.resolve(__dirname, "../../data/mini-pythia");
const MODELS = ["d128-L4-H4", "d128-L6-H4", "d128-L8-H8", "d256-L4-H4", "d256-L6-H8", "d256-L8-H16", "d384-L6-H6", "d512-L4-H8", "d512-L6-H8", "d512-L8-H16"];

const cell = (f: FitResult): string => (f.status === "failed" ? "failed" : `${f.r2.toFixed(4)}${f.status === "converged" ? " " : "*"}`);
const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / a.length;

test("robustFit is never worse than the paper's procedure (R^2 - 0.001) and better where the paper's mean R^2 < 0.95", () => {
  const lines = ["R^2 per layer, ratio series (* = stopped by its evaluation budget, i.e. scipy's curve_fit would raise)", ""];
  const struggling: string[] = [];
  const notConverged: string[] = [];
  for (const model of MODELS) {
    const s = readExp2Series(path.join(suiteDir, model));
    const Y = layerSeries(s, "ratio");
    const paper = Y.map((y) => paperProcedure(s.steps, y));
    const robust = Y.map((y) => robustFit(s.steps, y));
    lines.push(`${model.padEnd(12)} paper  ${paper.map(cell).join(" ")}  mean ${mean(paper.map((f) => f.r2)).toFixed(4)}`);
    lines.push(`${"".padEnd(12)} robust ${robust.map(cell).join(" ")}  mean ${mean(robust.map((f) => f.r2)).toFixed(4)}`);
    robust.forEach((r, l) => {
      // at most one fit stopped by its budget, and then above the paper's R^2: Eq. 9's log-plus-linear limit
      // (lambda -> 0, gamma, t0 -> inf), which the final Eq. 9 polish approaches without end (until 2026-12 the
      // solver called its first tiny step there "converged, xtol"; see docs/dynamics.md)
      if (r.status !== "converged") {
        notConverged.push(`${model} layer ${l}`);
        assert.equal(r.status, "max-iterations", `${model} layer ${l}: robust fit ${r.status}: ${r.message}`);
        assert.ok(r.r2 > paper[l]!.r2, `${model} layer ${l}: R^2 ${r.r2} not above the paper procedure's ${paper[l]!.r2}`);
      }
      if (paper[l]!.status !== "failed") assert.ok(r.r2 >= paper[l]!.r2 - 0.001, `${model} layer ${l}: robust ${r.r2} < paper ${paper[l]!.r2} - 0.001`);
    });
    const pm = mean(paper.map((f) => f.r2));
    const rm = mean(robust.map((f) => f.r2));
    if (pm < 0.95) {
      struggling.push(model);
      assert.ok(rm > pm, `${model}: robust mean ${rm} not above paper mean ${pm}`);
    }
  }
  console.log(lines.join("\n"));
  assert.ok(notConverged.length <= 1, `robust fits stopped by their budget: ${notConverged.join(", ")}`);
  for (const m of ["d128-L8-H8", "d256-L8-H16"]) assert.ok(struggling.includes(m), `${m} should be among the models where the paper procedure struggles`);
});

test("robustFit is deterministic for a seed", () => {
  const s = readExp2Series(path.join(suiteDir, "d128-L8-H8"));
  const y = layerSeries(s, "ratio")[2]!;
  assert.deepEqual(robustFit(s.steps, y, { seed: 7 }).popt, robustFit(s.steps, y, { seed: 7 }).popt);
});

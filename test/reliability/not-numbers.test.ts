/**
 * Numbers that are not numbers: fits (and, below, predictions) given NaN, infinities, constant series, too few
 * points, values at the ends of float64 or an architecture outside the training range must return an explicit
 * status or warning — never NaN or Infinity presented as a result.
 *
 * The invariant checked for every fit: status "failed" carries no numbers (empty popt) and a one-line message;
 * any other status has 5 finite parameters, finite R^2, AIC, RSS and residuals, and a warning for every point
 * it dropped.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { eq9, fitSeries, paperProcedure, robustFit, type FitResult } from "../../src/dynamics/index";
import { readExp2Series, type Exp2Series } from "../../src/io/exp2-stats";
import { readFitParams, writeFitParams } from "../../src/io/fit-params";

const STEPS = [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000, 1500, 2000, 2500, 3000];
const TRUE = { A: 8, lambda: 0.002, gamma: 0.5, t0: 100, K: 6 };
const GOOD = STEPS.map((t) => eq9(TRUE, t));

function assertHonest(r: FitResult, what: string): void {
  assert.ok(["converged", "max-iterations", "failed"].includes(r.status), `${what}: status ${r.status}`);
  assert.ok(typeof r.message === "string" && r.message.length > 0 && !/[\r\n]/.test(r.message), `${what}: one-line message`);
  if (r.status === "failed") {
    assert.equal(r.popt.length, 0, `${what}: a failed fit carries no parameters`);
    return;
  }
  assert.equal(r.popt.length, 5, what);
  for (const [name, v] of [...r.popt.map((v, i) => [r.paramNames[i], v] as const), ["r2", r.r2], ["aic", r.aic], ["rss", r.rss]] as const) {
    assert.ok(Number.isFinite(v), `${what}: ${name} = ${v} presented as a result (status ${r.status})`);
  }
  assert.ok(r.residuals.every(Number.isFinite), `${what}: residuals finite`);
  for (const v of Object.values(r.params)) assert.ok(Number.isFinite(v), `${what}: params finite`);
  const badStderr = r.stderr.some((v) => !Number.isFinite(v));
  if (badStderr) assert.ok(r.warnings.some((w) => /covariance|rank/.test(w)), `${what}: non-finite stderr without a covariance warning`);
}

const cases: [string, number[], number[], RegExp | "ok" | "warn"][] = [
  ["all NaN", STEPS, STEPS.map(() => NaN), /finite point/],
  ["all +Infinity", STEPS, STEPS.map(() => Infinity), /finite point/],
  ["some NaN and infinities", STEPS, GOOD.map((v, i) => (i % 5 === 1 ? NaN : i === 3 ? Infinity : i === 6 ? -Infinity : v)), "warn"],
  ["NaN steps", STEPS.map((s, i) => (i === 2 ? NaN : i === 4 ? Infinity : s)), GOOD, "warn"],
  ["constant", STEPS, STEPS.map(() => 7), /constant/],
  ["zeros", STEPS, STEPS.map(() => 0), /constant/],
  ["no points", [], [], /finite point/],
  ["one point", [5], [3], /finite point/],
  ["five points for five parameters", STEPS.slice(0, 5), GOOD.slice(0, 5), /finite point/],
  ["six points", STEPS.slice(0, 6), GOOD.slice(0, 6), "warn"],
  ["one step repeated", STEPS.map(() => 5), GOOD, /one step/],
  ["lengths differ", STEPS, GOOD.slice(0, 7), /values but/],
  ["values near the float64 maximum", STEPS, GOOD.map((v) => v * 1e300), /not finite|range/],
  ["values near the float64 minimum", STEPS, GOOD.map((v) => v * 1e-300), /not finite|range/],
  ["1e300 with a NaN", STEPS, GOOD.map((v, i) => (i === 0 ? NaN : v * 1e300)), /not finite|range/],
  ["negative steps", STEPS.map((s) => -s), GOOD, "ok"],
  ["negative values", STEPS, GOOD.map((v) => -v), "ok"],
  ["a single huge outlier", STEPS, GOOD.map((v, i) => (i === 8 ? 1e200 : v)), "ok"],
];

for (const [fitName, fit] of [["paperProcedure", paperProcedure], ["robustFit", robustFit]] as const) {
  for (const [name, t, y, expect] of cases) {
    test(`${fitName}: ${name}`, () => {
      const r = fit(t, y);
      assertHonest(r, `${fitName}(${name})`);
      if (expect instanceof RegExp) {
        assert.equal(r.status, "failed", `${name}: expected an explicit failure, got ${r.status} (${r.message})`);
        assert.match(r.message, expect);
      } else if (expect === "warn") {
        assert.ok(r.warnings.length > 0, `${name}: expected a warning`);
      }
      if (name.startsWith("some NaN") || name === "NaN steps") {
        if (r.status !== "failed") assert.ok(r.warnings.some((w) => /dropped \d+ non-finite/.test(w)), r.warnings.join("; "));
      }
    });
  }
}

test("robustFit recovers the true parameters despite NaN/Infinity points (they are dropped, with a warning)", () => {
  const y = GOOD.map((v, i) => (i % 5 === 1 ? NaN : i === 3 ? Infinity : v));
  const r = robustFit(STEPS, y);
  assertHonest(r, "robust");
  assert.notEqual(r.status, "failed");
  for (const [k, v] of Object.entries(TRUE)) assert.ok(Math.abs((r.params as Record<string, number>)[k]! - v) <= 1e-4 * Math.max(1, Math.abs(v)), `${k}: ${(r.params as Record<string, number>)[k]} vs ${v}`);
});

test("fitSeries + layer_fit_params: a layer whose ratio is not a number is written as failed (original null) and read back as failed", async () => {
  const base = readExp2Series("data/mini-pythia/d128-L4-H4");
  // Layer 1: top1 == median everywhere (ratio constant 1); layer 2: median 0 (ratio +Infinity) at every step.
  const series: Exp2Series = {
    ...base,
    checkpoints: base.checkpoints.map((c) => ({
      ...c,
      values: c.values.map((seq) => seq.map((row, k) => row.map((v, l) => (l === 1 ? (k === 3 ? seq[0]![1]! : v) : l === 2 && k === 3 ? 0 : v)))),
    })),
  };
  const fits = fitSeries(series, "ratio", { method: "paper" });
  assert.equal(fits.length, 4);
  assert.equal(fits[1]!.fit.status, "failed");
  assert.equal(fits[2]!.fit.status, "failed");
  for (const f of fits) assertHonest(f.fit, `layer ${f.layer}`);
  for (const l of [0, 3]) assert.notEqual(fits[l]!.fit.status, "failed");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nan-fit-"));
  try {
    const file = path.join(dir, "layer_fit_params_ratio.json");
    await writeFitParams(file, fits);
    const text = fs.readFileSync(file, "utf8");
    assert.ok(!/\bNaN\b|Infinity/.test(text), "no NaN/Infinity tokens written");
    const back = readFitParams(file);
    assert.equal(back[1]!.original, null);
    assert.equal(back[1]!.status, "failed");
    assert.equal(back[2]!.original, null);
    assert.ok(back[0]!.original!.popt.every(Number.isFinite));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// The main job end to end on a small suite made of the embedded data (3 models; 2 bundled checkpoints of one),
// so it runs in about a minute: every stage writes what the next and the report need.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runMainJob, readExp2Series, readFitParams } from "../../src/index";

const SUITE = path.resolve(__dirname, "../../data/mini-pythia");

function smallSuite(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "suite-"));
  for (const m of ["d128-L4-H4", "d128-L6-H4", "d256-L4-H4"]) fs.symlinkSync(path.join(SUITE, m), path.join(dir, m));
  fs.symlinkSync(path.join(SUITE, "eval_sequences.json"), path.join(dir, "eval_sequences.json"));
  const ck = path.join(dir, "checkpoints", "d128-L6-H4");
  fs.mkdirSync(ck, { recursive: true });
  for (const s of ["step0", "step3000", "reference_stats"]) fs.symlinkSync(path.join(SUITE, "checkpoints", "d128-L6-H4", s), path.join(ck, s));
  return dir;
}

test("main job: record + check, fits, hypotheses, predictions, figures and report on a 3-model suite", { timeout: 600_000 }, async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "results-"));
  const lines: string[] = [];
  const summary = await runMainJob({ suite: smallSuite(), out, series: ["ratio"], formats: ["png"], log: (l) => lines.push(l) });

  // 1. recording reproduces the shipped statistics (issue 4's tolerance: 1e-3 relative)
  assert.equal(summary.recordChecks.length, 1);
  const check = summary.recordChecks[0]!;
  assert.deepEqual(check.steps, [0, 3000]);
  console.log(`recorded vs suite stats: max rel error ${check.maxRelErrorVsSuiteStats.toExponential(2)}; vs reference_stats ${check.maxRelErrorVsReference?.toExponential(2)}`);
  assert.ok(check.maxRelErrorVsSuiteStats < 1e-3, `max rel error ${check.maxRelErrorVsSuiteStats}`);
  assert.ok(check.maxRelErrorVsReference! < 1e-4, `max rel error vs reference ${check.maxRelErrorVsReference}`);
  assert.equal(readExp2Series(path.join(out, "d128-L6-H4", "recorded")).steps.length, 2);

  // 2-3. inputs copied, one fit per layer in the released format
  for (const m of summary.models) {
    const entries = readFitParams(path.join(out, m.name, "params", "layer_fit_params_ratio.json"));
    assert.equal(entries.length, m.layers);
    assert.ok(m.meanR2Robust >= m.meanR2Paper - 1e-3, `${m.name}: robust ${m.meanR2Robust} < paper ${m.meanR2Paper}`);
    assert.ok(m.meanR2Robust > 0.9, `${m.name}: mean R² ${m.meanR2Robust}`);
  }

  // 4. Table 5 rows for every model and hypothesis
  const hyp = JSON.parse(fs.readFileSync(path.join(out, "hypotheses.json"), "utf8")) as { models: string[]; hypotheses: { name: string; values: number[] }[] };
  assert.deepEqual(hyp.models, ["d128-L4-H4", "d128-L6-H4", "d256-L4-H4"]);
  assert.equal(hyp.hypotheses.length, 4);

  // 5. leave-one-model-out predictions for every model, finite
  for (const m of summary.models) {
    const p = JSON.parse(fs.readFileSync(path.join(out, m.name, "predictions.json"), "utf8")) as { layers: { ratio: number[] }[] };
    assert.equal(p.layers.length, m.layers);
    assert.ok(p.layers.every((l) => l.ratio.every(Number.isFinite)));
  }
  assert.ok(fs.existsSync(path.join(out, "predict", "table3.txt")));

  // 6. figures and the report
  assert.ok(summary.figures.length >= 10, `${summary.figures.length} figures`);
  for (const f of summary.figures) assert.ok(fs.statSync(f).size > 5000, `${f} is suspiciously small`);
  const html = fs.readFileSync(path.join(out, "report.html"), "utf8");
  assert.ok(html.length > 1_000_000, "report inlines plotly.js");
  assert.match(html, /d256-L4-H4/);
  assert.ok(lines.some((l) => /\[main\] fit done/.test(l)));
  console.log(`stage seconds: ${JSON.stringify(summary.seconds)}`);
});

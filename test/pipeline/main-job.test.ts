// The main job end to end on a small suite made of the embedded data (4 architectures and one seed run of one of
// them, with their suite.json; 2 bundled checkpoints of one model), so it runs in about a minute: every stage writes
// what the next and the report need.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runMainJob, readExp2Series, readFitParams } from "../../src/index";

const SUITE = path.resolve(__dirname, "../../data/mini-pythia");

function smallSuite(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "suite-"));
  const names = ["d128-L4-H4", "d128-L4-H4-s1", "d128-L6-H4", "d256-L4-H4", "d256-L6-H8"];
  for (const m of names) fs.symlinkSync(path.join(SUITE, m), path.join(dir, m));
  const manifest = JSON.parse(fs.readFileSync(path.join(SUITE, "suite.json"), "utf8")) as { models: { name: string }[] };
  fs.writeFileSync(path.join(dir, "suite.json"), JSON.stringify({ models: manifest.models.filter((m) => names.includes(m.name)) }));
  fs.symlinkSync(path.join(SUITE, "eval_sequences.json"), path.join(dir, "eval_sequences.json"));
  const ck = path.join(dir, "checkpoints", "d128-L6-H4");
  fs.mkdirSync(ck, { recursive: true });
  for (const s of ["step0", "step3000", "reference_stats"]) fs.symlinkSync(path.join(SUITE, "checkpoints", "d128-L6-H4", s), path.join(ck, s));
  return dir;
}

test("main job: record + check, fits, hypotheses, predictions, figures and report on a 5-run suite", { timeout: 600_000 }, async () => {
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

  // 4. Table 5 rows for every architecture run and hypothesis (the seed run is not a new architecture)
  const hyp = JSON.parse(fs.readFileSync(path.join(out, "hypotheses.json"), "utf8")) as { models: string[]; hypotheses: { name: string; values: number[] }[] };
  assert.deepEqual(hyp.models, ["d128-L4-H4", "d128-L6-H4", "d256-L4-H4", "d256-L6-H8"]);
  assert.equal(hyp.hypotheses.length, 4);

  // 5. nested held-out predictions with bands for every run; the seed run is predicted by the fold holding out its
  // base and never trained on; the ceiling and the coverage are reported
  const pred = summary.prediction!;
  assert.match(pred.scheme, /nested leave-one-model-out/); // 4 architectures < 5 folds: leave one out
  assert.deepEqual(Object.keys(pred.nestedCurveR2).sort(), ["d128-L4-H4", "d128-L6-H4", "d256-L4-H4", "d256-L6-H8"]);
  assert.deepEqual(pred.variants.map((v) => v.model), ["d128-L4-H4-s1"]);
  assert.ok(pred.bandCoverage > 0 && pred.bandCoverage <= 1 && pred.bandLevel === 0.8);
  assert.ok(Number.isFinite(pred.seedCeiling!.meanCurveR2));
  for (const m of summary.models) {
    const p = JSON.parse(fs.readFileSync(path.join(out, m.name, "predictions.json"), "utf8")) as { trainedOn: string[]; layers: { ratio: number[]; lower: number[]; upper: number[] }[] };
    assert.equal(p.layers.length, m.layers);
    assert.ok(p.layers.every((l) => l.ratio.every((v, k) => Number.isFinite(v) && l.lower[k]! <= v && v <= l.upper[k]!)));
    assert.ok(!p.trainedOn.includes(m.name) && !p.trainedOn.includes("d128-L4-H4-s1"), `${m.name} trained on ${p.trainedOn}`);
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

  // 7. a re-run reuses what did not change: figures whose Plotly JSON and code are the same are not drawn again,
  // while a deleted file is
  const mtimes = new Map(summary.figures.map((f) => [f, fs.statSync(f).mtimeMs]));
  const removed = summary.figures[0]!;
  fs.rmSync(removed);
  const again: string[] = [];
  const second = await runMainJob({ suite: smallSuite(), out, series: ["ratio"], formats: ["png"], log: (l) => again.push(l) });
  assert.deepEqual(second.figures, summary.figures);
  assert.ok(again.some((l) => l.includes(`figures: ${summary.figures.length - 1} of ${summary.figures.length} unchanged`)), again.join("\n"));
  assert.ok(fs.existsSync(removed), "the deleted figure is drawn again");
  for (const f of summary.figures.slice(1)) assert.equal(fs.statSync(f).mtimeMs, mtimes.get(f), `${f} was drawn again`);
});

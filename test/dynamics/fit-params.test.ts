import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readExp2Series, fitSeries, writeFitParams, readFitParams, parseFitParams, fitParamsToEq9, eq9 } from "../../src/index";

const suiteDir = path.resolve(__dirname, "../../data/mini-pythia");

test("writes the released layer_fit_params format and reads it back", async () => {
  const series = readExp2Series(path.join(suiteDir, "d256-L4-H4"));
  const fits = fitSeries(series, "ratio");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fit-params-"));
  const file = path.join(dir, "layer_fit_params_ratio.json");
  await writeFitParams(file, fits);
  const raw = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>[];
  assert.equal(raw.length, 4);
  const o = raw[0]!.original as Record<string, unknown>;
  assert.deepEqual(o.param_names, ["A", "λ", "γ", "t0", "K"]);
  assert.deepEqual(Object.keys(o).sort(), ["aic", "param_names", "pcov", "popt", "r2", "residuals"]);
  const back = readFitParams(file);
  assert.equal(back.length, 4);
  back.forEach((e, l) => {
    assert.equal(e.layer, l);
    assert.equal(e.status, "converged");
    assert.deepEqual(e.original!.popt, fits[l]!.fit.popt);
    assert.equal(e.original!.r2, fits[l]!.fit.r2);
    const p = fitParamsToEq9(e)!;
    // the raw-unit parameters reproduce the data: residual at the last step
    const last = series.steps.length - 1;
    assert.deepEqual(e.original!.residuals, fits[l]!.fit.residuals);
    // residual = y - f(t) in raw units, with f from the written parameters
    const y = fits[l]!.fit.residuals[last]! + eq9(p, series.steps[last]!);
    assert.ok(Math.abs(y - (fits[l]!.fit.residuals[last]! + eq9(fits[l]!.fit.params as never, series.steps[last]!))) < 1e-12);
  });
  fs.rmSync(dir, { recursive: true });
});

test("reads Python's json.dump output (NaN / Infinity tokens) and rejects malformed files with one line naming the file", () => {
  const good = `[{"original": {"param_names": ["A", "\\u03bb", "\\u03b3", "t0", "K"], "popt": [1, 0.1, 1e-4, 0.6, 0.1], "pcov": [[Infinity,0,0,0,0],[0,NaN,0,0,0],[0,0,1,0,0],[0,0,0,1,0],[0,0,0,0,1]], "r2": 0.99, "aic": -300.5, "residuals": [0.1, -0.1]}}]`;
  const e = parseFitParams(good, "x.json");
  assert.equal(e[0]!.original!.pcov[0]![0], Infinity);
  assert.ok(Number.isNaN(e[0]!.original!.pcov[1]![1]));
  const bad: [string, RegExp][] = [
    ["{}", /x\.json: expected a JSON list/],
    ["[", /x\.json: not valid JSON/],
    ["[]", /x\.json: the list of layers is empty/],
    ["[{}]", /x\.json: layer 0: missing key "original"/],
    [good.replace('"popt": [1, 0.1, 1e-4, 0.6, 0.1]', '"popt": [1, 2]'), /x\.json: layer 0: "popt" must hold 5 finite numbers/],
    [good.replace('"popt": [1, 0.1, 1e-4, 0.6, 0.1]', '"popt": [1, NaN, 1e-4, 0.6, 0.1]'), /"popt" must hold 5 finite numbers/],
    [good.replace('"r2": 0.99', '"r2": "high"'), /"r2" must be a number/],
    [good.replace('[0,0,0,0,1]]', '[0,0,0,0]]'), /"pcov" must be a 5 x 5 matrix/],
    ['[{"original": null}]', /"original" is null but "status" is not "failed"/],
  ];
  for (const [text, re] of bad) {
    assert.throws(() => parseFitParams(text, "x.json"), (err: Error) => re.test(err.message) && !err.message.includes("\n"), text);
  }
  assert.equal(parseFitParams('[{"original": null, "status": "failed", "message": "constant series"}]', "x.json")[0]!.original, null);
  assert.throws(() => readFitParams("/nonexistent/layer_fit_params_ratio.json"), /\/nonexistent\/layer_fit_params_ratio\.json: cannot read: ENOENT/);
});

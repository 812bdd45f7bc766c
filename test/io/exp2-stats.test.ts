import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readExp2Series, readExp2Stats, parseExp2Stats, writeExp2Stats, layerSeries, formatExp2Values } from "../../src/index";

const suiteDir = path.resolve(__dirname, "../../data/mini-pythia");

test("reads a released-format stats file with its shape [10][4][L]", () => {
  const s = readExp2Stats(path.join(suiteDir, "d128-L6-H4/stats/exp2_d128-L6-H4_step0"));
  assert.equal(s.step, 0);
  assert.equal(s.values.length, 10);
  assert.equal(s.values[0]!.length, 4);
  assert.equal(s.values[0]![0]!.length, 6);
  // first value as printed in the file
  assert.equal(s.values[0]![0]![0], 0.26069244742393494);
});

test("reads a whole model series sorted by step and computes the Eq. 8 ratio of sample means", () => {
  const series = readExp2Series(path.join(suiteDir, "d128-L6-H4"));
  assert.equal(series.steps.length, 35);
  assert.deepEqual(series.steps.slice(0, 6), [0, 1, 2, 4, 8, 16]);
  const ratio = layerSeries(series, "ratio");
  assert.equal(ratio.length, 6);
  const c = series.checkpoints[0]!;
  const meanTop1 = c.values.reduce((a, s) => a + s[0]![2]!, 0) / 10;
  const meanMed = c.values.reduce((a, s) => a + s[3]![2]!, 0) / 10;
  assert.ok(Math.abs(ratio[2]![0]! - meanTop1 / meanMed) < 1e-12);
});

test("malformed files are skipped with a warning naming the file", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "exp2-"));
  const good = formatExp2Values([[[1, 2], [1, 2], [1, 2], [0.5, 0.5]]]);
  fs.writeFileSync(path.join(dir, "exp2_m_step0"), good);
  fs.writeFileSync(path.join(dir, "exp2_m_step1"), good.slice(0, 20));
  const warnings: string[] = [];
  const series = readExp2Series(dir, { onWarning: (m) => warnings.push(m) });
  assert.deepEqual(series.steps, [0]);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /exp2_m_step1.*unexpected end of file/);
});

test("rejects wrong shapes, negative and non-finite values with the file name", () => {
  assert.throws(() => parseExp2Stats("[[[1],[1],[1]]]", "f1"), /f1: sequence 0 must hold 4 rows/);
  assert.throws(() => parseExp2Stats("[[[1],[1],[1],[-1]]]", "f2"), /f2: sequence 0 median layer 0 is -1/);
  assert.throws(() => parseExp2Stats("[[[nan],[1],[1],[1]]]", "f3"), /f3: .*NaN/);
  assert.throws(() => parseExp2Stats("[".repeat(100000), "f4"), /f4: .*nesting deeper/);
  assert.throws(() => parseExp2Stats("__import__('os')", "f5"), /f5: .*unexpected character '_'/);
});

test("write then read round-trips exactly", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "exp2-"));
  const values = [[[1.5, 2.25e-7], [1, 2], [0.1, 0.3], [0.01, 1e-12]]];
  const file = await writeExp2Stats(dir, "m", { step: 7, values });
  assert.equal(path.basename(file), "exp2_m_step7");
  assert.deepEqual(readExp2Stats(file).values, values);
  assert.deepEqual(fs.readdirSync(dir), ["exp2_m_step7"]);
});

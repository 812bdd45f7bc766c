import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readFitParams } from "../../src/index";

const root = path.resolve(__dirname, "../..");
const massive = (...args: string[]) => spawnSync(process.execPath, [path.join(root, "bin/massive.cjs"), "fit", ...args], { cwd: root, encoding: "utf8" });

test("massive fit writes layer_fit_params in the released format, progress on stderr", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "massive-fit-"));
  const out = path.join(dir, "params", "layer_fit_params_median.json");
  const r = massive("--stats", "data/mini-pythia/d128-L4-H4/stats", "--series", "median", "--out", out, "--method", "paper");
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /fit: d128-L4-H4: 4 layers x 35 steps/);
  assert.match(r.stderr, /fit: layer 3: R\^2 0\.\d{4}/);
  const entries = readFitParams(out);
  assert.equal(entries.length, 4);
  for (const e of entries) {
    assert.equal(e.series, "median");
    assert.equal(e.method, "paper");
    assert.deepEqual(e.original!.param_names, ["A", "λ", "γ", "t0", "K"]);
  }
  fs.rmSync(dir, { recursive: true });
});

test("massive fit: bad input gives a non-zero exit and one line", () => {
  const cases: [string[], RegExp][] = [
    [["--stats", "/nonexistent", "--out", "/tmp/x.json"], /--stats \/nonexistent is not a folder/],
    [["--stats", "data/mini-pythia/d128-L4-H4", "--series", "top2", "--out", "/tmp/x.json"], /--series must be ratio, top1 or median/],
    [["--stats", "data/mini-pythia/d128-L4-H4", "--method", "best", "--out", "/tmp/x.json"], /--method must be paper or robust/],
    [["--stats", "data/mini-pythia/d128-L4-H4", "--bootstrap", "-3", "--out", "/tmp/x.json"], /bootstrap/],
    [["--out", "/tmp/x.json"], /--stats is required/],
  ];
  for (const [args, re] of cases) {
    const r = massive(...args);
    assert.notEqual(r.status, 0, args.join(" "));
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
  const help = massive("--help");
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--series/);
});

test("massive fit --bootstrap adds a seeded bootstrap beside original", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "massive-fit-boot-"));
  const out = path.join(dir, "ratio.json");
  const r = massive("--stats", "data/mini-pythia/d512-L4-H8", "--series", "ratio", "--bootstrap", "2", "--seed", "3", "--out", out);
  assert.equal(r.status, 0, r.stderr);
  const entries = readFitParams(out);
  const b = entries[0]!.bootstrap as { replicates: number; seed: number; params: Record<string, { n: number }>; t_peak: unknown };
  assert.equal(b.replicates, 2);
  assert.equal(b.seed, 3);
  assert.deepEqual(Object.keys(b.params), ["A", "lambda", "gamma", "t0", "K"]);
  assert.ok(entries.every((e) => e.method === "robust" && (e.paper as { status: string }).status !== undefined));
  fs.rmSync(dir, { recursive: true });
});

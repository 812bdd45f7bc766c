/**
 * `massive forward` and `massive convert` as the DESIGN.md command-line contract fixes them, run as child
 * processes on tiny-neox-a: the written layer_<i>, final_layer_norm and logits match expected.safetensors to 1e-4.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readSafetensors } from "../../src/io/safetensors";
import { TINY_DIR, loadExpected } from "./parity-helpers";

const BIN = path.join(__dirname, "..", "..", "bin", "massive.cjs");
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, MASSIVE_QUIET: "1" } });

test("massive convert + massive forward write outputs matching transformers to 1e-4", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "neox-cli-"));
  const { ids, expected } = await loadExpected();
  fs.writeFileSync(path.join(tmp, "ids.json"), JSON.stringify(ids));
  const conv = run("convert", TINY_DIR, path.join(tmp, "tfjs"), "--dtype", "float16");
  assert.equal(conv.status, 0, conv.stderr);
  const fwd = run("forward", "--model", path.join(tmp, "tfjs"), "--ids", path.join(tmp, "ids.json"), "--out", path.join(tmp, "out.safetensors"));
  assert.equal(fwd.status, 0, fwd.stderr);
  const out = await readSafetensors(path.join(tmp, "out.safetensors"));
  assert.deepEqual([...out.keys()].sort(), ["final_layer_norm", "layer_0", "layer_1", "layer_2", "logits"]);
  const errors: string[] = [];
  for (const [name, t] of out) {
    assert.equal(t.dtype, "float32");
    assert.deepEqual(t.shape.slice(0, 2), [ids.length, ids[0]!.length]);
    const want = expected.get(name)!;
    let max = 0;
    for (let i = 0; i < want.length; i++) max = Math.max(max, Math.abs((t.data as Float32Array)[i]! - want[i]!));
    errors.push(`${name} ${max.toExponential(2)}`);
    assert.ok(max <= 1e-4, `${name}: max |error| ${max}`);
  }
  console.log(`  massive forward (converted float16): max |error| ${errors.join(", ")}`);
  fs.rmSync(tmp, { recursive: true });
});

test("massive forward and convert refuse bad input with one line and a non-zero exit", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "neox-cli-"));
  const ids = path.join(tmp, "ids.json");
  const cases: [string[], RegExp][] = [
    [["forward", "--model", TINY_DIR, "--out", path.join(tmp, "o.safetensors")], /--ids is required/],
    [["forward", "--model", TINY_DIR, "--ids", ids, "--out", path.join(tmp, "o.safetensors")], /ids\.json: ENOENT/],
    [["convert", TINY_DIR, path.join(tmp, "c"), "--dtype", "int8"], /--dtype must be float16 or float32/],
    [["convert", path.join(tmp, "nowhere"), path.join(tmp, "c")], /nowhere: no such folder/],
  ];
  for (const [args, re] of cases) {
    const r = run(...args);
    assert.notEqual(r.status, 0, args.join(" "));
    const last = r.stderr.trim().split("\n").pop()!; // progress lines may come before the error
    assert.match(last, /^massive (forward|convert): /, r.stderr);
    assert.match(last, re);
  }
  fs.writeFileSync(ids, "[[1, 2], [3]]");
  const ragged = run("forward", "--model", TINY_DIR, "--ids", ids, "--out", path.join(tmp, "o.safetensors"));
  assert.equal(ragged.status, 2);
  assert.match(ragged.stderr, /ids\.json: row 1 has 1 ids, expected 2/);
  fs.writeFileSync(ids, "[[1, 99999]]");
  const vocab = run("forward", "--model", TINY_DIR, "--ids", ids, "--out", path.join(tmp, "o.safetensors"));
  assert.notEqual(vocab.status, 0);
  assert.match(vocab.stderr, /token id 99999 is outside the model's vocabulary of 512/);
  fs.writeFileSync(ids, "[[1, 2]]");
  const badCompute = run("forward", "--model", TINY_DIR, "--ids", ids, "--out", path.join(tmp, "o.safetensors"), "--compute", "int8");
  assert.equal(badCompute.status, 2);
  assert.match(badCompute.stderr, /--compute must be float32 or float16, got 'int8'/);
  // This test runs without a GPU: float16 compute needs webgpu with Dawn's float16 subgroup matrices.
  const half = run("forward", "--model", TINY_DIR, "--ids", ids, "--out", path.join(tmp, "o.safetensors"), "--compute", "float16");
  assert.notEqual(half.status, 0);
  assert.match(half.stderr.trim().split("\n").pop()!, /^massive forward: compute float16 needs the webgpu backend with float16 subgroup matrices: backend is (wasm|cpu)/);
  fs.rmSync(tmp, { recursive: true });
});

/**
 * The float16 tensor-core product's WGSL (every named tile of src/backend-webgpu-f16-code.ts, guarded and whole-tile
 * paths, with and without bias, plus the probe's float32-A and 16 x 8 x 16 variants) compiles on Dawn's Null backend:
 * `bench/gpu/f16-probe.ts --compile-only`. The Null adapter validates WGSL with subgroup matrices although it offers
 * no configuration to run them, so a syntax, type or builtin-signature error (such as Dawn's deprecated load form)
 * fails here on a CPU machine instead of in a device call. Skips when the optional package `webgpu` or tsx is missing.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { REPO_ROOT, resolvable } from "../helpers/resolvable";
import { BATCHED_HALF_TILE_NAMES, HALF_TILES } from "../../src/backend-webgpu-f16-tiles";


test("every float16 product tile's WGSL compiles on Dawn's Null backend without errors or warnings", { skip: !(resolvable("webgpu") && resolvable("tsx")) && "needs the optional package webgpu and tsx" }, () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join("bench", "gpu", "f16-probe.ts"), "--compile-only"], { cwd: REPO_ROOT, encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, `${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`);
  assert.match(r.stdout, /^0 problems$/m);
  const compiled = r.stdout.split("\n").filter((l) => l.startsWith("compiled ")).map((l) => l.slice("compiled ".length));
  for (const name of Object.keys(HALF_TILES)) assert.ok(compiled.includes(name), `${name} not compiled`);
  // halfBatchedMatMul's code (batch offsets from workgroupId.z) for both tiles it uses and both forms of A.
  for (const name of BATCHED_HALF_TILE_NAMES) for (const aHalf of [true, false]) assert.ok(compiled.includes(`batched ${name} aHalf=${aHalf}`), `batched ${name} aHalf=${aHalf} not compiled`);
});

/**
 * The project's float32 WGSL programs (the tiled matrix product in its variants, the rotary split, the flash attention
 * for several head sizes) compile on Dawn's Null backend (bench/gpu/wgsl-check.ts). That needs no GPU, so a syntax,
 * type or uniformity error in one of these kernels fails here, on a CPU machine, instead of in a device call. Skips
 * when the optional package `webgpu` is missing. (The float16 product tiles are compiled the same way by
 * test/backend/webgpu-f16-wgsl.test.ts.)
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { REPO_ROOT, resolvable } from "../helpers/resolvable";


test("the float32 WGSL kernels compile on Dawn's Null backend", { skip: !(resolvable("webgpu") && resolvable("tsx")) && "needs the optional package webgpu and tsx" }, () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join("bench", "gpu", "wgsl-check.ts")], { cwd: REPO_ROOT, encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, `${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`);
  const compiled = /(\d+) shader modules compiled on Dawn's Null backend/.exec(r.stdout);
  assert.ok(compiled, r.stdout.slice(-2000));
  // 3 matrix-product variants x 4 shapes (some share a shader), 5 rotary splits, 5 flash attentions.
  assert.ok(Number(compiled[1]) >= 15, `only ${compiled[1]} shader modules compiled`);
});

/**
 * The project's WGSL programs compile on Dawn's Null backend (bench/gpu/wgsl-check.ts): the tiled matrix product in its
 * variants, the rotary split and the float32 flash attention for several head sizes with every FlashTile (the
 * default, every MASSIVE_WEBGPU_FLASH value, each tile as given; float32 and float16 output), and the float16 product
 * with every HALF_TILES tile (pipelines validated where they fit Null's 16 KiB of workgroup memory, the others
 * named with Dawn's reason). That needs no GPU, so a syntax, type or uniformity error in one of these kernels fails
 * here, on a CPU machine, instead of in a device call. Skips when the optional package `webgpu` is missing. (The
 * float16 product tiles' own WGSL variants are also compiled by test/backend/webgpu-f16-wgsl.test.ts.)
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { REPO_ROOT, resolvable } from "../helpers/resolvable";
import { HALF_TILES } from "../../src/backend-webgpu-f16-code";

test("the WGSL kernels compile on Dawn's Null backend: every flash tile, every float16 product tile", { skip: !(resolvable("webgpu") && resolvable("tsx")) && "needs the optional package webgpu and tsx" }, () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join("bench", "gpu", "wgsl-check.ts")], { cwd: REPO_ROOT, encoding: "utf8", timeout: 240_000 });
  assert.equal(r.status, 0, `${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`);
  const compiled = /(\d+) shader modules compiled on Dawn's Null backend/.exec(r.stdout);
  assert.ok(compiled, r.stdout.slice(-2000));
  // Every (tile, head size, output) its own module, plus one rotary split per head size: a tile whose pipeline key
  // left out one of its fields would share another tile's module (tfjs caches pipelines by key).
  const flash = /flash attention: (\d+) shader modules for (\d+) tiles x 5 head sizes x 2 outputs/.exec(r.stdout);
  assert.ok(flash, r.stdout.slice(-2000));
  assert.ok(Number(flash[2]) >= 49, `only ${flash[2]} flash tiles`);
  assert.equal(Number(flash[1]), Number(flash[2]) * 5 * 2 + 5, "flash shader modules");
  // Every float16 tile: validated, or named with the limit of Null's it is over.
  const validated = /float16 product tiles, pipelines validated \(\d+\): (.*)/.exec(r.stdout)?.[1]?.split(", ").filter(Boolean) ?? [];
  const skipped = [...r.stdout.matchAll(/^ {2}(\S+) \((The total use of workgroup storage|Entry-point uses workgroup_size)/gm)].map((m) => m[1]!);
  assert.deepEqual([...validated, ...skipped].sort(), Object.keys(HALF_TILES).sort(), r.stdout.slice(-3000));
  assert.ok(Number(compiled[1]) >= Number(flash[1]) + Object.keys(HALF_TILES).length, `only ${compiled[1]} shader modules compiled`);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { linuxVulkanDriverFiles, robustnessToggles } from "../../src/backend-webgpu";

const root = path.resolve(__dirname, "../..");

test("Vulkan driver files: VK_DRIVER_FILES wins, missing files do not count, XDG_DATA_DIRS is searched", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "icd-"));
  const icd = path.join(dir, "vulkan", "icd.d", "gpu_icd.json");
  fs.mkdirSync(path.dirname(icd), { recursive: true });
  fs.writeFileSync(icd, "{}");
  assert.deepEqual(linuxVulkanDriverFiles({ VK_DRIVER_FILES: `${icd}:${dir}/missing.json` }), [icd]);
  assert.deepEqual(linuxVulkanDriverFiles({ VK_DRIVER_FILES: `${dir}/missing.json` }), []);
  assert.ok(linuxVulkanDriverFiles({ XDG_DATA_DIRS: dir }).includes(icd));
});

function backendLog(env: Record<string, string>): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", "-e", 'require("./src/backend").initBackend().then((i) => process.stdout.write(i.name), (e) => { process.stderr.write(e.message); process.exit(3); })'], {
    cwd: root,
    env: { ...process.env, MASSIVE_QUIET: "0", ...env },
    encoding: "utf8",
  });
  return { status: r.status, stderr: r.stderr };
}

test("without a GPU the backend is wasm, logged once; MASSIVE_BACKEND forces and rejects unknown names", { skip: linuxVulkanDriverFiles().length > 0 && "a Vulkan driver is present here" }, () => {
  const auto = backendLog({ MASSIVE_BACKEND: "" });
  assert.equal(auto.status, 0, auto.stderr);
  assert.equal(auto.stderr.match(/\[massive\] backend:/g)?.length, 1);
  assert.match(auto.stderr, /\[massive\] backend: wasm/);
  assert.doesNotMatch(auto.stderr, /vkCreateInstance/, "Dawn is not started without a Vulkan driver");
  const forced = backendLog({ MASSIVE_BACKEND: "cpu" });
  assert.match(forced.stderr, /backend: cpu \(forced by MASSIVE_BACKEND/);
  const bad = backendLog({ MASSIVE_BACKEND: "cuda" });
  assert.equal(bad.status, 3);
  assert.match(bad.stderr, /MASSIVE_BACKEND='cuda' is not one of/);
});

// Toggle names as Dawn spells them (src/dawn/native/Toggles.cpp; present in the npm webgpu 0.6.2 dawn.node).
test("MASSIVE_WEBGPU_ROBUSTNESS: analysis (default) adds Dawn's range-analysis toggle, off disables robustness, on adds nothing", () => {
  assert.deepEqual(robustnessToggles(undefined), ["enable_integer_range_analysis_in_robustness"]);
  assert.deepEqual(robustnessToggles("analysis"), ["enable_integer_range_analysis_in_robustness"]);
  assert.deepEqual(robustnessToggles("on"), []);
  assert.deepEqual(robustnessToggles("off"), ["disable_robustness"]);
  assert.throws(() => robustnessToggles("none"), /MASSIVE_WEBGPU_ROBUSTNESS must be on, analysis or off \(got 'none'\)/);
});

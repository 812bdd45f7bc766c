// What a notebook's `import * as massive from "./src/index"` does first: tslab compiles src/ with its own TypeScript
// (5.0.4, @tslab/typescript-for-tslab) and its own options (tslab/dist/converter.js: ESNext modules, Node10
// resolution, ES2022 lib without the DOM, declarations, checkJs, not strict). Errors there fail the import cell, and
// tslab prints them without file names; this test reports them with file names, in seconds rather than a notebook run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const root = path.resolve(__dirname, "../..");

test("src/index.ts compiles under tslab's TypeScript 5.0.4 and compiler options", () => {
  const tsc = path.join(root, "node_modules/@tslab/typescript-for-tslab/bin/tsc");
  assert.ok(fs.existsSync(tsc), "tslab's TypeScript is installed (npm ci)");
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "massive-tslab-tsc-"));
  try {
    const r = spawnSync(
      process.execPath,
      [
        tsc, "src/index.ts", "--module", "esnext", "--moduleResolution", "node", "--esModuleInterop", "--target", "es2022", "--lib", "es2022",
        "--declaration", "--emitDeclarationOnly", "--outDir", out, "--resolveJsonModule", "--allowJs", "--checkJs", "--skipLibCheck",
        "--experimentalDecorators", "--pretty", "false",
      ],
      { cwd: root, encoding: "utf8", maxBuffer: 16 << 20 },
    );
    const errors = r.stdout.split("\n").filter((l) => /error TS\d+/.test(l));
    assert.deepEqual(errors, [], `tslab would fail the notebooks' import cell with:\n${r.stdout.slice(0, 4000)}`);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

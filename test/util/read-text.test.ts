/** util/read-text: the one-line errors every JSON and text input reader shares. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readJsonFile, readTextFile } from "../../src/util/read-text";

test("readJsonFile: the value, or one line naming the file and the problem", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "read-text-"));
  const good = path.join(dir, "good.json");
  fs.writeFileSync(good, '{"a": [1, 2.5]}');
  assert.deepEqual(readJsonFile(good), { a: [1, 2.5] });
  const bad = path.join(dir, "bad.json");
  fs.writeFileSync(bad, '{"a": \n');
  assert.throws(() => readJsonFile(bad), (e: Error) => e.message.startsWith(`${bad}: not valid JSON: `) && !e.message.includes("\n"));
  const missing = path.join(dir, "missing.json");
  assert.throws(() => readJsonFile(missing), (e: Error) => e.message === `${missing}: cannot read: ENOENT`);
  assert.throws(() => readTextFile(dir), (e: Error) => e.message === `${dir}: cannot read: EISDIR`);
});

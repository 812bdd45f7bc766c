import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { cliReferenceMarkdown } from "../../src/cli/docs";
import { COMMANDS } from "../../src/cli/main";

test("docs/cli.md matches the commands' specs (regenerate with: npx tsx scripts/cli-docs.ts)", () => {
  const expected = cliReferenceMarkdown();
  for (const name of Object.keys(COMMANDS)) assert.match(expected, new RegExp(`## massive ${name}\\n`));
  assert.equal(fs.readFileSync(path.resolve(__dirname, "../../docs/cli.md"), "utf8"), expected);
});

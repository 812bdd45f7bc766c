/**
 * The commands' shared option readers (src/cli/args.ts): integers in digits only within a range, fixed choices, and
 * their one-line usage errors (exit code 2 through defineCommand).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { choiceOption, defineCommand, integerOption, UsageError, type ParsedArgs } from "../../src/cli/args";

const given = (values: Record<string, string | undefined>): ParsedArgs => ({ values, positionals: [] });

test("integerOption: digits only, within [min, max]; absent gives undefined", () => {
  assert.equal(integerOption(given({ n: "0" }), "n"), 0);
  assert.equal(integerOption(given({ n: "4294967295" }), "n", { max: 0xffffffff }), 4294967295);
  assert.equal(integerOption(given({}), "n"), undefined);
  for (const bad of ["-1", "1e3", "1.5", "0x10", "", " 3", "three"]) {
    assert.throws(() => integerOption(given({ n: bad }), "n"), (e: Error) => e instanceof UsageError && e.message === `--n must be a non-negative integer, got '${bad}'`);
  }
  assert.throws(() => integerOption(given({ n: "0" }), "n", { min: 1 }), /--n must be a positive integer, got '0'/);
  assert.throws(() => integerOption(given({ n: "4" }), "n", { min: 5 }), /--n must be an integer >= 5, got '4'/);
  assert.throws(() => integerOption(given({ n: "4294967296" }), "n", { max: 0xffffffff }), /--n must be an integer in \[0, 4294967295\], got '4294967296'/);
});

test("choiceOption: one of the choices, else one line listing them", () => {
  assert.equal(choiceOption(given({ s: "top1" }), "s", ["ratio", "top1", "median"]), "top1");
  assert.equal(choiceOption(given({}), "s", ["ratio", "top1"]), undefined);
  assert.throws(() => choiceOption(given({ s: "Ratio" }), "s", ["ratio", "top1", "median"]), (e: Error) => e instanceof UsageError && e.message === "--s must be ratio, top1 or median, got 'Ratio'");
});

test("a usage error from an option reader exits 2 with one line 'massive <name>: ...'", async () => {
  const written: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string) => (written.push(chunk), true)) as typeof process.stderr.write;
  try {
    const cmd = defineCommand({ name: "demo", summary: "demo", options: { seed: { type: "string", default: "0", description: "seed" } } }, async (args) => {
      integerOption(args, "seed");
      return 0;
    });
    assert.equal(await cmd.run(["--seed", "1e3"]), 2);
    assert.equal(await cmd.run([]), 0);
  } finally {
    process.stderr.write = write;
  }
  assert.deepEqual(written, ["massive demo: --seed must be a non-negative integer, got '1e3'\n"]);
});

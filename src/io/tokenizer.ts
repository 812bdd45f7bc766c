/**
 * Tokenizers for the models this project runs: Pythia's BPE from a Hugging Face `tokenizer.json`
 * (data/pythia/20B_tokenizer.json, through the pure-JS @huggingface/tokenizers) and mini-pythia's byte tokenizer
 * (token id = UTF-8 byte). Neither adds special tokens (Pythia's post-processor adds none either), so ids are what
 * the models were trained on.
 */
import * as fs from "node:fs";
import { describeValue, printable } from "../util/one-line";

export interface Tokenizer {
  encode(text: string): number[];
  decode(ids: number[]): string;
  /** One more than the largest token id. */
  vocabSize: number;
}

interface HfTokenizerLike {
  encode(text: string, options?: { add_special_tokens?: boolean }): { ids: number[] };
  decode(ids: number[], options?: { skip_special_tokens?: boolean; clean_up_tokenization_spaces?: boolean }): string;
}

/**
 * Loads a Hugging Face `tokenizer.json`; `encode("Hello, I am")` gives [12092, 13, 309, 717] with Pythia's.
 * One-line errors name the file.
 */
export async function loadTokenizer(file: string): Promise<Tokenizer> {
  let json: { model?: { vocab?: Record<string, number>; merges?: unknown }; added_tokens?: { id: number }[] };
  try {
    json = JSON.parse(await fs.promises.readFile(file, "utf8")) as typeof json;
  } catch (err) {
    throw new Error(`${file}: cannot read tokenizer: ${(err as NodeJS.ErrnoException).code ?? printable((err as Error).message)}`);
  }
  checkTokenizerJson(json, file);
  // The package ships CommonJS and ESM builds; require picks the CommonJS one (no top-level await needed).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Tokenizer: HfTokenizer } = require("@huggingface/tokenizers") as { Tokenizer: new (json: object, config: object) => HfTokenizerLike };
  let maxId = -1;
  for (const id of Object.values(json.model!.vocab!)) maxId = Math.max(maxId, id);
  for (const t of json.added_tokens ?? []) maxId = Math.max(maxId, t.id);
  const vocabSize = maxId + 1;
  let tok: HfTokenizerLike;
  try {
    tok = new HfTokenizer(json, {});
    // A file the library accepts can still fail on first use: try it now, so a broken file fails here, by name.
    const ids = tok.encode(TOKENIZER_PROBE, { add_special_tokens: false }).ids;
    if (!Array.isArray(ids) || !ids.every((i) => Number.isInteger(i) && i >= 0 && i < vocabSize)) {
      throw new Error(`${file}: the tokenizer produces ids outside [0, ${vocabSize}) (a token id or merge is invalid)`);
    }
    tok.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  } catch (err) {
    const msg = (err as Error).message ?? String(err);
    if (msg.startsWith(`${file}: `)) throw err;
    throw new Error(`${file}: cannot build the tokenizer: the tokenizers library rejected it (${printable(msg)})`);
  }
  return {
    vocabSize,
    encode: (text) => tok.encode(text, { add_special_tokens: false }).ids,
    decode: (ids) => tok.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false }),
  };
}

/** Text run through a freshly loaded tokenizer (letters, punctuation, digits, non-ASCII, spaces, a newline). */
const TOKENIZER_PROBE = "Hello, I am a massive activation.\n  caf\u00e9 \u4e2d\u6587 12345 !?";

/** Checks the parts of a tokenizer.json that this module and the library rely on, with one-line errors. */
function checkTokenizerJson(json: unknown, file: string): void {
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new Error(`${file}: not a tokenizer.json (not a JSON object)`);
  const j = json as { model?: unknown; added_tokens?: unknown };
  const model = j.model as { vocab?: unknown; merges?: unknown } | undefined;
  if (typeof model !== "object" || model === null || typeof model.vocab !== "object" || model.vocab === null) throw new Error(`${file}: not a tokenizer.json (no model.vocab)`);
  const vocab = model.vocab;
  if (Array.isArray(vocab)) {
    // Unigram: [[piece, score], ...]
    if (!vocab.every((e) => Array.isArray(e) && typeof e[0] === "string" && typeof e[1] === "number")) throw new Error(`${file}: model.vocab must be a list of [piece, score] pairs`);
  } else {
    for (const [token, id] of Object.entries(vocab as Record<string, unknown>)) {
      if (typeof id !== "number" || !Number.isSafeInteger(id) || id < 0) throw new Error(`${file}: model.vocab['${printable(token, 40)}'] is ${describeValue(id)}, expected a token id >= 0`);
    }
  }
  if (model.merges !== undefined && !(Array.isArray(model.merges) && model.merges.every((m) => typeof m === "string" || (Array.isArray(m) && m.length === 2 && m.every((x) => typeof x === "string"))))) {
    throw new Error(`${file}: model.merges must be a list of "a b" strings or [a, b] pairs`);
  }
  if (j.added_tokens !== undefined && j.added_tokens !== null) {
    if (!Array.isArray(j.added_tokens)) throw new Error(`${file}: added_tokens must be a list`);
    j.added_tokens.forEach((t: unknown, i) => {
      const tt = t as { id?: unknown; content?: unknown } | null;
      if (typeof tt !== "object" || tt === null || typeof tt.id !== "number" || !Number.isSafeInteger(tt.id) || tt.id < 0 || typeof tt.content !== "string") {
        throw new Error(`${file}: added_tokens[${i}] must be an object with an integer id >= 0 and a string content`);
      }
    });
  }
  for (const key of ["normalizer", "pre_tokenizer", "post_processor", "decoder"]) {
    const v = (json as Record<string, unknown>)[key];
    if (v !== undefined && v !== null && (typeof v !== "object" || Array.isArray(v) || typeof (v as { type?: unknown }).type !== "string")) {
      throw new Error(`${file}: '${key}' must be null or an object with a string "type"`);
    }
  }
}

/** mini-pythia's tokenizer: token id = UTF-8 byte value (vocab 256). Decoding replaces invalid UTF-8 with U+FFFD. */
export class ByteTokenizer implements Tokenizer {
  readonly vocabSize = 256;

  encode(text: string): number[] {
    return Array.from(Buffer.from(text, "utf8"));
  }

  decode(ids: number[]): string {
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id > 255) throw new Error(`ByteTokenizer.decode: id ${id} is not a byte (0..255)`);
    }
    return Buffer.from(ids).toString("utf8");
  }
}

/**
 * Tokenizers for the models this project runs: Pythia's BPE from a Hugging Face `tokenizer.json`
 * (data/pythia/20B_tokenizer.json, through the pure-JS @huggingface/tokenizers) and mini-pythia's byte tokenizer
 * (token id = UTF-8 byte). Neither adds special tokens (Pythia's post-processor adds none either), so ids are what
 * the models were trained on.
 */
import * as fs from "node:fs";

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
  let json: { model?: { vocab?: Record<string, number> }; added_tokens?: { id: number }[] };
  try {
    json = JSON.parse(await fs.promises.readFile(file, "utf8")) as typeof json;
  } catch (err) {
    throw new Error(`${file}: cannot read tokenizer: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message.split("\n")[0]}`);
  }
  if (!json.model || typeof json.model.vocab !== "object") throw new Error(`${file}: not a tokenizer.json (no model.vocab)`);
  // The package ships CommonJS and ESM builds; require picks the CommonJS one (no top-level await needed).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Tokenizer: HfTokenizer } = require("@huggingface/tokenizers") as { Tokenizer: new (json: object, config: object) => HfTokenizerLike };
  let tok: HfTokenizerLike;
  try {
    tok = new HfTokenizer(json, {});
  } catch (err) {
    throw new Error(`${file}: cannot build the tokenizer: ${(err as Error).message.split("\n")[0]}`);
  }
  let maxId = -1;
  for (const id of Object.values(json.model.vocab!)) maxId = Math.max(maxId, id);
  for (const t of json.added_tokens ?? []) maxId = Math.max(maxId, t.id);
  return {
    vocabSize: maxId + 1,
    encode: (text) => tok.encode(text, { add_special_tokens: false }).ids,
    decode: (ids) => tok.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false }),
  };
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

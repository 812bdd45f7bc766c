/**
 * The evaluation sample of the paper's upstream code (`locuslab/massive-activations`, `lib/load_data.py`, `--exp2`):
 * `np.random.seed(1)`; `np.random.choice(len(dataset), 500, replace=False)` over the rows of
 * `togethercomputer/RedPajama-Data-1T-Sample` in the order its loading script yields them (its jsonl files in the
 * listed order, lines in file order); the 500 texts, in draw order, joined with "\n\n"; tokenised without special
 * tokens; 10 consecutive chunks of 2048 tokens from the start.
 *
 * The jsonl files come from a local folder or from the hub's dataset repo (through the hub client and its cache).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { HubClient } from "../io/hub/client";
import { encodePrefix, chunkTokens, type EvalSet, type TextTokenizer } from "./eval-sequences";
import { LegacyRandomState } from "./numpy-random";
import { printable } from "../util/one-line";
import { cannotReadError } from "../util/read-text";

export const REDPAJAMA_SAMPLE_REPO = "togethercomputer/RedPajama-Data-1T-Sample";

/** The sample's files in the order of its loading script (`RedPajama-Data-1T-Sample.py`, `_URLS`). */
export const REDPAJAMA_SAMPLE_FILES = [
  "arxiv_sample.jsonl",
  "book_sample.jsonl",
  "c4_sample.jsonl",
  "cc_2019-30_sample.jsonl",
  "cc_2020-05_sample.jsonl",
  "cc_2021-04_sample.jsonl",
  "cc_2022-05_sample.jsonl",
  "cc_2023-06_sample.jsonl",
  "github_sample.jsonl",
  "stackexchange_sample.jsonl",
  "wikipedia_sample.jsonl",
] as const;

export interface RedPajamaOptions {
  /** numpy seed (upstream `--seed`, default 1). */
  seed?: number;
  /** Documents drawn (upstream 500). */
  documents?: number;
  /** Sequences (upstream 10). */
  chunks?: number;
  /** Tokens per sequence (upstream: 2048 for Pythia). */
  seqLen?: number;
}

/** Byte offsets of every row (line) of a jsonl file, as Python's `for row in f` yields them. */
export function jsonlRowOffsets(file: string): { starts: number[]; size: number } {
  const fd = fs.openSync(file, "r");
  try {
    const size = fs.fstatSync(fd).size;
    const starts: number[] = [];
    const buf = Buffer.allocUnsafe(1 << 24);
    let pos = 0;
    let lineStart = 0;
    while (pos < size) {
      const n = fs.readSync(fd, buf, 0, buf.length, pos);
      if (n <= 0) break;
      let i = buf.indexOf(10, 0);
      while (i !== -1 && i < n) {
        starts.push(lineStart);
        lineStart = pos + i + 1;
        i = buf.indexOf(10, i + 1);
      }
      pos += n;
    }
    if (lineStart < size) starts.push(lineStart);
    return { starts, size };
  } finally {
    fs.closeSync(fd);
  }
}

function readRowText(fd: number, file: string, start: number, end: number, row: number): string {
  const buf = Buffer.allocUnsafe(end - start);
  fs.readSync(fd, buf, 0, buf.length, start);
  const line = buf.toString("utf8").replace(/\r?\n$/, "");
  let data: { text?: unknown };
  try {
    data = JSON.parse(line) as { text?: unknown };
  } catch (err) {
    throw new Error(`${file}: line ${row + 1} is not JSON: ${printable((err as Error).message)}`);
  }
  if (typeof data.text !== "string") throw new Error(`${file}: line ${row + 1} has no "text" string`);
  return data.text;
}

/**
 * The upstream draw from local jsonl files (`files` in the loading script's order): the texts of the drawn rows,
 * in draw order, and the total row count.
 */
export function drawRedPajamaDocuments(files: string[], options: { seed?: number; documents?: number } = {}): { texts: string[]; rows: number[]; totalRows: number } {
  const perFile = files.map((f) => {
    try {
      return jsonlRowOffsets(f);
    } catch (err) {
      throw cannotReadError(f, err);
    }
  });
  const totalRows = perFile.reduce((a, p) => a + p.starts.length, 0);
  const rows = new LegacyRandomState(options.seed ?? 1).choiceWithoutReplacement(totalRows, options.documents ?? 500);
  const fds = files.map((f) => fs.openSync(f, "r"));
  try {
    const texts = rows.map((row) => {
      let r = row;
      let k = 0;
      while (r >= perFile[k]!.starts.length) r -= perFile[k++]!.starts.length;
      const { starts, size } = perFile[k]!;
      return readRowText(fds[k]!, files[k]!, starts[r]!, r + 1 < starts.length ? starts[r + 1]! : size, r);
    });
    return { texts, rows, totalRows };
  } finally {
    for (const fd of fds) fs.closeSync(fd);
  }
}

/**
 * The RedPajama evaluation set as upstream draws it, from a local folder holding the sample's jsonl files or from
 * the hub (`{ hub: client }`, cached). The tokenizer must add no special tokens.
 */
export async function redPajamaEvalSet(source: { dir: string } | { hub: HubClient; revision?: string }, tokenizer: TextTokenizer, options: RedPajamaOptions = {}): Promise<EvalSet> {
  const seed = options.seed ?? 1;
  const documents = options.documents ?? 500;
  const chunks = options.chunks ?? 10;
  const seqLen = options.seqLen ?? 2048;
  let files: string[];
  let where: string;
  if ("dir" in source) {
    files = REDPAJAMA_SAMPLE_FILES.map((f) => path.join(source.dir, f));
    const missing = files.filter((f) => !fs.existsSync(f));
    if (missing.length) throw new Error(`${source.dir}: missing RedPajama sample files ${missing.map((f) => path.basename(f)).join(", ")}`);
    where = source.dir;
  } else {
    const repo = { id: REDPAJAMA_SAMPLE_REPO, type: "dataset" as const };
    const snapshot = await source.hub.downloadFiles(repo, source.revision ?? "main", (f) => (REDPAJAMA_SAMPLE_FILES as readonly string[]).includes(f));
    files = REDPAJAMA_SAMPLE_FILES.map((f) => path.join(snapshot.dir, f));
    where = `hf://datasets/${REDPAJAMA_SAMPLE_REPO}@${snapshot.commit}`;
  }
  const draw = drawRedPajamaDocuments(files, { seed, documents });
  const ids = encodePrefix(draw.texts.join("\n\n"), tokenizer, chunks * seqLen);
  return {
    sequences: chunkTokens(ids, chunks, seqLen, `RedPajama draw from ${where}`),
    source: `redpajama:${where}`,
    details: { seed, documents, chunks, seq_len: seqLen, total_rows: draw.totalRows, first_rows: draw.rows.slice(0, 8) },
  };
}

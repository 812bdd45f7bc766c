/**
 * Reading an input file for a parser, with the project's one-line error: "<file>: cannot read: ENOENT" (the errno
 * code when there is one, else the error's message). One home for what every reader of text inputs did by hand.
 */
import * as fs from "node:fs";
import { printable } from "./one-line";

/** The one-line error for a file that could not be read. */
export function cannotReadError(file: string, err: unknown): Error {
  return new Error(`${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
}

/** `text` parsed as JSON; throws one line "<file>: not valid JSON: <the parser's message>" otherwise. */
export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`${file}: not valid JSON: ${printable((err as Error).message)}`);
  }
}

/** The UTF-8 text of `file`; throws {@link cannotReadError} when it cannot be read. */
export function readTextFile(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    throw cannotReadError(file, err);
  }
}

/** The JSON in `file`: {@link readTextFile} then {@link parseJsonText}, with their one-line errors. */
export function readJsonFile(file: string): unknown {
  return parseJsonText(readTextFile(file), file);
}

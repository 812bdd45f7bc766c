/**
 * The parsers under test, as the child process calls them. Each names the module it needs (repo-relative,
 * without extension) so that a parser that cannot be loaded is reported by name ("unavailable", which fails the
 * run and the test) rather than as a crash of every case.
 * `call` gets the case file's path and must return (or resolve) on success and throw on bad input.
 */
import * as fs from "node:fs";

export interface Target {
  name: string;
  module: string;
  /** The exported function the call needs (checked before the first case). */
  fn: string;
  call(mod: Record<string, unknown>, file: string): unknown;
}

type Fn = (...args: unknown[]) => unknown;
const f = (mod: Record<string, unknown>, name: string): Fn => mod[name] as Fn;

export const TARGETS: Record<string, Target> = {
  safetensors: { name: "safetensors", module: "src/io/safetensors", fn: "readSafetensors", call: (m, file) => f(m, "readSafetensors")(file) },
  "torch-zip": { name: "torch-zip", module: "src/io/torch-zip", fn: "readTorchCheckpoint", call: (m, file) => f(m, "readTorchCheckpoint")(file) },
  pickle: {
    name: "pickle", module: "src/io/torch-zip", fn: "parseStateDictPickle",
    call: (m, file) => f(m, "parseStateDictPickle")(fs.readFileSync(file), file),
  },
  config: { name: "config", module: "src/io/config", fn: "readNeoXConfig", call: (m, file) => f(m, "readNeoXConfig")(file) },
  exp2: { name: "exp2", module: "src/io/exp2-stats", fn: "readExp2Stats", call: (m, file) => f(m, "readExp2Stats")(file) },
  "fit-params": { name: "fit-params", module: "src/io/fit-params", fn: "readFitParams", call: (m, file) => f(m, "readFitParams")(file) },
  "eval-sequences": { name: "eval-sequences", module: "src/record/eval-sequences", fn: "readEvalSequences", call: (m, file) => f(m, "readEvalSequences")(file) },
  "fit-params-plots": { name: "fit-params-plots", module: "src/plots/results", fn: "readLayerFitParams", call: (m, file) => f(m, "readLayerFitParams")(file) },
  /** A tokenizer that loads must also encode and decode: a broken one must fail at load time, with the file's name. */
  tokenizer: {
    name: "tokenizer", module: "src/io/tokenizer", fn: "loadTokenizer",
    call: async (m, file) => {
      const tok = (await f(m, "loadTokenizer")(file)) as { encode(t: string): number[]; decode(ids: number[]): string; vocabSize: number };
      const ids = tok.encode("Hello, I am a massive activation. \u00e9\u4e2d 123");
      if (!Array.isArray(ids) || !ids.every((i) => Number.isInteger(i) && i >= 0 && i < tok.vocabSize)) {
        throw new TypeError(`loaded tokenizer produced ids ${JSON.stringify(ids).slice(0, 80)} outside [0, ${tok.vocabSize})`);
      }
      tok.decode(ids);
    },
  },
};

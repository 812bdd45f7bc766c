/**
 * Case generators, one per parser: a fast-check arbitrary of JSON-serialisable case descriptions (mutations of
 * real seed files, or inputs generated from scratch) and a deterministic `build` that turns one into bytes.
 * Seeds are the project's own embedded data (see docs/reliability.md).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import {
  applyByteMuts, applyJsonMuts, applyTextMuts, byteMutArb, jsonMutArb, jsonValueArb, offsetArb, textMutArb,
  INTERESTING_INTS, NASTY_STRINGS, type ByteMut, type JsonLike, type JsonMut, type TextMut,
} from "./mutate";
import { readStoreZip, torchZip, writeStoreZip, type ZipEntry, type ZipField, type ZipTamper } from "../../test/helpers/store-zip";
import { P, pickle, stateDictPickle } from "../../test/helpers/pickle-writer";

export const ROOT = path.resolve(__dirname, "..", "..");
const rel = (p: string): string => path.join(ROOT, p);

/** What one case writes: the parsed file plus, for some parsers, files beside it. */
export interface BuiltCase {
  bytes: Buffer;
  aux?: Record<string, Buffer>;
}

export interface Generator {
  name: string;
  /** The case file's name inside its case folder. */
  fileName: string;
  /** Short description of where seeds come from. */
  seeds: string;
  arbitrary(): fc.Arbitrary<unknown>;
  build(desc: unknown): BuiltCase;
}

let light = false;
/**
 * Light mode (the test suite's 500-case runs): torch zip and pickle cases use only the small parity-fixture
 * checkpoint, deep pickles stop at 100,000 levels and tokenizer cases use only the 400-token cut.
 */
export function setLightMode(on: boolean): void {
  light = on;
}

function memo<T>(f: () => T): () => T {
  let v: T | undefined;
  let done = false;
  return () => { if (!done) { v = f(); done = true; } return v as T; };
}

function listFiles(dir: string, re: RegExp): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (re.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

interface Seed { file: string; bytes: Buffer }
const loadSeeds = (files: string[]): Seed[] => files.map((file) => ({ file: path.relative(ROOT, file), bytes: fs.readFileSync(file) }));
const pickSeed = <T>(seeds: T[], i: number): T => seeds[i % seeds.length]!;

const mutsArb = <T>(arb: fc.Arbitrary<T>, max = 4): fc.Arbitrary<T[]> => fc.array(arb, { minLength: 1, maxLength: max });

// ---------------------------------------------------------------------------------------------- exp2 stats
const exp2Seeds = memo(() => loadSeeds([
  ...listFiles(rel("data/mini-pythia"), /^exp2_/).filter((f) => /\/(stats|reference_stats)\//.test(f)),
]));

const pyNumber = fc.oneof(
  { weight: 6, arbitrary: fc.double({ noNaN: false }).map((v) => (Number.isNaN(v) ? "nan" : !Number.isFinite(v) ? (v > 0 ? "inf" : "-inf") : String(v))) },
  { weight: 2, arbitrary: fc.constantFrom("nan", "-nan", "inf", "-inf", "1e999", "-0.0", "0", "1.", ".5", "1e-400", "1_000", "0x1f", "True", "None", "'a'", "1e", "--1") },
  { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
);
type PyTree = string | PyTree[];
const pyTree: fc.Arbitrary<PyTree> = fc.letrec<{ tree: PyTree }>((tie) => ({
  tree: fc.oneof({ depthSize: "small", withCrossShrink: true }, pyNumber, fc.array(tie("tree"), { maxLength: 6 })),
})).tree;
const formatPy = (t: PyTree, tuple: boolean): string => (typeof t === "string" ? t : (tuple ? `(${t.map((x) => formatPy(x, tuple)).join(", ")})` : `[${t.map((x) => formatPy(x, tuple)).join(", ")}]`));
/** A [S][4][L] structure of generated numbers: well-shaped, so validation (not only syntax) is exercised. */
const exp2Shaped = fc.integer({ min: 1, max: 4 }).chain((L) => fc.array(fc.array(fc.array(pyNumber, { minLength: L, maxLength: L }), { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 3 }));

export const exp2: Generator = {
  name: "exp2",
  fileName: "exp2_fuzz_step7",
  seeds: "data/mini-pythia/*/stats/exp2_* and checkpoints/*/reference_stats/exp2_* (text mutations)",
  arbitrary: () => fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant("mut" as const), seed: fc.nat(), muts: mutsArb(textMutArb) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("tree" as const), tree: pyTree, tuple: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("shaped" as const), tree: exp2Shaped as fc.Arbitrary<PyTree> }) },
  ),
  build(d) {
    const desc = d as { kind: "mut"; seed: number; muts: TextMut[] } | { kind: "tree" | "shaped"; tree: PyTree; tuple?: boolean };
    if (desc.kind === "mut") return { bytes: applyTextMuts(pickSeed(exp2Seeds(), desc.seed).bytes, desc.muts) };
    return { bytes: Buffer.from(formatPy(desc.tree, desc.tuple ?? false)) };
  },
};

// ---------------------------------------------------------------------------------------------- JSON targets
interface JsonSeed { file: string; bytes: Buffer; doc: unknown; indent?: number }
const loadJsonSeeds = (files: string[]): JsonSeed[] => loadSeeds(files).map((s) => {
  const text = s.bytes.toString("utf8");
  return { ...s, doc: JSON.parse(text) as unknown, indent: /^[[{]\n( +)/.exec(text)?.[1]?.length };
});

type JsonCase =
  | { kind: "json"; seed: number; muts: JsonMut[] }
  | { kind: "text"; seed: number; muts: TextMut[] }
  | { kind: "gen"; value: JsonLike };

function jsonGenerator(name: string, fileName: string, seedsDesc: string, seeds: () => JsonSeed[], gen: fc.Arbitrary<JsonLike>, weights = { json: 5, text: 3, gen: 2 }): Generator {
  return {
    name,
    fileName,
    seeds: seedsDesc,
    arbitrary: () => fc.oneof(
      { weight: weights.json, arbitrary: fc.record({ kind: fc.constant("json" as const), seed: fc.nat(), muts: mutsArb(jsonMutArb, 3) }) },
      { weight: weights.text, arbitrary: fc.record({ kind: fc.constant("text" as const), seed: fc.nat(), muts: mutsArb(textMutArb, 3) }) },
      { weight: weights.gen, arbitrary: fc.record({ kind: fc.constant("gen" as const), value: gen }) },
    ),
    build(d) {
      const desc = d as JsonCase;
      if (desc.kind === "gen") return { bytes: Buffer.from(JSON.stringify(desc.value)) };
      const seed = pickSeed(seeds(), desc.seed);
      return { bytes: desc.kind === "json" ? applyJsonMuts(seed.doc, desc.muts, seed.indent) : applyTextMuts(seed.bytes, desc.muts) };
    },
  };
}

const configSeeds = memo(() => loadJsonSeeds([
  rel("test/fixtures/gpt-neox/tiny-neox-a/config.json"),
  ...listFiles(rel("data/mini-pythia"), /^config\.json$/),
]));
const configKeys = ["hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size", "vocab_size", "rotary_pct",
  "rotary_emb_base", "max_position_embeddings", "layer_norm_eps", "use_parallel_residual", "hidden_act", "tie_word_embeddings",
  "rope_parameters", "partial_rotary_factor", "rope_theta", "model_type", "torch_dtype", "attention_bias"];
const configGen: fc.Arbitrary<JsonLike> = fc.dictionary(fc.oneof(fc.constantFrom(...configKeys), fc.string({ maxLength: 5 })), jsonValueArb, { maxKeys: 12 }) as fc.Arbitrary<JsonLike>;
export const config = jsonGenerator("config", "config.json",
  "test/fixtures/gpt-neox/tiny-neox-a/config.json, data/mini-pythia/**/config.json (JSON and text mutations)", configSeeds, configGen);

const evalSeeds = memo(() => loadJsonSeeds([rel("data/mini-pythia/eval_sequences.json")]));
const evalGen: fc.Arbitrary<JsonLike> = fc.record({
  encoding: fc.oneof(fc.constant("utf-8 bytes (token id = byte value)"), fc.string({ maxLength: 4 })),
  seq_len: fc.oneof(fc.constantFrom(256, 0, -1, 1e12, 2.5), fc.nat(300)),
  sequences: fc.oneof(
    fc.array(fc.array(fc.oneof(fc.nat(255), fc.constantFrom(-1, 256, 1e12, 0.5, 2 ** 53)), { maxLength: 300 }), { maxLength: 4 }),
    jsonValueArb,
  ),
}, { requiredKeys: [] }) as fc.Arbitrary<JsonLike>;
export const evalSequences = jsonGenerator("eval-sequences", "eval_sequences.json",
  "data/mini-pythia/eval_sequences.json (JSON and text mutations)", evalSeeds, evalGen);

/** Seeds for `layer_fit_params_<series>.json`: the fit stage's output when present, else bench/fuzz/seeds. */
const fitSeeds = memo(() => loadJsonSeeds([
  ...listFiles(rel("bench/fuzz/seeds"), /^layer_fit_params_.*\.json$/),
  ...(fs.existsSync(rel("data/mini-pythia")) ? listFiles(rel("data/mini-pythia"), /^layer_fit_params_.*\.json$/) : []),
]));
const fitEntryGen: fc.Arbitrary<JsonLike> = fc.record({
  original: fc.record({
    param_names: fc.oneof(fc.constant(["A", "lambda", "gamma", "t0", "K"]), fc.array(fc.string({ maxLength: 3 }), { maxLength: 6 })),
    popt: fc.array(fc.oneof(fc.double(), fc.constantFrom(1e308, -1e308, 0)), { maxLength: 6 }),
    pcov: fc.array(fc.array(fc.double(), { maxLength: 6 }), { maxLength: 6 }),
    r2: fc.oneof(fc.double(), fc.constant(null)),
    aic: fc.oneof(fc.double(), fc.constant(null)),
    residuals: fc.array(fc.double(), { maxLength: 8 }),
  }, { requiredKeys: [] }),
}, { requiredKeys: [] }) as fc.Arbitrary<JsonLike>;
export const fitParams = jsonGenerator("fit-params", "layer_fit_params_ratio.json",
  "bench/fuzz/seeds/layer_fit_params_*.json written by `massive fit` on data/mini-pythia (JSON and text mutations)",
  fitSeeds, fc.array(fitEntryGen, { maxLength: 4 }) as fc.Arbitrary<JsonLike>);

/**
 * The tokenizer seed is 2.5 MB: JSON mutations are applied in place and undone (no copy), text mutations reuse a
 * cached token table, and a third of the cases use a small tokenizer cut from the seed (first 400 vocabulary
 * entries and the merges among them) so that a run stays fast.
 */
const tokenizerSeedsMemo = memo(() => {
  const [full] = loadJsonSeeds([rel("data/pythia/20B_tokenizer.json")]);
  const doc = full!.doc as { model: { vocab: Record<string, number>; merges: (string | string[])[] }; added_tokens?: unknown[] };
  const vocab = Object.fromEntries(Object.entries(doc.model.vocab).filter(([, id]) => id < 400));
  const merges = doc.model.merges.filter((m) => {
    const [a, b] = typeof m === "string" ? m.split(" ") : m;
    return a! + b! in vocab && a! in vocab && b! in vocab;
  });
  const small = { ...doc, added_tokens: (doc.added_tokens ?? []).slice(0, 2), model: { ...doc.model, vocab, merges } };
  const smallText = Buffer.from(JSON.stringify(small, null, 2));
  return { full: full!, cut: { file: "20B_tokenizer.json (first 400 tokens)", bytes: smallText, doc: small, indent: 2 } as JsonSeed };
});
/** One case in 16 mutates the full 2.5 MB file (about 1 s to load); the others the 400-token cut. */
const tokenizerSeeds = (): JsonSeed[] => {
  const { full, cut } = tokenizerSeedsMemo();
  return light ? [cut] : [full, ...Array.from({ length: 15 }, () => cut)];
};
const tokenizerInner = jsonGenerator("tokenizer", "tokenizer.json", "", tokenizerSeeds, jsonValueArb, { json: 5, text: 4, gen: 1 });
export const tokenizer: Generator = {
  ...tokenizerInner,
  seeds: "data/pythia/20B_tokenizer.json (1 case in 16) and a 400-token cut of it (JSON mutations in place, text and byte mutations); a loaded tokenizer must encode and decode",
  arbitrary: () => tokenizerInner.arbitrary().map((d) => d, (d) => d),
};

// ---------------------------------------------------------------------------------------------- safetensors
interface StSeed { file: string; bytes: Buffer; header: Record<string, unknown>; data: Buffer }
const stSeeds = memo((): StSeed[] => loadSeeds([
  rel("test/fixtures/gpt-neox/tiny-neox-a/model.safetensors"),
  rel("test/fixtures/gpt-neox/tiny-neox-a/expected.safetensors"),
]).map((s) => {
  const n = Number(s.bytes.readBigUInt64LE(0));
  return { ...s, header: JSON.parse(s.bytes.toString("utf8", 8, 8 + n)) as Record<string, unknown>, data: s.bytes.subarray(8 + n) };
}));
const DTYPES = ["F32", "F16", "BF16", "F64", "I64", "I32", "I16", "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2", "U64", "X", ""];
const hugeDim = fc.oneof(
  { weight: 4, arbitrary: fc.nat(16) },
  { weight: 2, arbitrary: fc.constantFrom(1e6, 1e12, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, -1, 0.5, 1e308) },
);
const stEntryGen = fc.record({
  dtype: fc.constantFrom(...DTYPES),
  shape: fc.array(hugeDim, { maxLength: 5 }),
  data_offsets: fc.tuple(fc.oneof(fc.nat(4096), fc.constantFrom(-1, 2 ** 53, 1e12)), fc.oneof(fc.nat(4096), fc.constantFrom(-1, 2 ** 53, 1e12))),
}, { requiredKeys: [] });
const hdrLenArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ mode: "true" as const }) },
  { weight: 2, arbitrary: fc.record({ mode: fc.constant("delta" as const), delta: fc.integer({ min: -64, max: 64 }) }) },
  { weight: 2, arbitrary: fc.record({ mode: fc.constant("value" as const), value: fc.constantFrom(...INTERESTING_INTS) }) },
);
type HdrLen = { mode: "true" } | { mode: "delta"; delta: number } | { mode: "value"; value: string };
function safetensorsBytes(headerJson: Buffer, data: Buffer, len: HdrLen): Buffer {
  const b = Buffer.alloc(8);
  const v = len.mode === "true" ? BigInt(headerJson.length) : len.mode === "delta" ? BigInt(Math.max(0, headerJson.length + len.delta)) : BigInt(len.value);
  b.writeBigUInt64LE(v & 0xffffffffffffffffn);
  return Buffer.concat([b, headerJson, data]);
}
type StCase =
  | { kind: "bytes"; seed: number; muts: ByteMut[] }
  | { kind: "header"; seed: number; muts: JsonMut[]; len: HdrLen; cut: number }
  | { kind: "gen"; entries: Record<string, unknown>; meta: JsonLike | undefined; len: HdrLen; dataLen: number };
export const safetensors: Generator = {
  name: "safetensors",
  fileName: "model.safetensors",
  seeds: "test/fixtures/gpt-neox/tiny-neox-a/{model,expected}.safetensors (byte mutations, header JSON mutations, header-length tampering, generated headers with huge shapes)",
  arbitrary: () => fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant("bytes" as const), seed: fc.nat(), muts: mutsArb(byteMutArb) }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant("header" as const), seed: fc.nat(), muts: mutsArb(jsonMutArb, 3), len: hdrLenArb, cut: fc.oneof(fc.constant(0), offsetArb) }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant("gen" as const),
        entries: fc.dictionary(fc.oneof(fc.constantFrom("w", "__metadata__", ...NASTY_STRINGS), fc.string({ maxLength: 4 })), fc.oneof(stEntryGen, jsonValueArb), { maxKeys: 4 }),
        meta: fc.option(fc.oneof(fc.dictionary(fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 })), jsonValueArb), { nil: undefined }),
        len: hdrLenArb, dataLen: fc.nat(4096),
      }),
    },
  ),
  build(d) {
    const desc = d as StCase;
    if (desc.kind === "bytes") return { bytes: applyByteMuts(pickSeed(stSeeds(), desc.seed).bytes, desc.muts) };
    if (desc.kind === "header") {
      const s = pickSeed(stSeeds(), desc.seed);
      const data = desc.cut === 0 ? s.data : s.data.subarray(0, desc.cut % (s.data.length + 1));
      return { bytes: safetensorsBytes(applyJsonMuts(s.header, desc.muts), data, desc.len) };
    }
    const header: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(desc.entries)) Object.defineProperty(header, k, { value: v, enumerable: true, configurable: true, writable: true });
    if (desc.meta !== undefined) header.__metadata__ = desc.meta;
    return { bytes: safetensorsBytes(Buffer.from(JSON.stringify(header)), Buffer.alloc(desc.dataLen, 0x3c), desc.len) };
  },
};

// ---------------------------------------------------------------------------------------------- torch zip and pickle
interface TorchSeed { file: string; bytes: Buffer; entries: ZipEntry[]; pkl: Buffer; config: Buffer }
/** Half the cases use the 436 KB parity fixture, half the 2.9 MB mini-pythia checkpoints (light mode: the fixture only). */
const torchSeeds = (): TorchSeed[] => {
  const all = torchSeedsMemo();
  return light ? all.slice(0, 1) : [all[0]!, all[0]!, all[0]!, ...all.slice(1)];
};
const torchSeedsMemo = memo((): TorchSeed[] => {
  const files = [
    rel("test/fixtures/gpt-neox/tiny-neox-a/pytorch_model.bin"),
    ...listFiles(rel("data/mini-pythia/checkpoints"), /^pytorch_model\.bin$/).filter((f) => /step(0|16|3000)\//.test(f)),
  ];
  return loadSeeds(files).map((s) => {
    const entries = readStoreZip(s.bytes);
    const pkl = Buffer.from(entries.find((e) => e.name.endsWith("/data.pkl"))!.data);
    return { ...s, entries, pkl, config: fs.readFileSync(path.join(ROOT, path.dirname(s.file), "config.json")) };
  });
});
const ZIP_FIELDS: ZipField[] = ["localMethod", "localCrc", "localCompSize", "localSize", "localNameLen", "localExtraLen", "method", "crc",
  "compSize", "size", "nameLen", "extraLen", "localHeaderOffset", "eocdEntries", "eocdTotalEntries", "eocdCdSize", "eocdCdOffset", "eocdCommentLen"];
const zipTamperArb: fc.Arbitrary<ZipTamper> = fc.record({
  entry: fc.nat(),
  field: fc.constantFrom(...ZIP_FIELDS),
  value: fc.oneof(fc.constantFrom(0, 1, 8, 0xffff, 0x7fffffff, 0xffffffff, 0xfffffffe), fc.nat(0xffffffff)),
});
type EntryOp = { op: "drop" | "dup"; entry: number } | { op: "rename"; entry: number; name: string } | { op: "cut"; entry: number; at: number };
const entryOpArb: fc.Arbitrary<EntryOp> = fc.oneof(
  fc.record({ op: fc.constantFrom("drop" as const, "dup" as const), entry: fc.nat() }),
  fc.record({ op: fc.constant("rename" as const), entry: fc.nat(), name: fc.constantFrom("../../evil", "/abs/data.pkl", "a/data.pkl", "data.pkl", "x/data/0", "", "a\u0000b", "archive/data/../data.pkl") }),
  fc.record({ op: fc.constant("cut" as const), entry: fc.nat(), at: offsetArb }),
);
function applyEntryOps(entries: ZipEntry[], ops: EntryOp[]): ZipEntry[] {
  let out = entries.slice();
  for (const o of ops) {
    if (out.length === 0) break;
    const i = o.entry % out.length;
    if (o.op === "drop") out.splice(i, 1);
    else if (o.op === "dup") out.splice(i, 0, out[i]!);
    else if (o.op === "rename") out[i] = { name: o.name, data: out[i]!.data };
    else if (o.op === "cut") out[i] = { name: out[i]!.name, data: out[i]!.data.subarray(0, o.at % (out[i]!.data.length + 1)) };
  }
  return out;
}
const replacePkl = (entries: ZipEntry[], pkl: Uint8Array): ZipEntry[] => entries.map((e) => (e.name.endsWith("/data.pkl") ? { name: e.name, data: pkl } : e));

/** Pickle opcodes as data, so fast-check can generate and shrink opcode sequences. */
type PickleOp =
  | { op: "plain"; name: "MARK" | "STOP" | "POP" | "POP_MARK" | "DUP" | "NONE" | "NEWTRUE" | "NEWFALSE" | "STACK_GLOBAL" | "OBJ" | "NEWOBJ" | "NEWOBJ_EX" | "REDUCE" | "BUILD" | "BINPERSID" | "EMPTY_TUPLE" | "TUPLE" | "TUPLE1" | "TUPLE2" | "TUPLE3" | "EMPTY_LIST" | "APPEND" | "APPENDS" | "LIST" | "EMPTY_DICT" | "DICT" | "SETITEM" | "SETITEMS" | "EMPTY_SET" | "ADDITEMS" | "MEMOIZE" }
  | { op: "int"; name: "BININT" | "BININT1" | "BININT2" | "BINPUT" | "LONG_BINPUT" | "BINGET" | "LONG_BINGET" | "EXT1" | "PROTO"; value: number }
  | { op: "str"; name: "BINUNICODE" | "SHORT_BINUNICODE" | "BINSTRING" | "SHORT_BINSTRING" | "INT" | "PERSID"; value: string }
  | { op: "claim"; name: "BINUNICODE" | "BINBYTES" | "LONG4" | "BINBYTES8" | "BINUNICODE8" | "FRAME"; claimed: string; body: number }
  | { op: "global"; name: "GLOBAL" | "INST"; module: string; attr: string }
  | { op: "float"; value: number };
const PLAIN = ["MARK", "STOP", "POP", "POP_MARK", "DUP", "NONE", "NEWTRUE", "NEWFALSE", "STACK_GLOBAL", "OBJ", "NEWOBJ", "NEWOBJ_EX", "REDUCE", "BUILD",
  "BINPERSID", "EMPTY_TUPLE", "TUPLE", "TUPLE1", "TUPLE2", "TUPLE3", "EMPTY_LIST", "APPEND", "APPENDS", "LIST", "EMPTY_DICT", "DICT", "SETITEM",
  "SETITEMS", "EMPTY_SET", "ADDITEMS", "MEMOIZE"] as const;
const GLOBALS: [string, string][] = [["collections", "OrderedDict"], ["torch._utils", "_rebuild_tensor_v2"], ["torch._utils", "_rebuild_parameter"],
  ["torch", "HalfStorage"], ["torch", "FloatStorage"], ["torch", "BFloat16Storage"], ["os", "system"], ["posix", "system"], ["builtins", "eval"],
  ["builtins", "getattr"], ["__builtin__", "exec"], ["subprocess", "Popen"], ["torch", "load"], ["collections\r", "OrderedDict"], ["", ""], ["constructor", "constructor"], ["__proto__", "x"]];
const pickleOpArb: fc.Arbitrary<PickleOp> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant("plain" as const), name: fc.constantFrom(...PLAIN) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("int" as const),
      name: fc.constantFrom("BININT" as const, "BININT1" as const, "BININT2" as const, "BINPUT" as const, "LONG_BINPUT" as const, "BINGET" as const, "LONG_BINGET" as const, "EXT1" as const, "PROTO" as const),
      value: fc.oneof(fc.nat(8), fc.constantFrom(-1, 255, 65535, 0x7fffffff, 0xffffffff, 999999)),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("str" as const),
      name: fc.constantFrom("BINUNICODE" as const, "SHORT_BINUNICODE" as const, "BINSTRING" as const, "SHORT_BINSTRING" as const, "INT" as const, "PERSID" as const),
      value: fc.oneof(fc.constantFrom("storage", "cpu", "0", "os", "system", "__reduce__", "99999999999999999999", ...NASTY_STRINGS), fc.string({ maxLength: 6 })),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("claim" as const),
      name: fc.constantFrom("BINUNICODE" as const, "BINBYTES" as const, "LONG4" as const, "BINBYTES8" as const, "BINUNICODE8" as const, "FRAME" as const),
      claimed: fc.constantFrom(...INTERESTING_INTS), body: fc.nat(32),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("global" as const), name: fc.constantFrom("GLOBAL" as const, "INST" as const), module: fc.constant(""), attr: fc.constant("") }).chain((g) => fc.constantFrom(...GLOBALS).map(([module, attr]) => ({ ...g, module, attr }))) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("float" as const), value: fc.double() }) },
);
function pickleOpBytes(o: PickleOp): Buffer {
  switch (o.op) {
    case "plain": return P[o.name]();
    case "int": return P[o.name](o.value);
    case "str": return o.name === "INT" ? P.INT(o.value) : o.name === "PERSID" ? P.PERSID(o.value) : P[o.name](o.value);
    case "float": return P.BINFLOAT(o.value);
    case "global": return o.name === "GLOBAL" ? P.GLOBAL(o.module, o.attr) : P.INST(o.module, o.attr);
    case "claim": {
      const body = Buffer.alloc(o.body, 0x61);
      const c = BigInt(o.claimed);
      if (o.name === "FRAME") return P.FRAME(c);
      if (o.name === "BINBYTES8") return P.BINBYTES8(body, c);
      if (o.name === "BINUNICODE8") return P.BINUNICODE8(body.toString(), c);
      const c32 = Number(c & 0xffffffffn);
      return o.name === "BINUNICODE" ? P.BINUNICODE(body.toString(), c32) : o.name === "BINBYTES" ? P.BINBYTES(body, c32) : P.LONG4(body, c32);
    }
  }
}
type Deep = { style: "list" | "tuple" | "mark" | "dict" | "memo"; depth: number };
function deepPickle(d: Deep): Buffer {
  const n = d.depth;
  switch (d.style) {
    case "list": return pickle(P.PROTO(2), Buffer.alloc(n, 0x5d /* ] */), Buffer.alloc(n - 1, 0x61 /* a */), P.STOP());
    case "tuple": return pickle(P.PROTO(2), P.NONE(), Buffer.alloc(n, 0x85 /* TUPLE1 */), P.STOP());
    case "mark": return pickle(P.PROTO(2), Buffer.alloc(n, 0x28 /* ( */), P.STOP());
    case "dict": return pickle(P.PROTO(2), P.EMPTY_DICT(), ...Array.from({ length: Math.min(n, 20000) }, () => pickle(P.BININT1(1), P.EMPTY_DICT(), P.SETITEM())), P.STOP());
    case "memo": return pickle(P.PROTO(2), P.NONE(), ...Array.from({ length: Math.min(n, 50000) }, (_, i) => P.LONG_BINPUT(0xffffffff - i)), P.LONG_BINGET(0xfffffffe), P.STOP());
  }
}
const deepArb: fc.Arbitrary<Deep> = fc.record({ style: fc.constantFrom("list" as const, "tuple" as const, "mark" as const, "dict" as const, "memo" as const), depth: fc.constantFrom(2, 1000, 100000, 1000000) });

type PklCase =
  | { kind: "pklbytes"; seed: number; muts: ByteMut[] }
  | { kind: "ops"; seed: number; at: number; ops: PickleOp[] }
  | { kind: "fresh"; ops: PickleOp[] }
  | { kind: "deep"; deep: Deep }
  | { kind: "tensor"; numel: string; shape: number[]; stride: number[] | null; offset: number; storage: string };
const tensorClaimArb = fc.record({
  kind: fc.constant("tensor" as const),
  numel: fc.constantFrom("0", "1", "16", "4294967296", "1000000000000", "9007199254740993", "-1"),
  shape: fc.array(hugeDim, { maxLength: 4 }),
  stride: fc.option(fc.array(fc.oneof(fc.nat(16), fc.constantFrom(-1, 0, 2 ** 40)), { maxLength: 4 }), { nil: null }),
  offset: fc.oneof(fc.nat(16), fc.constantFrom(-1, 2 ** 40)),
  storage: fc.constantFrom("HalfStorage", "FloatStorage", "BFloat16Storage", "LongStorage", "BoolStorage", "ComplexFloatStorage", "Storage"),
});
const pklCaseArb: fc.Arbitrary<PklCase> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("pklbytes" as const), seed: fc.nat(), muts: mutsArb(byteMutArb) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("ops" as const), seed: fc.nat(), at: fc.nat(), ops: fc.array(pickleOpArb, { minLength: 1, maxLength: 8 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("fresh" as const), ops: fc.array(pickleOpArb, { minLength: 1, maxLength: 24 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("deep" as const), deep: deepArb }) },
  { weight: 1, arbitrary: tensorClaimArb },
);
/** Opcode boundaries are not tracked: "ops" splices generated opcodes at a byte offset of a real data.pkl. */
function buildPickle(desc: PklCase): { pkl: Buffer; seed: TorchSeed } {
  const seeds = torchSeeds();
  switch (desc.kind) {
    case "pklbytes": { const s = pickSeed(seeds, desc.seed); return { pkl: applyByteMuts(s.pkl, desc.muts), seed: s }; }
    case "ops": {
      const s = pickSeed(seeds, desc.seed);
      const at = desc.at % (s.pkl.length + 1);
      return { pkl: Buffer.concat([s.pkl.subarray(0, at), ...desc.ops.map(pickleOpBytes), s.pkl.subarray(at)]), seed: s };
    }
    case "fresh": return { pkl: pickle(P.PROTO(2), ...desc.ops.map(pickleOpBytes), P.STOP()), seed: seeds[0]! };
    case "deep": return { pkl: deepPickle(light ? { ...desc.deep, depth: Math.min(desc.deep.depth, 100000) } : desc.deep), seed: seeds[0]! };
    case "tensor": {
      const numel = BigInt(desc.numel);
      const numelOp = numel >= 0n && numel < 2n ** 31n ? P.BININT(Number(numel)) : P.LONG1(le64(numel));
      const ints = (xs: number[]): Buffer => pickle(P.MARK(), ...xs.map((x) => (Number.isInteger(x) && Math.abs(x) < 2 ** 31 ? P.BININT(x) : Number.isInteger(x) ? P.LONG1(le64(BigInt(x))) : P.BINFLOAT(x))), P.TUPLE());
      const pkl = pickle(
        P.PROTO(2), P.GLOBAL("collections", "OrderedDict"), P.EMPTY_TUPLE(), P.REDUCE(), P.BINUNICODE("w"),
        P.GLOBAL("torch._utils", "_rebuild_tensor_v2"), P.MARK(),
        P.MARK(), P.BINUNICODE("storage"), P.GLOBAL("torch", desc.storage), P.BINUNICODE("0"), P.BINUNICODE("cpu"), numelOp, P.TUPLE(), P.BINPERSID(),
        Number.isInteger(desc.offset) && Math.abs(desc.offset) < 2 ** 31 ? P.BININT(desc.offset) : P.LONG1(le64(BigInt(desc.offset))),
        ints(desc.shape), ints(desc.stride ?? desc.shape.map(() => 1)), P.NEWFALSE(),
        P.GLOBAL("collections", "OrderedDict"), P.EMPTY_TUPLE(), P.REDUCE(), P.TUPLE(), P.REDUCE(), P.SETITEM(), P.STOP(),
      );
      return { pkl, seed: seeds[0]! };
    }
  }
}
function le64(v: bigint): Buffer {
  const b = Buffer.alloc(9);
  b.writeBigInt64LE(BigInt.asIntN(64, v));
  b[8] = v < 0n ? 0xff : 0;
  return b;
}

export const pickleGen: Generator = {
  name: "pickle",
  fileName: "data.pkl",
  seeds: "data.pkl of tiny-neox-a/pytorch_model.bin and mini-pythia step{0,16,3000} (byte mutations, generated opcodes spliced in or alone, deep nesting, huge memo indices and claimed lengths, tensors claiming huge sizes)",
  arbitrary: () => pklCaseArb,
  build: (d) => ({ bytes: buildPickle(d as PklCase).pkl }),
};

type TorchCase =
  | { kind: "bytes"; seed: number; muts: ByteMut[] }
  | { kind: "zip"; seed: number; tamper: ZipTamper[]; ops: EntryOp[]; align: number }
  | { kind: "pkl"; pkl: PklCase; tamper: ZipTamper[] };
export const torchZipGen: Generator = {
  name: "torch-zip",
  fileName: "pytorch_model.bin",
  seeds: "tiny-neox-a/pytorch_model.bin and mini-pythia step{0,16,3000}/pytorch_model.bin (byte mutations, zip field tampering with huge sizes/counts/offsets, dropped/renamed/cut entries, mutated data.pkl re-zipped with a valid CRC)",
  arbitrary: () => fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("bytes" as const), seed: fc.nat(), muts: mutsArb(byteMutArb) }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant("zip" as const), seed: fc.nat(), tamper: fc.array(zipTamperArb, { maxLength: 3 }), ops: fc.array(entryOpArb, { maxLength: 3 }), align: fc.constantFrom(64, 1) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("pkl" as const), pkl: pklCaseArb, tamper: fc.array(zipTamperArb, { maxLength: 1 }) }) },
  ),
  build(d) {
    const desc = d as TorchCase;
    if (desc.kind === "bytes") {
      const s = pickSeed(torchSeeds(), desc.seed);
      return { bytes: applyByteMuts(s.bytes, desc.muts), aux: { "config.json": s.config } };
    }
    if (desc.kind === "zip") {
      const s = pickSeed(torchSeeds(), desc.seed);
      return { bytes: writeStoreZip(applyEntryOps(s.entries, desc.ops), { align: desc.align, tamper: desc.tamper }), aux: { "config.json": s.config } };
    }
    const { pkl, seed } = buildPickle(desc.pkl);
    return { bytes: writeStoreZip(replacePkl(seed.entries, pkl), { tamper: desc.tamper }), aux: { "config.json": seed.config } };
  },
};

/** A torch zip built from scratch (used by tests): the pickle plus storages in the standard layout. */
export { torchZip };

export const GENERATORS: Record<string, Generator> = {
  safetensors,
  "torch-zip": torchZipGen,
  pickle: pickleGen,
  config,
  exp2,
  "fit-params": fitParams,
  "fit-params-plots": { ...fitParams, name: "fit-params-plots" },
  "eval-sequences": evalSequences,
  tokenizer,
};

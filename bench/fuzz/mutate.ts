/**
 * Mutation operators for the fuzz harness. Every operator is a plain JSON-serialisable description (so a failing
 * case can be saved and replayed) produced by a fast-check arbitrary, which also shrinks it; `apply*` turns the
 * description into bytes deterministically. Offsets are taken modulo the input's length, so one description fits
 * any seed file.
 */
import fc from "fast-check";

/** Integers worth writing over length and count fields (as decimal strings: some exceed 2^53). */
export const INTERESTING_INTS = [
  "0", "1", "2", "127", "128", "255", "256", "32767", "32768", "65535", "65536", "2147483647", "2147483648",
  "4294967295", "4294967296", "1000000000000", "9007199254740991", "9007199254740993", "9223372036854775807",
  "9223372036854775808", "18446744073709551615",
];

export type ByteMut =
  | { op: "flip"; at: number; bit: number }
  | { op: "set"; at: number; bytes: number[] }
  | { op: "insert"; at: number; bytes: number[] }
  | { op: "delete"; at: number; len: number }
  | { op: "truncate"; at: number }
  | { op: "int"; at: number; width: 1 | 2 | 4 | 8; value: string; le: boolean }
  | { op: "dup"; from: number; len: number; to: number };

/** Offsets biased towards the start of a file, where headers live. */
export const offsetArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: fc.nat(63) },
  { weight: 3, arbitrary: fc.nat(4095) },
  { weight: 4, arbitrary: fc.nat(0x7fffffff) },
);
const smallBytes = fc.array(fc.nat(255), { minLength: 1, maxLength: 16 });

export const byteMutArb: fc.Arbitrary<ByteMut> = fc.oneof(
  fc.record({ op: fc.constant("flip" as const), at: offsetArb, bit: fc.nat(7) }),
  fc.record({ op: fc.constant("set" as const), at: offsetArb, bytes: smallBytes }),
  fc.record({ op: fc.constant("insert" as const), at: offsetArb, bytes: smallBytes }),
  fc.record({ op: fc.constant("delete" as const), at: offsetArb, len: fc.integer({ min: 1, max: 4096 }) }),
  fc.record({ op: fc.constant("truncate" as const), at: offsetArb }),
  fc.record({
    op: fc.constant("int" as const), at: offsetArb, width: fc.constantFrom(1 as const, 2 as const, 4 as const, 8 as const),
    value: fc.constantFrom(...INTERESTING_INTS), le: fc.boolean(),
  }),
  fc.record({ op: fc.constant("dup" as const), from: offsetArb, len: fc.integer({ min: 1, max: 512 }), to: offsetArb }),
);

/** Applies byte mutations in order; never grows a 0-byte input by more than the inserted bytes. */
export function applyByteMuts(input: Uint8Array, muts: readonly ByteMut[]): Buffer {
  let buf = Buffer.from(input);
  const pos = (at: number, extra = 0): number => (buf.length + extra === 0 ? 0 : at % (buf.length + extra));
  for (const m of muts) {
    switch (m.op) {
      case "flip":
        if (buf.length > 0) buf[pos(m.at)] ^= 1 << m.bit;
        break;
      case "set": {
        const at = pos(m.at);
        for (let i = 0; i < m.bytes.length && at + i < buf.length; i++) buf[at + i] = m.bytes[i]!;
        break;
      }
      case "insert": {
        const at = pos(m.at, 1);
        buf = Buffer.concat([buf.subarray(0, at), Buffer.from(m.bytes), buf.subarray(at)]);
        break;
      }
      case "delete": {
        const at = pos(m.at);
        buf = Buffer.concat([buf.subarray(0, at), buf.subarray(Math.min(buf.length, at + m.len))]);
        break;
      }
      case "truncate":
        buf = buf.subarray(0, pos(m.at));
        break;
      case "int": {
        const at = pos(m.at);
        let v = BigInt(m.value) & ((1n << BigInt(8 * m.width)) - 1n);
        const bytes: number[] = [];
        for (let i = 0; i < m.width; i++) { bytes.push(Number(v & 0xffn)); v >>= 8n; }
        if (!m.le) bytes.reverse();
        for (let i = 0; i < bytes.length && at + i < buf.length; i++) buf[at + i] = bytes[i]!;
        break;
      }
      case "dup": {
        if (buf.length === 0) break;
        const from = pos(m.from);
        const chunk = Buffer.from(buf.subarray(from, from + m.len));
        const to = pos(m.to, 1);
        buf = Buffer.concat([buf.subarray(0, to), chunk, buf.subarray(to)]);
        break;
      }
    }
  }
  return buf;
}

/** Strings worth putting where a number, a name or a bracket was. */
export const INTERESTING_TOKENS = [
  "nan", "-nan", "inf", "-inf", "NaN", "Infinity", "-Infinity", "1e308", "1e309", "-1e309", "-1", "-0", "0", "0.0",
  "1e-320", "99999999999999999999999", "4294967296", "1000000000000", "9007199254740993", "1.", ".5", "1e", "+1",
  "0x10", "null", "true", "false", "None", "\"\"", "\"x\"", "[]", "{}", "[", "]", "{", "}", "(", ")", ",", ":",
  "\"\\u0000\"", "\"\\ud800\"", "\"__proto__\"", "\"constructor\"", "[[[[[[[[[[", "]]]]]]]]]]",
];

export type TextMut =
  | { op: "token"; index: number; replacement: string }
  | { op: "nest"; at: number; depth: number; close: boolean; bracket: "[" | "(" | "{" }
  | { op: "bytes"; mut: ByteMut };

export const textMutArb: fc.Arbitrary<TextMut> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant("token" as const), index: fc.nat(),
      replacement: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...INTERESTING_TOKENS) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("nest" as const), at: offsetArb,
      depth: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constantFrom(1000, 10000, 100000)),
      close: fc.boolean(), bracket: fc.constantFrom("[" as const, "(" as const, "{" as const),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("bytes" as const), mut: byteMutArb }) },
);

const TOKEN_RE = /-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|"(?:[^"\\\n]|\\.){0,200}"|[A-Za-z_][A-Za-z_0-9]*|[[\]{}(),:]/g;
const tokenCache = new WeakMap<object, Int32Array>();

/** Token boundaries of a text (cached per seed buffer): pairs [start, end). */
function tokensOf(key: object, text: string): Int32Array {
  let t = tokenCache.get(key);
  if (t === undefined) {
    const out: number[] = [];
    TOKEN_RE.lastIndex = 0;
    for (let m = TOKEN_RE.exec(text); m !== null; m = TOKEN_RE.exec(text)) out.push(m.index, m.index + m[0].length);
    t = Int32Array.from(out);
    tokenCache.set(key, t);
  }
  return t;
}

/**
 * Applies text mutations: token replacements first (all resolved against the seed's cached token table, applied
 * from the end so positions stay valid), then byte mutations, then nesting insertions (so that a 100,000-deep
 * insertion never has to be re-tokenised).
 */
export function applyTextMuts(seed: Buffer, muts: readonly TextMut[]): Buffer {
  let text = seed.toString("latin1");
  const toks = tokensOf(seed, text);
  const n = toks.length / 2;
  const replaced = new Map<number, string>();
  for (const m of muts) if (m.op === "token" && n > 0) replaced.set(m.index % n, m.replacement);
  for (const k of [...replaced.keys()].sort((a, b) => b - a)) {
    text = text.slice(0, toks[2 * k]) + replaced.get(k)! + text.slice(toks[2 * k + 1]);
  }
  const byteMuts = muts.flatMap((m) => (m.op === "bytes" ? [m.mut] : []));
  if (byteMuts.length > 0) text = applyByteMuts(Buffer.from(text, "latin1"), byteMuts).toString("latin1");
  for (const m of muts) {
    if (m.op !== "nest") continue;
    const at = text.length === 0 ? 0 : m.at % (text.length + 1);
    const close = { "[": "]", "(": ")", "{": "}" }[m.bracket];
    const open = m.bracket === "{" ? "{\"a\":".repeat(m.depth) : m.bracket.repeat(m.depth);
    text = text.slice(0, at) + open + (m.close ? (m.bracket === "{" ? "1" : "") + close.repeat(m.depth) : "") + text.slice(at);
  }
  return Buffer.from(text, "latin1");
}

/** Strings that break naive error messages (line breaks, NUL, lone surrogates, quotes, format specifiers). */
export const NASTY_STRINGS = ["a\nb", "\r", "x\u0000y", "\u2028", "'", "\"", "\\", "%s%n", "${x}", "\ud800", "__proto__", "constructor", "", " ".repeat(300)];

/** A JSON value a mutation can put into a document. */
export type JsonLike = null | boolean | number | string | JsonLike[] | { [k: string]: JsonLike };

const interestingJson: fc.Arbitrary<JsonLike> = fc.constantFrom<JsonLike>(
  null, true, false, 0, -1, 1, 0.5, -0.5, 1e308, -1e308, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 1e12, 1e15, 1e-300,
  "", "x", "nan", "NaN", "__proto__", "a\nb", "\r\n", [], {}, [[]], [0], [-1], [1e12], [1e12, 1e12], [[0, 1e9]], { "__proto__": 1 },
);
export const jsonValueArb: fc.Arbitrary<JsonLike> = fc.oneof(
  { weight: 5, arbitrary: interestingJson },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<JsonLike> },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 2000 }).map((d) => { let v: JsonLike = 0; for (let i = 0; i < d; i++) v = [v]; return v; }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 100000 }).map((n) => new Array<JsonLike>(n).fill(0)) },
);

export type JsonMut =
  | { op: "replace"; node: number; value: JsonLike }
  | { op: "renameKey"; node: number; key: string }
  | { op: "delete"; node: number }
  | { op: "addKey"; node: number; key: string; value: JsonLike };

export const jsonMutArb: fc.Arbitrary<JsonMut> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant("replace" as const), node: fc.nat(), value: jsonValueArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("delete" as const), node: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("addKey" as const), node: fc.nat(),
      key: fc.oneof(fc.constantFrom(...NASTY_STRINGS), fc.string({ maxLength: 6 })), value: jsonValueArb,
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("renameKey" as const), node: fc.nat(), key: fc.oneof(fc.constantFrom(...NASTY_STRINGS), fc.string({ maxLength: 6 })) }) },
);

type Path = (string | number)[];
const nodeCache = new WeakMap<object, Path[]>();

/** Every node of a parsed JSON document as a path from the root (root first), cached per document. */
export function jsonNodes(doc: unknown): Path[] {
  if (typeof doc !== "object" || doc === null) return [[]];
  let nodes = nodeCache.get(doc);
  if (nodes === undefined) {
    nodes = [];
    const walk = (v: unknown, p: Path): void => {
      nodes!.push(p);
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...p, i]));
      else if (typeof v === "object" && v !== null) for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k], [...p, k]);
    };
    walk(doc, []);
    nodeCache.set(doc, nodes);
  }
  return nodes;
}

/**
 * Serialises `doc` with the mutations applied, without copying it: each mutation is applied in place and undone
 * after JSON.stringify (cheap for large seeds such as a 2.5 MB tokenizer).
 */
export function applyJsonMuts(doc: unknown, muts: readonly JsonMut[], indent?: number): Buffer {
  const nodes = jsonNodes(doc);
  const undo: (() => void)[] = [];
  let root: unknown = doc;
  try {
    for (const m of muts) {
      const p = nodes[m.node % nodes.length]!;
      if (p.length === 0) {
        if (m.op === "replace") root = m.value;
        continue;
      }
      let parent: unknown = root;
      for (let i = 0; i < p.length - 1 && parent !== undefined; i++) {
        parent = typeof parent === "object" && parent !== null ? (parent as Record<string, unknown>)[p[i] as string] : undefined;
      }
      if (typeof parent !== "object" || parent === null) continue;
      const obj = parent as Record<string | number, unknown>;
      const key = p[p.length - 1]!;
      if (!Object.prototype.hasOwnProperty.call(obj, key)) continue;
      const old = obj[key];
      if (m.op === "renameKey") {
        if (Array.isArray(obj)) continue;
        const entries = Object.entries(obj);
        for (const k of Object.keys(obj)) delete obj[k];
        for (const [k, v] of entries) Object.defineProperty(obj, k === key ? m.key : k, { value: v, enumerable: true, configurable: true, writable: true });
        undo.push(() => { for (const k of Object.keys(obj)) delete obj[k]; for (const [k, v] of entries) obj[k] = v; });
      } else if (m.op === "replace") {
        obj[key] = m.value;
        undo.push(() => { obj[key] = old; });
      } else if (m.op === "delete") {
        if (Array.isArray(obj)) {
          const i = key as number;
          obj.splice(i, 1);
          undo.push(() => { (obj as unknown[]).splice(i, 0, old); });
        } else {
          // Rebuild key order on undo so the seed serialises identically afterwards.
          const entries = Object.entries(obj);
          delete obj[key];
          undo.push(() => { for (const k of Object.keys(obj)) delete obj[k]; for (const [k, v] of entries) obj[k] = v; });
        }
      } else if (typeof old === "object" && old !== null && !Array.isArray(old)) {
        const target = old as Record<string, unknown>;
        const had = Object.prototype.hasOwnProperty.call(target, m.key);
        const prev = target[m.key];
        Object.defineProperty(target, m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
        undo.push(() => { if (had) Object.defineProperty(target, m.key, { value: prev, enumerable: true, configurable: true, writable: true }); else delete target[m.key]; });
      }
    }
    return Buffer.from(JSON.stringify(root, null, indent));
  } finally {
    for (let i = undo.length - 1; i >= 0; i--) undo[i]!();
  }
}

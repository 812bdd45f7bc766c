/**
 * Pickle opcodes written by hand (protocol 2, plus the few protocol 4 opcodes hostile files use), for tests that
 * craft pickles byte by byte and for the fuzz harness. Each helper returns the opcode's bytes; `pickle(...)` joins
 * them. Nothing here unpickles anything.
 */
type Bytes = number[] | Uint8Array | Buffer;

const cat = (...parts: Bytes[]): Buffer => Buffer.concat(parts.map((p) => Buffer.from(p as Uint8Array)));
const op = (c: string | number): Buffer => Buffer.from([typeof c === "number" ? c : c.charCodeAt(0)]);
const le = (v: number | bigint, n: number): Buffer => {
  let x = BigInt(v) & ((1n << BigInt(8 * n)) - 1n);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) { b[i] = Number(x & 0xffn); x >>= 8n; }
  return b;
};
const utf8 = (s: string): Buffer => Buffer.from(s, "utf8");

export const P = {
  PROTO: (v = 2) => cat(op(0x80), [v]),
  STOP: () => op("."),
  MARK: () => op("("),
  POP: () => op("0"),
  POP_MARK: () => op("1"),
  DUP: () => op("2"),
  NONE: () => op("N"),
  NEWTRUE: () => op(0x88),
  NEWFALSE: () => op(0x89),
  BININT: (v: number) => cat(op("J"), le(v, 4)),
  BININT1: (v: number) => cat(op("K"), [v & 0xff]),
  BININT2: (v: number) => cat(op("M"), le(v, 2)),
  INT: (text: string) => cat(op("I"), utf8(`${text}\n`)),
  LONG1: (bytes: Bytes) => cat(op(0x8a), [bytes.length & 0xff], bytes),
  /** LONG4 with an explicit (possibly lying) byte count. */
  LONG4: (bytes: Bytes, claimed = bytes.length) => cat(op(0x8b), le(claimed, 4), bytes),
  BINFLOAT: (v: number) => { const b = Buffer.alloc(8); b.writeDoubleBE(v); return cat(op("G"), b); },
  /** BINUNICODE with an explicit (possibly lying) byte count. */
  BINUNICODE: (s: string, claimed?: number) => { const b = utf8(s); return cat(op("X"), le(claimed ?? b.length, 4), b); },
  SHORT_BINUNICODE: (s: string) => { const b = utf8(s); return cat(op(0x8c), [b.length & 0xff], b); },
  BINUNICODE8: (s: string, claimed?: bigint) => { const b = utf8(s); return cat(op(0x8d), le(claimed ?? BigInt(b.length), 8), b); },
  BINSTRING: (s: string) => { const b = Buffer.from(s, "latin1"); return cat(op("T"), le(b.length, 4), b); },
  SHORT_BINSTRING: (s: string) => { const b = Buffer.from(s, "latin1"); return cat(op("U"), [b.length & 0xff], b); },
  BINBYTES: (b: Bytes, claimed = b.length) => cat(op("B"), le(claimed, 4), b),
  SHORT_BINBYTES: (b: Bytes) => cat(op("C"), [b.length & 0xff], b),
  BINBYTES8: (b: Bytes, claimed: bigint = BigInt(b.length)) => cat(op(0x8e), le(claimed, 8), b),
  FRAME: (n: bigint | number) => cat(op(0x95), le(n, 8)),
  GLOBAL: (module: string, name: string) => cat(op("c"), utf8(`${module}\n${name}\n`)),
  STACK_GLOBAL: () => op(0x93),
  INST: (module: string, name: string) => cat(op("i"), utf8(`${module}\n${name}\n`)),
  OBJ: () => op("o"),
  NEWOBJ: () => op(0x81),
  NEWOBJ_EX: () => op(0x92),
  REDUCE: () => op("R"),
  BUILD: () => op("b"),
  EXT1: (code: number) => cat(op(0x82), [code & 0xff]),
  PERSID: (id: string) => cat(op("P"), utf8(`${id}\n`)),
  BINPERSID: () => op("Q"),
  EMPTY_TUPLE: () => op(")"),
  TUPLE: () => op("t"),
  TUPLE1: () => op(0x85),
  TUPLE2: () => op(0x86),
  TUPLE3: () => op(0x87),
  EMPTY_LIST: () => op("]"),
  APPEND: () => op("a"),
  APPENDS: () => op("e"),
  LIST: () => op("l"),
  EMPTY_DICT: () => op("}"),
  DICT: () => op("d"),
  SETITEM: () => op("s"),
  SETITEMS: () => op("u"),
  EMPTY_SET: () => op(0x8f),
  ADDITEMS: () => op(0x90),
  BINPUT: (i: number) => cat(op("q"), [i & 0xff]),
  LONG_BINPUT: (i: number) => cat(op("r"), le(i, 4)),
  MEMOIZE: () => op(0x94),
  BINGET: (i: number) => cat(op("h"), [i & 0xff]),
  LONG_BINGET: (i: number) => cat(op("j"), le(i, 4)),
  GET: (i: number) => cat(op("g"), utf8(`${i}\n`)),
  PUT: (i: number) => cat(op("p"), utf8(`${i}\n`)),
};

/** Joins opcode byte strings into one pickle. */
export function pickle(...ops: Bytes[]): Buffer {
  return cat(...ops);
}

/** One tensor of a state dict as torch.save writes it (dtype is the storage class, e.g. "HalfStorage"). */
export interface PickledTensor {
  name: string;
  storageClass: string;
  key: string;
  numel: number;
  shape: number[];
  stride?: number[];
  offset?: number;
}

/** The opcodes of one `torch._utils._rebuild_tensor_v2(storage, offset, shape, stride, False, OrderedDict())` call. */
export function tensorOps(t: PickledTensor): Buffer {
  const stride = t.stride ?? t.shape.map((_, i) => t.shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const ints = (xs: number[]): Buffer => pickle(P.MARK(), ...xs.map((x) => P.BININT(x)), P.TUPLE());
  return pickle(
    P.GLOBAL("torch._utils", "_rebuild_tensor_v2"),
    P.MARK(),
    P.MARK(), P.BINUNICODE("storage"), P.GLOBAL("torch", t.storageClass), P.BINUNICODE(t.key), P.BINUNICODE("cpu"),
    P.BININT(t.numel), P.TUPLE(), P.BINPERSID(),
    P.BININT(t.offset ?? 0), ints(t.shape), ints(stride), P.NEWFALSE(),
    P.GLOBAL("collections", "OrderedDict"), P.EMPTY_TUPLE(), P.REDUCE(),
    P.TUPLE(), P.REDUCE(),
  );
}

/** A protocol-2 pickle of an OrderedDict state dict, the layout of `pytorch_model.bin`'s data.pkl. */
export function stateDictPickle(tensors: readonly PickledTensor[], extra: Bytes = []): Buffer {
  return pickle(
    P.PROTO(2), P.GLOBAL("collections", "OrderedDict"), P.EMPTY_TUPLE(), P.REDUCE(),
    P.MARK(), ...tensors.flatMap((t) => [P.BINUNICODE(t.name), tensorOps(t)]), P.SETITEMS(), extra, P.STOP(),
  );
}

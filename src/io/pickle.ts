/**
 * A minimal, safe Python pickle reader for PyTorch state dicts (protocols 2-5). Only the opcodes a state dict
 * needs are implemented, and GLOBAL/STACK_GLOBAL resolve only names in the caller's allow-list; any other
 * global (for example `os.system`) is refused by name and nothing is ever executed. Memo size, stack size and
 * MARK nesting are bounded, and every length is checked against the bytes really present.
 *
 * Python values map to: int -> number (bigint beyond 2^53), float -> number, str -> string, None -> null,
 * bool -> boolean, tuple/list -> array, dict -> Map.
 */
import { printable } from "../util/one-line";

/** A callable the allow-list provides for `module.name`; REDUCE calls it with the argument tuple. */
export type PickleCallable = (args: unknown[]) => unknown;

export interface PickleOptions {
  /** `"module.name"` -> implementation. Anything else is refused. */
  globals: Record<string, PickleCallable>;
  /** BINPERSID handler (torch: storage references). */
  persistentLoad?: (pid: unknown) => unknown;
  /** Names the source in errors (e.g. `file.bin: data.pkl`). */
  where: string;
  maxMemo?: number;
  maxStack?: number;
  maxDepth?: number;
}

/** A resolved allow-listed global, waiting for REDUCE (or passed as a value, as torch's storage types are). */
export class PickleGlobal {
  constructor(readonly qualname: string, readonly fn: PickleCallable) {}
}

const MARK = Symbol("mark");

/** Runs the pickle in `bytes` and returns the object STOP leaves on the stack. */
export function unpickle(bytes: Uint8Array, options: PickleOptions): unknown {
  const { where } = options;
  const maxMemo = options.maxMemo ?? 1_000_000;
  const maxStack = options.maxStack ?? 10_000_000;
  const maxDepth = options.maxDepth ?? 1000;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const memo = new Map<number, unknown>();
  const stack: unknown[] = [];
  const marks: number[] = [];
  let pos = 0;
  let opPos = 0;

  const fail = (msg: string): never => { throw new Error(`${where}: ${msg} (pickle offset ${opPos})`); };
  const need = (n: number): void => { if (n < 0 || pos + n > bytes.length) fail(`truncated pickle: needs ${n} more bytes, ${bytes.length - pos} left`); };
  const u8 = (): number => { need(1); return bytes[pos++]!; };
  const u16 = (): number => { need(2); const v = view.getUint16(pos, true); pos += 2; return v; };
  const i32 = (): number => { need(4); const v = view.getInt32(pos, true); pos += 4; return v; };
  const u32 = (): number => { need(4); const v = view.getUint32(pos, true); pos += 4; return v; };
  const u64 = (): number => {
    need(8);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(bytes.length)) fail(`length ${v} exceeds the pickle's ${bytes.length} bytes`);
    return Number(v);
  };
  const utf8 = (n: number): string => { need(n); const s = Buffer.from(bytes.subarray(pos, pos + n)).toString("utf8"); pos += n; return s; };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail("truncated pickle: unterminated GLOBAL line");
    const s = Buffer.from(bytes.subarray(pos, end)).toString("utf8");
    pos = end + 1;
    return s;
  };
  const push = (v: unknown): void => { if (stack.length >= maxStack) fail(`stack exceeds ${maxStack} items`); stack.push(v); };
  const pop = (): unknown => {
    if (stack.length === 0 || (marks.length && stack.length <= marks[marks.length - 1]!)) fail("stack underflow");
    return stack.pop();
  };
  const top = (): unknown => { if (stack.length === 0) fail("stack underflow"); return stack[stack.length - 1]; };
  const popMark = (): unknown[] => {
    const m = marks.pop();
    if (m === undefined) fail("no MARK on the stack");
    return stack.splice(m!);
  };
  const memoPut = (key: number): void => {
    if (!memo.has(key) && memo.size >= maxMemo) fail(`memo exceeds ${maxMemo} entries`);
    memo.set(key, top());
  };
  const memoGet = (key: number): void => { if (!memo.has(key)) fail(`memo key ${key} is not defined`); push(memo.get(key)); };
  const resolve = (module: string, name: string): void => {
    const qualname = `${module}.${name}`;
    const fn = Object.prototype.hasOwnProperty.call(options.globals, qualname) ? options.globals[qualname] : undefined;
    if (!fn) fail(`pickle asks for global '${printable(qualname)}', which is not allowed (a state dict needs only ${Object.keys(options.globals).join(", ")}); refused, nothing was executed`);
    push(new PickleGlobal(qualname, fn!));
  };
  const asDict = (d: unknown, op: string): Map<unknown, unknown> => {
    if (!(d instanceof Map)) fail(`${op} on a ${typeof d}, expected a dict`);
    return d as Map<unknown, unknown>;
  };
  const asList = (l: unknown, op: string): unknown[] => {
    if (!Array.isArray(l)) fail(`${op} on a ${typeof l}, expected a list`);
    return l as unknown[];
  };
  const setItems = (d: Map<unknown, unknown>, items: unknown[]): void => {
    if (items.length % 2) fail("SETITEMS with an odd number of items");
    for (let i = 0; i < items.length; i += 2) d.set(items[i], items[i + 1]);
  };

  for (;;) {
    opPos = pos;
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: need(8); pos += 8; break; // FRAME: framing only
      case 0x2e: { // STOP
        if (stack.length !== 1 || marks.length) fail(`STOP with ${stack.length} items on the stack`);
        return stack[0];
      }
      case 0x28: if (marks.length >= maxDepth) fail(`MARK nesting exceeds ${maxDepth}`); marks.push(stack.length); break; // MARK
      case 0x7d: push(new Map()); break; // EMPTY_DICT
      case 0x5d: push([]); break; // EMPTY_LIST
      case 0x29: push([]); break; // EMPTY_TUPLE
      case 0x74: case 0x6c: push(popMark()); break; // TUPLE, LIST
      case 0x64: { const m = new Map(); setItems(m, popMark()); push(m); break; } // DICT
      case 0x85: push([pop()]); break; // TUPLE1
      case 0x86: { const b = pop(); push([pop(), b]); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); push([pop(), b, c]); break; } // TUPLE3
      case 0x61: { const v = pop(); asList(top(), "APPEND").push(v); break; } // APPEND
      case 0x65: { const items = popMark(); asList(top(), "APPENDS").push(...items); break; } // APPENDS
      case 0x73: { const v = pop(); const k = pop(); asDict(top(), "SETITEM").set(k, v); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(asDict(top(), "SETITEMS"), items); break; } // SETITEMS
      case 0x71: memoPut(u8()); break; // BINPUT
      case 0x72: memoPut(u32()); break; // LONG_BINPUT
      case 0x94: memoPut(memo.size); break; // MEMOIZE
      case 0x68: memoGet(u8()); break; // BINGET
      case 0x6a: memoGet(u32()); break; // LONG_BINGET
      case 0x4a: push(i32()); break; // BININT
      case 0x4b: push(u8()); break; // BININT1
      case 0x4d: push(u16()); break; // BININT2
      case 0x8a: { // LONG1: little-endian two's complement
        const n = u8();
        need(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[pos + i]!);
        if (n > 0 && bytes[pos + n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
        pos += n;
        push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x47: { need(8); push(view.getFloat64(pos, false)); pos += 8; break; } // BINFLOAT (big-endian)
      case 0x4e: push(null); break; // NONE
      case 0x88: push(true); break; // NEWTRUE
      case 0x89: push(false); break; // NEWFALSE
      case 0x58: push(utf8(u32())); break; // BINUNICODE
      case 0x8c: push(utf8(u8())); break; // SHORT_BINUNICODE
      case 0x8d: push(utf8(u64())); break; // BINUNICODE8
      case 0x63: { const module = line(); resolve(module, line()); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== "string" || typeof name !== "string") fail("STACK_GLOBAL needs two strings");
        resolve(module as string, name as string);
        break;
      }
      case 0x52: { // REDUCE
        const args = pop();
        const callable = pop();
        if (!(callable instanceof PickleGlobal)) fail("REDUCE on something that is not an allowed global");
        if (!Array.isArray(args)) fail(`REDUCE of '${(callable as PickleGlobal).qualname}' without an argument tuple`);
        try {
          push((callable as PickleGlobal).fn(args as unknown[]));
        } catch (err) {
          fail(`${(callable as PickleGlobal).qualname}: ${(err as Error).message}`);
        }
        break;
      }
      case 0x62: { // BUILD: only a dict's state (torch's OrderedDict `_metadata`), which is ignored
        pop();
        if (!(top() instanceof Map)) fail("BUILD on an object that is not a dict");
        break;
      }
      case 0x51: { // BINPERSID
        const pid = pop();
        if (!options.persistentLoad) fail("persistent id without a persistent_load handler");
        push(options.persistentLoad!(pid));
        break;
      }
      case 0x69: { // INST: a global and a call in one opcode; a foreign global is refused by resolve()
        const module = line();
        const name = line();
        resolve(module, name);
        fail(`INST of '${printable(`${module}.${name}`)}' refused: a state dict creates no objects with INST`);
        break;
      }
      case 0x6f: case 0x81: case 0x92: { // OBJ, NEWOBJ, NEWOBJ_EX: instantiate a class from the stack
        const opName = op === 0x6f ? "OBJ" : op === 0x81 ? "NEWOBJ" : "NEWOBJ_EX";
        const cls = op === 0x6f ? (marks.length ? stack[marks[marks.length - 1]!] : undefined) : stack[stack.length - (op === 0x81 ? 2 : 3)];
        fail(`${opName} of '${cls instanceof PickleGlobal ? cls.qualname : typeof cls}' refused: a state dict creates no objects with ${opName}`);
        break;
      }
      default:
        fail(`unsupported pickle opcode 0x${op.toString(16).padStart(2, "0")} (not used by state dicts)`);
    }
  }
}

/**
 * Hostile pickles inside a torch zip (pytorch_model.bin layout): every foreign global, every REDUCE outside the
 * allow-list, BUILD/INST/OBJ/NEWOBJ tricks and STACK_GLOBAL with computed names must be refused with a one-line
 * error naming the file and the global, and nothing may run: the payloads would create a marker file if they were
 * executed, and the marker must not exist afterwards.
 *
 * The pickles are written opcode by opcode (protocol 2). That they are real attacks was checked once with CPython
 * (not needed at test time): `python3 -c "import pickle,sys; pickle.loads(open(sys.argv[1],'rb').read())" x.pkl`
 * (Python 3.11) created the marker for the os.system, posix.system, builtins.eval, builtins.exec, INST os.system,
 * OBJ subprocess.Popen(["sh", "-c", ...]) and memo-fed STACK_GLOBAL payloads below. NEWOBJ only calls __new__ and
 * the BUILD cases only plant attributes, so those are refused as tricks rather than as live payloads.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readTorchCheckpoint } from "../../src/io/torch-zip";
import { readCheckpoint } from "../../src/io/checkpoint";
import { P, pickle, tensorOps } from "../helpers/pickle-writer";
import { torchZip } from "../helpers/store-zip";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hostile-pickle-"));
const marker = path.join(tmp, "PWNED");
process.on("exit", () => fs.rmSync(tmp, { recursive: true, force: true }));

/** A valid one-tensor state dict prefix, so hostile opcodes sit where a real loader would reach them. */
const w = { name: "w", storageClass: "FloatStorage", key: "0", numel: 2, shape: [2] };
const storages = { "0": Buffer.from(new Float32Array([1, 2]).buffer) };
let n = 0;

/** Writes the pickle in a torch zip and returns the error readTorchCheckpoint throws. */
async function refusal(pkl: Buffer): Promise<{ file: string; message: string }> {
  const file = path.join(tmp, `case${n++}`, "pytorch_model.bin");
  fs.mkdirSync(path.dirname(file));
  fs.writeFileSync(file, torchZip(pkl, storages, "pytorch_model"));
  try {
    await readTorchCheckpoint(file);
  } catch (err) {
    assert.equal((err as Error).constructor, Error, `plain Error expected, got ${(err as Error).constructor.name}: ${(err as Error).message}`);
    const message = (err as Error).message;
    assert.ok(!/[\r\n]/.test(message), `one line expected: ${JSON.stringify(message)}`);
    assert.ok(message.includes(file), `the message names the file: ${message}`);
    assert.ok(!fs.existsSync(marker), "the payload ran: marker file exists");
    return { file, message };
  }
  assert.fail("a hostile pickle was accepted");
}

const shell = `touch ${marker}`;
const py = `open(${JSON.stringify(marker)}, "w").write("x")`;
const call1 = (module: string, name: string, arg: string): Buffer =>
  pickle(P.GLOBAL(module, name), P.BINUNICODE(arg), P.TUPLE1(), P.REDUCE());

/** A hostile value stored as a state dict entry, after a real tensor (pickle ends with SETITEM + STOP). */
const asEntry = (value: Buffer): Buffer => pickle(
  P.PROTO(2), P.GLOBAL("collections", "OrderedDict"), P.EMPTY_TUPLE(), P.REDUCE(),
  P.MARK(), P.BINUNICODE(w.name), tensorOps(w), P.SETITEMS(),
  P.BINUNICODE("evil"), value, P.SETITEM(), P.STOP(),
);

test("the state dict prefix used by the hostile cases is itself readable", async () => {
  const file = path.join(tmp, "ok", "pytorch_model.bin");
  fs.mkdirSync(path.dirname(file));
  fs.writeFileSync(file, torchZip(asEntry(pickle(P.BININT1(7))), storages, "pytorch_model"));
  const weights = await readTorchCheckpoint(file);
  assert.deepEqual([...weights.keys()], ["w"]);
  assert.deepEqual([...(weights.get("w")!.data as Float32Array)], [1, 2]);
});

for (const [module, name, arg] of [
  ["os", "system", shell], ["posix", "system", shell], ["nt", "system", shell], ["builtins", "eval", py], ["builtins", "exec", py],
  ["__builtin__", "eval", py], ["subprocess", "check_call", shell], ["builtins", "getattr", "x"], ["torch", "load", marker],
  ["torch.serialization", "load", marker], ["numpy.core.multiarray", "_reconstruct", "x"], ["torch._utils", "_rebuild_tensor_v2\u0000", "x"],
] as const) {
  test(`GLOBAL ${module}.${name} + REDUCE is refused by name and not run`, async () => {
    const { message } = await refusal(asEntry(call1(module, name, arg)));
    assert.ok(message.includes(`${module}.${name}`.replace("\u0000", "\\u0000")) || message.includes(`${module}.${name}`), message);
    assert.match(message, /not allowed|refused/);
  });
}

test("a foreign global alone (no REDUCE), as the first opcode, is refused", async () => {
  const { message } = await refusal(pickle(P.PROTO(2), P.GLOBAL("os", "system"), P.STOP()));
  assert.match(message, /os\.system/);
});

test("a foreign global hidden inside a tensor's rebuild arguments is refused", async () => {
  const pkl = pickle(
    P.PROTO(2), P.GLOBAL("collections", "OrderedDict"), P.EMPTY_TUPLE(), P.REDUCE(), P.BINUNICODE("w"),
    P.GLOBAL("torch._utils", "_rebuild_tensor_v2"), P.MARK(),
    P.MARK(), P.BINUNICODE("storage"), P.GLOBAL("torch", "FloatStorage"), P.BINUNICODE("0"), P.BINUNICODE("cpu"), P.BININT(2), P.TUPLE(), P.BINPERSID(),
    P.BININT(0), P.MARK(), P.BININT(2), P.TUPLE(), P.MARK(), P.BININT(1), P.TUPLE(), P.NEWFALSE(),
    call1("posix", "system", shell), // backward_hooks slot
    P.TUPLE(), P.REDUCE(), P.SETITEM(), P.STOP(),
  );
  const { message } = await refusal(pkl);
  assert.match(message, /posix\.system/);
});

test("STACK_GLOBAL with names from the memo (computed, not literal GLOBAL) is refused by name", async () => {
  const pkl = asEntry(pickle(
    P.MARK(), P.BINUNICODE("os"), P.BINPUT(200), P.BINUNICODE("system"), P.BINPUT(201), P.TUPLE(),
    P.BINGET(200), P.BINGET(201), P.STACK_GLOBAL(), P.BINUNICODE(shell), P.TUPLE1(), P.REDUCE(), P.TUPLE2(),
  ));
  const { message } = await refusal(pkl);
  assert.match(message, /os\.system/);
});

test("STACK_GLOBAL with names that are not strings, or that probe JavaScript prototypes, is refused", async () => {
  const { message: m1 } = await refusal(asEntry(pickle(P.BININT(1), P.BININT(2), P.STACK_GLOBAL())));
  assert.match(m1, /STACK_GLOBAL/);
  for (const [module, name] of [["constructor", "constructor"], ["__proto__", "toString"], ["collections", "OrderedDict.__init__.__globals__"], ["builtins", "__import__"]]) {
    const { message } = await refusal(asEntry(pickle(P.BINUNICODE(module!), P.BINUNICODE(name!), P.STACK_GLOBAL(), P.EMPTY_TUPLE(), P.REDUCE())));
    assert.ok(message.includes(`${module}.${name}`), message);
  }
});

test("INST (global + MARK args, a call in one opcode) names the global and is refused", async () => {
  const { message } = await refusal(asEntry(pickle(P.MARK(), P.BINUNICODE(shell), P.INST("os", "system"))));
  assert.match(message, /os\.system/);
  const { message: allowed } = await refusal(asEntry(pickle(P.MARK(), P.INST("collections", "OrderedDict"))));
  assert.match(allowed, /collections\.OrderedDict/);
});

test("OBJ and NEWOBJ / NEWOBJ_EX on a foreign class are refused by name; on an allowed class they are refused too", async () => {
  const argv = pickle(P.EMPTY_LIST(), P.MARK(), P.BINUNICODE("sh"), P.BINUNICODE("-c"), P.BINUNICODE(shell), P.APPENDS());
  const { message: obj } = await refusal(asEntry(pickle(P.MARK(), P.GLOBAL("subprocess", "Popen"), argv, P.OBJ())));
  assert.match(obj, /subprocess\.Popen/);
  const { message: newobj } = await refusal(asEntry(pickle(P.GLOBAL("subprocess", "Popen"), P.BINUNICODE(shell), P.TUPLE1(), P.NEWOBJ())));
  assert.match(newobj, /subprocess\.Popen/);
  const { message: obj2 } = await refusal(asEntry(pickle(P.MARK(), P.GLOBAL("collections", "OrderedDict"), P.OBJ())));
  assert.match(obj2, /collections\.OrderedDict/);
  const { message: newobj2 } = await refusal(asEntry(pickle(P.GLOBAL("torch", "FloatStorage"), P.EMPTY_TUPLE(), P.NEWOBJ())));
  assert.match(newobj2, /torch\.FloatStorage/);
  const { message: ex } = await refusal(asEntry(pickle(P.GLOBAL("collections", "OrderedDict"), P.EMPTY_TUPLE(), P.EMPTY_DICT(), P.NEWOBJ_EX())));
  assert.match(ex, /collections\.OrderedDict/);
});

test("REDUCE outside the allow-list: on a storage class, a string, a list, a tensor; wrong arguments to allowed callables", async () => {
  const { message: storage } = await refusal(asEntry(pickle(P.GLOBAL("torch", "HalfStorage"), P.EMPTY_TUPLE(), P.REDUCE())));
  assert.match(storage, /torch\.HalfStorage/);
  const { message: str } = await refusal(asEntry(pickle(P.BINUNICODE("os.system"), P.BINUNICODE(shell), P.TUPLE1(), P.REDUCE())));
  assert.match(str, /REDUCE/);
  const { message: list } = await refusal(asEntry(pickle(P.EMPTY_LIST(), P.EMPTY_TUPLE(), P.REDUCE())));
  assert.match(list, /REDUCE/);
  const { message: od } = await refusal(asEntry(pickle(P.GLOBAL("collections", "OrderedDict"), P.BINUNICODE("a"), P.BININT1(1), P.TUPLE2(), P.TUPLE1(), P.TUPLE1(), P.REDUCE())));
  assert.match(od, /collections\.OrderedDict/);
});

test("BUILD tricks: __setstate__-style state on a global, on a list, and a state dict carrying a foreign global", async () => {
  const { message: onGlobal } = await refusal(asEntry(pickle(P.GLOBAL("collections", "OrderedDict"), P.EMPTY_DICT(), P.BUILD())));
  assert.match(onGlobal, /BUILD/);
  const { message: onList } = await refusal(asEntry(pickle(P.EMPTY_LIST(), P.EMPTY_DICT(), P.BUILD())));
  assert.match(onList, /BUILD/);
  const { message: state } = await refusal(asEntry(pickle(
    P.GLOBAL("collections", "OrderedDict"), P.EMPTY_TUPLE(), P.REDUCE(),
    P.EMPTY_DICT(), P.BINUNICODE("__setstate__"), P.GLOBAL("builtins", "exec"), P.SETITEM(), P.BUILD(),
  )));
  assert.match(state, /builtins\.exec/);
});

test("extension codes, text persistent ids and memo tricks are refused with a clear reason", async () => {
  const { message: ext } = await refusal(asEntry(pickle(P.EXT1(1), P.EMPTY_TUPLE(), P.REDUCE())));
  assert.match(ext, /opcode|EXT/);
  const { message: persid } = await refusal(asEntry(pickle(P.PERSID("storage"))));
  assert.match(persid, /opcode|PERSID|persistent/);
  const { message: memo } = await refusal(asEntry(pickle(P.LONG_BINGET(0xffffffff))));
  assert.match(memo, /memo/);
  const { message: memoBig } = await refusal(asEntry(pickle(P.NONE(), P.LONG_BINPUT(0xffffffff), P.LONG_BINGET(0xfffffffe))));
  assert.match(memoBig, /memo/);
});

test("huge claimed lengths are checked against the bytes present, not allocated", async () => {
  for (const op of [P.BINUNICODE("abc", 0xffffffff), P.BINBYTES(Buffer.from("abc"), 0xffffffff), P.BINUNICODE8("abc", 1n << 62n),
    P.BINBYTES8(Buffer.from("abc"), 1n << 62n), P.LONG4(Buffer.from("abc"), 0x7fffffff)]) {
    const { message } = await refusal(asEntry(op));
    assert.match(message, /truncated|exceeds|length|unsupported/);
  }
  // A FRAME header is only a read-ahead hint: one claiming 2^62 bytes is ignored, and nothing is allocated for it.
  const file = path.join(tmp, "frame", "pytorch_model.bin");
  fs.mkdirSync(path.dirname(file));
  fs.writeFileSync(file, torchZip(asEntry(pickle(P.FRAME(1n << 62n), P.BININT1(1))), storages, "pytorch_model"));
  assert.deepEqual([...(await readTorchCheckpoint(file)).keys()], ["w"]);
});

test("deep nesting (a million nested lists, a million MARKs) is refused or parsed without a stack overflow", async () => {
  const { message: marks } = await refusal(pickle(P.PROTO(2), Buffer.alloc(1_000_000, 0x28), P.STOP()));
  assert.match(marks, /MARK|nesting|exceeds/);
  const { message: lists } = await refusal(pickle(P.PROTO(2), Buffer.alloc(200_000, 0x5d), Buffer.alloc(199_999, 0x61), P.STOP()));
  assert.match(lists, /state dict|list/);
});

test("readCheckpoint (config.json + pytorch_model.bin) refuses a hostile pickle the same way", async () => {
  const dir = path.join(tmp, "ckpt");
  fs.mkdirSync(dir);
  fs.copyFileSync(path.join(__dirname, "..", "fixtures", "gpt-neox", "tiny-neox-a", "config.json"), path.join(dir, "config.json"));
  fs.writeFileSync(path.join(dir, "pytorch_model.bin"), torchZip(asEntry(call1("os", "system", shell)), storages, "pytorch_model"));
  await assert.rejects(readCheckpoint(dir), (err: Error) => {
    assert.match(err.message, /os\.system/);
    assert.ok(!/[\r\n]/.test(err.message));
    return true;
  });
  assert.ok(!fs.existsSync(marker));
});

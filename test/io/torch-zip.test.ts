/**
 * PyTorch zip checkpoints: the real fixtures, strided views, ZIP64 with a storage beyond 4 GiB (sparse file), and
 * every refusal (truncation, foreign globals, unknown storages, pickle guards), each a one-line error naming the file.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readTorchCheckpoint } from "../../src/io/torch-zip";
import { readSafetensors } from "../../src/io/safetensors";
import { unpickle } from "../../src/io/pickle";
import { P, pickle, stateDictPickle } from "../helpers/pickle-writer";
import { torchZip } from "../helpers/store-zip";
import { writeZip64 } from "./zip64-writer";
import { oneLine } from "./assert-one-line";

const TINY = path.join(__dirname, "..", "fixtures", "gpt-neox", "tiny-neox-a");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "torch-zip-"));
const f32bytes = (xs: number[]): Uint8Array => new Uint8Array(Float32Array.from(xs).buffer);

test("tiny-neox-a pytorch_model.bin holds exactly model.safetensors' tensors", async () => {
  const bin = await readTorchCheckpoint(path.join(TINY, "pytorch_model.bin"));
  const st = await readSafetensors(path.join(TINY, "model.safetensors"));
  assert.deepEqual([...bin.keys()].sort(), [...st.keys()].sort());
  for (const [name, t] of st) {
    assert.deepEqual(bin.get(name)!.shape, t.shape, name);
    assert.deepEqual(bin.get(name)!.data, t.data, name);
  }
  const raw = await readTorchCheckpoint(path.join(TINY, "pytorch_model.bin"), { widen: false, filter: (n) => n.endsWith("embed_in.weight") });
  assert.equal(raw.size, 1);
  assert.equal(raw.get("gpt_neox.embed_in.weight")!.dtype, "float16");
});

test("strided views (a transposed tensor sharing a storage) are gathered in row-major order", async () => {
  const storage = f32bytes([0, 1, 2, 3, 4, 5]); // a 2x3 matrix
  const pkl = stateDictPickle([
    { name: "m", storageClass: "FloatStorage", key: "0", numel: 6, shape: [2, 3] },
    { name: "mT", storageClass: "FloatStorage", key: "0", numel: 6, shape: [3, 2], stride: [1, 3] },
    { name: "row1", storageClass: "FloatStorage", key: "0", numel: 6, shape: [3], offset: 3 },
  ]);
  const file = path.join(tmp, "views.bin");
  fs.writeFileSync(file, torchZip(pkl, { "0": storage }));
  const t = await readTorchCheckpoint(file);
  assert.deepEqual(Array.from(t.get("mT")!.data as Float32Array), [0, 3, 1, 4, 2, 5]);
  assert.deepEqual(Array.from(t.get("row1")!.data as Float32Array), [3, 4, 5]);
  assert.deepEqual(t.get("mT")!.shape, [3, 2]);
});

test("ZIP64: a storage placed beyond 4 GiB in a sparse 4.5 GB file is read by offset", async () => {
  const file = path.join(tmp, "zip64.bin");
  const pkl = stateDictPickle([{ name: "w", storageClass: "FloatStorage", key: "0", numel: 4, shape: [2, 2] }]);
  writeZip64(file, [
    { name: "archive/data.pkl", data: pkl },
    { name: "archive/data/0", data: f32bytes([1.5, -2, 3.25, 1e-3]), at: 4.5e9 },
  ]);
  assert.ok(fs.statSync(file).size > 2 ** 32);
  const t = await readTorchCheckpoint(file);
  assert.deepEqual(Array.from(t.get("w")!.data as Float32Array), Array.from(Float32Array.from([1.5, -2, 3.25, 1e-3])));
  fs.rmSync(file);
});

test("truncated .bin files are refused naming the file", async () => {
  const whole = fs.readFileSync(path.join(TINY, "pytorch_model.bin"));
  const cut = path.join(tmp, "cut.bin");
  fs.writeFileSync(cut, whole.subarray(0, whole.length >> 1));
  await assert.rejects(readTorchCheckpoint(cut), oneLine(/cut\.bin: not a zip file \(no end-of-central-directory record; truncated/));
  // Keep the directory but drop bytes from the middle: a storage now claims bytes past the end.
  const pkl = stateDictPickle([{ name: "w", storageClass: "FloatStorage", key: "0", numel: 1000, shape: [1000] }]);
  const short = path.join(tmp, "short.bin");
  fs.writeFileSync(short, torchZip(pkl, { "0": f32bytes([1, 2, 3]) }));
  await assert.rejects(readTorchCheckpoint(short), oneLine(/short\.bin: truncated: storage of 'w' has 12 bytes, its header claims 4000/));
});

test("a pickle asking for os.system is refused by name and never executed", async () => {
  const marker = path.join(tmp, "pwned");
  const evil = pickle(P.PROTO(2), P.GLOBAL("os", "system"), P.BINUNICODE(`touch ${marker}`), P.TUPLE1(), P.REDUCE(), P.STOP());
  const file = path.join(tmp, "evil.bin");
  fs.writeFileSync(file, torchZip(evil));
  await assert.rejects(readTorchCheckpoint(file), oneLine(/evil\.bin: archive\/data\.pkl: pickle asks for global 'os\.system', which is not allowed .*refused, nothing was executed/));
  assert.equal(fs.existsSync(marker), false);
  const viaStack = pickle(P.PROTO(4), P.SHORT_BINUNICODE("builtins"), P.SHORT_BINUNICODE("eval"), P.STACK_GLOBAL(), P.STOP());
  assert.throws(() => unpickle(viaStack, { where: "x.pkl", globals: {} }), oneLine(/x\.pkl: pickle asks for global 'builtins\.eval'/));
});

test("unknown storage types, missing storages and legacy files are refused", async () => {
  const odd = stateDictPickle([{ name: "w", storageClass: "ComplexFloatStorage", key: "0", numel: 1, shape: [1] }]);
  fs.writeFileSync(path.join(tmp, "odd.bin"), torchZip(odd, { "0": f32bytes([1, 2]) }));
  await assert.rejects(readTorchCheckpoint(path.join(tmp, "odd.bin")), oneLine(/odd\.bin: .*'torch\.ComplexFloatStorage', which is not allowed/));
  const lost = stateDictPickle([{ name: "w", storageClass: "FloatStorage", key: "7", numel: 1, shape: [1] }]);
  fs.writeFileSync(path.join(tmp, "lost.bin"), torchZip(lost));
  await assert.rejects(readTorchCheckpoint(path.join(tmp, "lost.bin")), oneLine(/lost\.bin: storage 7 of 'w' is missing from the archive/));
  fs.writeFileSync(path.join(tmp, "legacy.bin"), Buffer.from([0x80, 0x02, 0x8a, 0x0a]));
  await assert.rejects(readTorchCheckpoint(path.join(tmp, "legacy.bin")), oneLine(/legacy\.bin: legacy \(pre-1\.6, non-zip\) torch format/));
  await assert.rejects(readTorchCheckpoint(path.join(tmp, "absent.bin")), oneLine(/absent\.bin: cannot open: ENOENT/));
});

test("pickle guards: nesting depth, memo size, lying lengths, unknown opcodes", () => {
  const g = { where: "g.pkl", globals: {} };
  const deep = pickle(P.PROTO(2), ...Array.from({ length: 2000 }, () => P.MARK()), P.STOP());
  assert.throws(() => unpickle(deep, g), oneLine(/g\.pkl: MARK nesting exceeds 1000/));
  const memo = pickle(P.PROTO(2), P.NONE(), ...Array.from({ length: 20 }, (_, i) => P.LONG_BINPUT(i * 1000003)), P.STOP());
  assert.throws(() => unpickle(memo, { ...g, maxMemo: 10 }), oneLine(/memo exceeds 10 entries/));
  const liar = pickle(P.PROTO(2), P.BINUNICODE("abc", 0x7fffffff), P.STOP());
  assert.throws(() => unpickle(liar, g), oneLine(/g\.pkl: truncated pickle: needs 2147483647 more bytes/));
  const liar8 = pickle(P.PROTO(4), P.BINUNICODE8("abc", 1n << 60n), P.STOP());
  assert.throws(() => unpickle(liar8, g), oneLine(/exceeds the pickle's/));
  assert.throws(() => unpickle(pickle(P.PROTO(2), P.INST("os", "system"), P.STOP()), g), oneLine(/global .os\.system., which is not allowed/));
  assert.throws(() => unpickle(pickle(P.PROTO(2), P.NONE()), g), oneLine(/truncated pickle/));
  assert.deepEqual(unpickle(pickle(P.PROTO(2), P.MARK(), P.BININT(-5), P.LONG1([0xff, 0x7f]), P.BINFLOAT(0.5), P.NONE(), P.NEWTRUE(), P.TUPLE(), P.STOP()), g), [-5, 32767, 0.5, null, true]);
});

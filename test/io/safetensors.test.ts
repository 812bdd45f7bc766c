/**
 * safetensors: round trip of every dtype, F16/BF16 widening against known bit patterns, and one-line errors for
 * truncated files, a header length past the end, unknown dtypes and inconsistent offsets.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readSafetensors, readSafetensorsHeader, writeSafetensors } from "../../src/io/safetensors";
import { floatToHalf, halfToFloat, type HostTensor } from "../../src/io/host-tensor";
import { oneLine } from "./assert-one-line";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "safetensors-"));
const TINY = path.join(__dirname, "..", "fixtures", "gpt-neox", "tiny-neox-a");

/** A safetensors file with a hand-written header and `data` bytes after it. */
function craft(name: string, header: unknown, data: Uint8Array = new Uint8Array(0), claimedLen?: bigint): string {
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(claimedLen ?? BigInt(json.length));
  const file = path.join(tmp, name);
  fs.writeFileSync(file, Buffer.concat([len, json, data]));
  return file;
}

test("every dtype round-trips; F16 and BF16 are widened to float32 on read", async () => {
  const tensors: Record<string, HostTensor> = {
    f64: { dtype: "float64", shape: [2], data: Float64Array.from([Math.PI, -1e300]) },
    f32: { dtype: "float32", shape: [2, 2], data: Float32Array.from([1, -2, 3.5, 1e-40]) },
    // float16 bits: 0x3c00 = 1, 0xc000 = -2, 0x7bff = 65504 (max), 0x0001 = 2^-24 (smallest subnormal)
    f16: { dtype: "float16", shape: [4], data: Uint16Array.from([0x3c00, 0xc000, 0x7bff, 0x0001]) },
    // bfloat16 bits: 0x3f80 = 1, 0x4049 = 3.140625, 0xff80 = -inf
    bf16: { dtype: "bfloat16", shape: [3], data: Uint16Array.from([0x3f80, 0x4049, 0xff80]) },
    i8: { dtype: "int8", shape: [2], data: Int8Array.from([-128, 127]) },
    u8: { dtype: "uint8", shape: [2], data: Uint8Array.from([0, 255]) },
    i16: { dtype: "int16", shape: [1], data: Int16Array.from([-32768]) },
    i32: { dtype: "int32", shape: [1, 1, 1], data: Int32Array.from([-2147483648]) },
    i64: { dtype: "int64", shape: [2], data: BigInt64Array.from([-(2n ** 63n), 2n ** 62n]) },
    bool: { dtype: "bool", shape: [3], data: Uint8Array.from([1, 0, 1]) },
    scalar: { dtype: "float32", shape: [], data: Float32Array.from([7]) },
    empty: { dtype: "float32", shape: [0, 3], data: new Float32Array(0) },
  };
  const file = path.join(tmp, "all.safetensors");
  await writeSafetensors(file, tensors);
  assert.equal(fs.readdirSync(tmp).some((f) => f.includes(".tmp-")), false, "no temporary file left");
  const headerLen = Number(fs.readFileSync(file).readBigUInt64LE(0));
  assert.equal((8 + headerLen) % 8, 0, "data starts 8-byte aligned");
  const raw = await readSafetensors(file, { widen: false });
  for (const [name, t] of Object.entries(tensors)) {
    assert.equal(raw.get(name)!.dtype, t.dtype, name);
    assert.deepEqual(raw.get(name)!.shape, t.shape, name);
    assert.deepEqual(raw.get(name)!.data, t.data, name);
  }
  const wide = await readSafetensors(file);
  assert.equal(wide.get("f16")!.dtype, "float32");
  assert.deepEqual(Array.from(wide.get("f16")!.data as Float32Array), [1, -2, 65504, 2 ** -24]);
  assert.deepEqual(Array.from(wide.get("bf16")!.data as Float32Array), [1, 3.140625, -Infinity]);
  const { entries } = await readSafetensorsHeader(file);
  assert.equal(entries.length, Object.keys(tensors).length);
});

test("float16 conversion rounds to nearest even like torch", () => {
  // numpy: np.float16(x).view(np.uint16) for x in [1/3, 65519, 65520, 1e-8, 2**-25, 3*2**-25, -0.0, nan]
  const cases: [number, number][] = [[1 / 3, 0x3555], [65519, 0x7bff], [65520, 0x7c00], [1e-8, 0x0000], [2 ** -25, 0x0000], [3 * 2 ** -25, 0x0002], [-0, 0x8000]];
  for (const [x, bits] of cases) assert.equal(floatToHalf(x), bits, `floatToHalf(${x})`);
  assert.ok(Number.isNaN(halfToFloat(floatToHalf(NaN))));
  for (let h = 0; h < 0x7c00; h += 97) assert.equal(floatToHalf(halfToFloat(h)), h);
});

test("reads the fixture with F16 weights and F32/I32 outputs", async () => {
  const w = await readSafetensors(path.join(TINY, "model.safetensors"));
  assert.deepEqual(w.get("gpt_neox.layers.0.attention.query_key_value.weight")!.shape, [192, 64]);
  const e = await readSafetensors(path.join(TINY, "expected.safetensors"));
  assert.equal(e.get("input_ids")!.dtype, "int32");
});

test("truncated files, header length past the end, unknown dtypes and bad offsets are one-line errors naming the file", async () => {
  const whole = fs.readFileSync(path.join(TINY, "model.safetensors"));
  const cut = path.join(tmp, "cut.safetensors");
  fs.writeFileSync(cut, whole.subarray(0, whole.length - 1000));
  await assert.rejects(readSafetensors(cut), oneLine(/cut\.safetensors: truncated: tensor '.+' needs bytes up to \d+ but the file has \d+/));
  fs.writeFileSync(cut, whole.subarray(0, 5));
  await assert.rejects(readSafetensors(cut), oneLine(/cut\.safetensors: truncated: 5 bytes/));
  const past = craft("past.safetensors", {}, new Uint8Array(0), 1_000_000n);
  await assert.rejects(readSafetensors(past), oneLine(/past\.safetensors: header length 1000000 runs past the end of the file/));
  const huge = craft("huge.safetensors", {}, new Uint8Array(0), 2n ** 63n);
  await assert.rejects(readSafetensors(huge), oneLine(/huge\.safetensors: header length 9223372036854775808 runs past the end/));
  const unknown = craft("unknown.safetensors", { w: { dtype: "Q4", shape: [2], data_offsets: [0, 2] } }, new Uint8Array(2));
  await assert.rejects(readSafetensors(unknown), oneLine(/unknown\.safetensors: tensor 'w' has unknown dtype 'Q4'/));
  const mismatch = craft("mismatch.safetensors", { w: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8));
  await assert.rejects(readSafetensors(mismatch), oneLine(/mismatch\.safetensors: tensor 'w' spans 8 bytes but F32 \[3\] needs 12/));
  const shape = craft("shape.safetensors", { w: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4));
  await assert.rejects(readSafetensors(shape), oneLine(/shape\.safetensors: tensor 'w' has an invalid shape \[-1\]/));
  const beyond = craft("beyond.safetensors", { w: { dtype: "F32", shape: [1e6], data_offsets: [0, 4e6] } }, new Uint8Array(16));
  await assert.rejects(readSafetensors(beyond), oneLine(/beyond\.safetensors: truncated: tensor 'w' needs bytes up to/));
  const notJson = craft("notjson.safetensors", {});
  fs.writeFileSync(notJson, Buffer.concat([Buffer.from([4, 0, 0, 0, 0, 0, 0, 0]), Buffer.from("{{{{")]));
  await assert.rejects(readSafetensors(notJson), oneLine(/notjson\.safetensors: header is not valid JSON/));
  await assert.rejects(writeSafetensors(path.join(tmp, "bad.safetensors"), { w: { dtype: "float32", shape: [3], data: new Float32Array(2) } }), oneLine(/tensor 'w' has 8 bytes of data but float32 \[3\] needs 12/));
});

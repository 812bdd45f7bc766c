/**
 * safetensors files (https://huggingface.co/docs/safetensors): an 8-byte little-endian header length N, N bytes of
 * JSON `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {...}}`, then the tensors' bytes with
 * offsets relative to the end of the header. Tensors are read one by one at their offsets (files may exceed 2 GiB).
 */
import * as fs from "node:fs";
import {
  DTYPE_BYTES, bytesOf, isValidShape, numElements, typedArrayFromBytes, widenHalf,
  type HostDType, type HostTensor,
} from "./host-tensor";
import { openForRead, readAt } from "./host-tensor-file";
import { describeValue, printable } from "../util/one-line";
import { writeFileAtomicWith } from "../util/atomic-write";

const FROM_ST: Readonly<Record<string, HostDType>> = {
  F16: "float16", BF16: "bfloat16", F32: "float32", F64: "float64",
  I8: "int8", U8: "uint8", I16: "int16", I32: "int32", I64: "int64", BOOL: "bool",
};
const TO_ST: Readonly<Record<HostDType, string>> = Object.fromEntries(
  Object.entries(FROM_ST).map(([k, v]) => [v, k]),
) as Record<HostDType, string>;

/** Headers above this size are refused (the format's own readers use 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsEntry {
  name: string;
  dtype: HostDType;
  shape: number[];
  /** Absolute byte range in the file. */
  begin: number;
  end: number;
}

export interface ReadTensorsOptions {
  /** Widen float16/bfloat16 to float32 (default true). */
  widen?: boolean;
  /** Only tensors whose name passes are read (the others are skipped without reading their bytes). */
  filter?: (name: string) => boolean;
}

/** Reads and validates the header: every entry's dtype, shape and byte range (inside the file, matching the shape). */
export async function readSafetensorsHeader(file: string): Promise<{ entries: SafetensorsEntry[]; metadata: Record<string, string> }> {
  const { handle, size } = await openForRead(file);
  try {
    return await readHeaderFrom(handle, file, size);
  } finally {
    await handle.close();
  }
}

async function readHeaderFrom(handle: fs.promises.FileHandle, file: string, size: number): Promise<{ entries: SafetensorsEntry[]; metadata: Record<string, string> }> {
  if (size < 8) throw new Error(`${file}: truncated: ${size} bytes, a safetensors file starts with an 8-byte header length`);
  const lenBytes = await readAt(handle, file, 0, 8, "the header length");
  const headerLen = new DataView(lenBytes.buffer).getBigUint64(0, true);
  if (headerLen > BigInt(size - 8)) throw new Error(`${file}: header length ${headerLen} runs past the end of the file (${size} bytes)`);
  if (headerLen > BigInt(MAX_HEADER_BYTES)) throw new Error(`${file}: header length ${headerLen} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  const n = Number(headerLen);
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(await readAt(handle, file, 8, n, "the header")).toString("utf8"));
  } catch (err) {
    throw new Error(`${file}: header is not valid JSON: ${printable((err as Error).message)}`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) throw new Error(`${file}: header is not a JSON object`);
  const dataStart = 8 + n;
  const entries: SafetensorsEntry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      metadata = (raw ?? {}) as Record<string, string>;
      continue;
    }
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== "object" || e === null) throw new Error(`${file}: tensor '${printable(name)}': entry is not an object`);
    const dtype = FROM_ST[String(e.dtype)];
    if (!dtype) throw new Error(`${file}: tensor '${printable(name)}' has unknown dtype '${describeValue(e.dtype)}' (known: ${Object.keys(FROM_ST).join(", ")})`);
    if (!isValidShape(e.shape)) throw new Error(`${file}: tensor '${printable(name)}' has an invalid shape ${JSON.stringify(e.shape)}`);
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((v) => Number.isSafeInteger(v) && v >= 0) || off[1] < off[0]) {
      throw new Error(`${file}: tensor '${printable(name)}' has invalid data_offsets ${JSON.stringify(off)}`);
    }
    const expected = numElements(e.shape) * DTYPE_BYTES[dtype];
    if (off[1] - off[0] !== expected) {
      throw new Error(`${file}: tensor '${printable(name)}' spans ${off[1] - off[0]} bytes but ${String(e.dtype)} ${JSON.stringify(e.shape)} needs ${expected}`);
    }
    const begin = dataStart + (off[0] as number);
    const end = dataStart + (off[1] as number);
    if (end > size) throw new Error(`${file}: truncated: tensor '${printable(name)}' needs bytes up to ${end} but the file has ${size}`);
    entries.push({ name, dtype, shape: e.shape, begin, end });
  }
  return { entries, metadata };
}

/** One tensor of a checkpoint file, located but not read: {@link LazyTensor.read} fetches its bytes by offset. */
export interface LazyTensor {
  name: string;
  dtype: HostDType;
  shape: number[];
  /** The tensor's raw values (float16/bfloat16 as their 16-bit patterns, never widened). */
  read(): Promise<HostTensor>;
  /**
   * Rows [first, first + count) of the tensor (rows along its first axis), raw; only those bytes are read when the
   * tensor is stored contiguously (safetensors always, torch storages unless a strided view).
   */
  readRows(first: number, count: number): Promise<HostTensor>;
}

/** An open checkpoint file whose tensors are read one by one; close it when done. */
export interface OpenTensorFile {
  file: string;
  tensors: Map<string, LazyTensor>;
  close(): Promise<void>;
}

/** Rows [first, first + count) of a row-major tensor stored contiguously from byte `begin`, read by offset. */
export async function readContiguousRows(
  handle: fs.promises.FileHandle, file: string, name: string, dtype: HostDType, shape: number[], begin: number, first: number, count: number,
): Promise<HostTensor> {
  const rows = shape[0] ?? 1;
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(count) || first < 0 || count < 0 || first + count > rows) {
    throw new Error(`${file}: tensor '${printable(name)}': rows ${first}..${first + count} are outside its ${rows} rows`);
  }
  const rowBytes = (numElements(shape) / Math.max(rows, 1)) * DTYPE_BYTES[dtype];
  const bytes = await readAt(handle, file, begin + first * rowBytes, count * rowBytes, `tensor '${printable(name)}'`);
  return { dtype, shape: [count, ...shape.slice(1)], data: typedArrayFromBytes(dtype, bytes) };
}

/** Opens a safetensors file and validates its header; tensors are read later, each by its offset. */
export async function openSafetensors(file: string): Promise<OpenTensorFile> {
  const { handle, size } = await openForRead(file);
  try {
    const { entries } = await readHeaderFrom(handle, file, size);
    const tensors = new Map<string, LazyTensor>();
    for (const e of entries) {
      const readRows = (first: number, count: number): Promise<HostTensor> => readContiguousRows(handle, file, e.name, e.dtype, e.shape, e.begin, first, count);
      tensors.set(e.name, {
        name: e.name, dtype: e.dtype, shape: e.shape, readRows,
        read: async () => {
          const bytes = await readAt(handle, file, e.begin, e.end - e.begin, `tensor '${printable(e.name)}'`);
          return { dtype: e.dtype, shape: e.shape, data: typedArrayFromBytes(e.dtype, bytes) };
        },
      });
    }
    return { file, tensors, close: () => handle.close() };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/** Reads the tensors of an open file that pass `options.filter`, widened unless `widen: false`, and closes it. */
export async function readAllTensors(open: OpenTensorFile, options: ReadTensorsOptions = {}): Promise<Map<string, HostTensor>> {
  try {
    const out = new Map<string, HostTensor>();
    for (const [name, lazy] of open.tensors) {
      if (options.filter && !options.filter(name)) continue;
      const t = await lazy.read();
      out.set(name, options.widen === false ? t : widenHalf(t));
    }
    return out;
  } finally {
    await open.close();
  }
}

/** Reads every tensor of a safetensors file; F16/BF16 are widened to float32 unless `widen: false`. */
export async function readSafetensors(file: string, options: ReadTensorsOptions = {}): Promise<Map<string, HostTensor>> {
  return readAllTensors(await openSafetensors(file), options);
}

/**
 * Writes tensors as a safetensors file, atomically (temporary file, fsync, rename), tensor by tensor so the whole
 * file is never held in memory. Names are written in the order given; the header is padded to 8 bytes.
 */
export async function writeSafetensors(
  file: string,
  tensors: Map<string, HostTensor> | Record<string, HostTensor>,
  metadata: Record<string, string> = { format: "pt" },
): Promise<void> {
  const list = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of list) {
    const bytes = numElements(t.shape) * DTYPE_BYTES[t.dtype];
    if (t.data.byteLength !== bytes) {
      throw new Error(`writeSafetensors(${file}): tensor '${printable(name)}' has ${t.data.byteLength} bytes of data but ${t.dtype} ${JSON.stringify(t.shape)} needs ${bytes}`);
    }
    header[name] = { dtype: TO_ST[t.dtype], shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((Buffer.byteLength(json) + 8) % 8)) % 8);
  const headerBytes = Buffer.from(json, "utf8");
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(headerBytes.length));

  await writeFileAtomicWith(file, async (handle) => {
    await handle.write(prefix);
    await handle.write(headerBytes);
    for (const [, t] of list) await handle.write(bytesOf(t.data));
  });
}

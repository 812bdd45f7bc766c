/**
 * PyTorch checkpoints as torch.save writes them since 1.6 (`pytorch_model.bin`): a zip holding
 * `<archive>/data.pkl` (the pickled state dict, tensors as persistent references to storages) and
 * `<archive>/data/<key>` (each storage's raw little-endian bytes). The pickle runs in the safe VM of ./pickle with
 * an allow-list of globals; storages are read tensor by tensor at their file offsets, so multi-GB files work.
 */
import type * as fs from "node:fs";
import {
  DTYPE_BYTES, isValidShape, numElements, typedArrayFromBytes, type HostDType, type HostTensor,
} from "./host-tensor";
import { openForRead, readAt } from "./host-tensor-file";
import { PickleGlobal, unpickle, type PickleCallable } from "./pickle";
import { readAllTensors, readContiguousRows, type LazyTensor, type OpenTensorFile, type ReadTensorsOptions } from "./safetensors";
import { entryDataOffset, readZipDirectory, readZipEntry, type ZipEntry } from "./zip";
import { describeValue, printable } from "../util/one-line";

/** torch storage class -> dtype. */
export const TORCH_STORAGE_DTYPES: Readonly<Record<string, HostDType>> = {
  "torch.HalfStorage": "float16", "torch.BFloat16Storage": "bfloat16", "torch.FloatStorage": "float32",
  "torch.DoubleStorage": "float64", "torch.LongStorage": "int64", "torch.IntStorage": "int32",
  "torch.ShortStorage": "int16", "torch.CharStorage": "int8", "torch.ByteStorage": "uint8", "torch.BoolStorage": "bool",
};

interface StorageRef { key: string; dtype: HostDType; numel: number }
interface TensorRef { storage: StorageRef; offset: number; shape: number[]; stride: number[] }

const isInt = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function rebuildTensor(args: unknown[]): TensorRef {
  const [storage, offset, shape, stride] = args;
  if (!(storage && typeof storage === "object" && "key" in storage)) throw new Error("first argument is not a storage");
  if (!isInt(offset)) throw new Error(`storage offset ${describeValue(offset)} is not a non-negative integer`);
  if (!isValidShape(shape)) throw new Error(`size ${JSON.stringify(shape)} is not a list of non-negative integers`);
  if (!Array.isArray(stride) || stride.length !== shape.length || !stride.every(isInt)) throw new Error(`stride ${JSON.stringify(stride)} does not match size ${JSON.stringify(shape)}`);
  return { storage: storage as StorageRef, offset, shape, stride: stride as number[] };
}

/** The globals a state dict may name; everything else is refused by the pickle VM. */
function allowedGlobals(): Record<string, PickleCallable> {
  const g: Record<string, PickleCallable> = {
    "collections.OrderedDict": (args) => {
      if (args.length !== 0) throw new Error("only the empty constructor is supported");
      return new Map();
    },
    "torch._utils._rebuild_tensor_v2": rebuildTensor,
    "torch._utils._rebuild_parameter": (args) => args[0],
  };
  for (const name of Object.keys(TORCH_STORAGE_DTYPES)) g[name] = () => { throw new Error("storage types cannot be called"); };
  return g;
}

/** Tensor names and their storage references, from data.pkl (nothing read from storages yet). */
export function parseStateDictPickle(pkl: Uint8Array, where: string): Map<string, TensorRef> {
  const result = unpickle(pkl, {
    where,
    globals: allowedGlobals(),
    persistentLoad: (pid): StorageRef => {
      if (!Array.isArray(pid) || pid[0] !== "storage" || pid.length < 5) throw new Error(`${where}: unsupported persistent id ${JSON.stringify(pid)}`);
      const [, type, key, , numel] = pid as [string, unknown, unknown, unknown, unknown];
      const dtype = type instanceof PickleGlobal ? TORCH_STORAGE_DTYPES[type.qualname] : undefined;
      if (!dtype) throw new Error(`${where}: unknown storage type ${type instanceof PickleGlobal ? type.qualname : describeValue(type)}`);
      if (typeof key !== "string" || !/^[\w.-]+$/.test(key)) throw new Error(`${where}: bad storage key ${JSON.stringify(key)}`);
      if (!isInt(numel)) throw new Error(`${where}: storage ${key} has bad size ${describeValue(numel)}`);
      return { key, dtype, numel };
    },
  });
  if (!(result instanceof Map)) throw new Error(`${where}: the pickle holds a ${Array.isArray(result) ? "list" : typeof result}, expected a state dict`);
  const out = new Map<string, TensorRef>();
  for (const [name, value] of result) {
    if (typeof name !== "string") throw new Error(`${where}: state dict key ${describeValue(name)} is not a string`);
    if (value && typeof value === "object" && "storage" in value) out.set(name, value as TensorRef);
  }
  if (out.size === 0) throw new Error(`${where}: the state dict holds no tensors`);
  return out;
}

function isContiguous(shape: number[], stride: number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && stride[i] !== expected) return false;
    expected *= shape[i]!;
  }
  return true;
}

async function readTensor(handle: fs.promises.FileHandle, file: string, size: number, name: string, ref: TensorRef, entry: ZipEntry): Promise<HostTensor> {
  const { dtype } = ref.storage;
  const el = DTYPE_BYTES[dtype];
  const n = numElements(ref.shape);
  if (entry.method !== 0) throw new Error(`${file}: storage of '${printable(name)}' is compressed (method ${entry.method}); torch writes storages uncompressed`);
  if (entry.size < ref.storage.numel * el) throw new Error(`${file}: truncated: storage of '${printable(name)}' has ${entry.size} bytes, its header claims ${ref.storage.numel * el}`);
  if (n === 0) return { dtype, shape: ref.shape, data: typedArrayFromBytes(dtype, new Uint8Array(0)) };
  const last = ref.offset + ref.shape.reduce((acc, d, i) => acc + (d - 1) * ref.stride[i]!, 0); // highest element index used
  if ((last + 1) * el > entry.size) throw new Error(`${file}: tensor '${printable(name)}' [${ref.shape.join(", ")}] reaches past its storage (${entry.size} bytes)`);
  const start = await entryDataOffset(handle, file, size, entry);
  if (isContiguous(ref.shape, ref.stride)) {
    const bytes = await readAt(handle, file, start + ref.offset * el, n * el, `tensor '${printable(name)}'`);
    return { dtype, shape: ref.shape, data: typedArrayFromBytes(dtype, bytes) };
  }
  // A strided view: read the span it touches, then gather element by element in row-major order.
  const span = await readAt(handle, file, start + ref.offset * el, (last - ref.offset + 1) * el, `tensor '${printable(name)}'`);
  const out = new Uint8Array(n * el);
  const idx = new Array<number>(ref.shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    let src = 0;
    for (let d = 0; d < idx.length; d++) src += idx[d]! * ref.stride[d]!;
    out.set(span.subarray(src * el, src * el + el), i * el);
    for (let d = idx.length - 1; d >= 0; d--) {
      if (++idx[d]! < ref.shape[d]!) break;
      idx[d] = 0;
    }
  }
  return { dtype, shape: ref.shape, data: typedArrayFromBytes(dtype, out) };
}

/** Opens a torch zip checkpoint and parses its state dict; storages are read later, tensor by tensor, by offset. */
export async function openTorchCheckpoint(file: string): Promise<OpenTensorFile> {
  const { handle, size } = await openForRead(file);
  try {
    const magic = await readAt(handle, file, 0, Math.min(4, size), "the file signature");
    if (size < 4 || magic[0] !== 0x50 || magic[1] !== 0x4b) {
      if (magic[0] === 0x80) throw new Error(`${file}: legacy (pre-1.6, non-zip) torch format is not supported; re-save it with torch.save in a current PyTorch`);
      throw new Error(`${file}: not a PyTorch zip checkpoint (no zip signature)`);
    }
    const entries = await readZipDirectory(handle, file, size);
    const pklEntry = [...entries.values()].find((e) => e.name === "data.pkl" || e.name.endsWith("/data.pkl"));
    if (!pklEntry) throw new Error(`${file}: no data.pkl in the archive (not a torch.save file)`);
    const prefix = pklEntry.name.slice(0, pklEntry.name.length - "data.pkl".length);
    const order = entries.get(`${prefix}byteorder`);
    if (order) {
      const text = Buffer.from(await readZipEntry(handle, file, size, order, 16)).toString("utf8");
      if (text !== "little") throw new Error(`${file}: byte order '${printable(text)}' is not supported (only little-endian)`);
    }
    const pkl = await readZipEntry(handle, file, size, pklEntry, Math.min(size, 1 << 30));
    const refs = parseStateDictPickle(pkl, `${file}: ${pklEntry.name}`);
    const tensors = new Map<string, LazyTensor>();
    for (const [name, ref] of refs) {
      const entry = (): ZipEntry => {
        const e = entries.get(`${prefix}data/${ref.storage.key}`);
        if (!e) throw new Error(`${file}: storage ${ref.storage.key} of '${printable(name)}' is missing from the archive`);
        return e;
      };
      const read = (): Promise<HostTensor> => readTensor(handle, file, size, name, ref, entry());
      const readRows = async (first: number, count: number): Promise<HostTensor> => {
        const el = DTYPE_BYTES[ref.storage.dtype];
        if (!isContiguous(ref.shape, ref.stride) || ref.shape.length === 0) {
          const all = await read();
          const rowLen = numElements(ref.shape.slice(1));
          return { dtype: all.dtype, shape: [count, ...ref.shape.slice(1)], data: all.data.slice(first * rowLen, (first + count) * rowLen) as HostTensor["data"] };
        }
        const e = entry();
        if (e.method !== 0) return read(); // refused there with the reason
        if ((ref.offset + numElements(ref.shape)) * el > e.size) throw new Error(`${file}: tensor '${printable(name)}' [${ref.shape.join(", ")}] reaches past its storage (${e.size} bytes)`);
        const start = await entryDataOffset(handle, file, size, e);
        return readContiguousRows(handle, file, name, ref.storage.dtype, ref.shape, start + ref.offset * el, first, count);
      };
      tensors.set(name, { name, dtype: ref.storage.dtype, shape: ref.shape, read, readRows });
    }
    return { file, tensors, close: () => handle.close() };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/**
 * Reads a torch zip checkpoint; F16/BF16 are widened to float32 unless `widen: false`.
 * `filter` skips tensors without reading their storages.
 */
export async function readTorchCheckpoint(file: string, options: ReadTensorsOptions = {}): Promise<Map<string, HostTensor>> {
  return readAllTensors(await openTorchCheckpoint(file), options);
}

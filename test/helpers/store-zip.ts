/**
 * A tiny store-only (no compression) zip writer and reader for tests and the fuzz harness, enough to build
 * PyTorch's zip checkpoint layout (`<archive>/data.pkl`, `<archive>/data/<key>`, `<archive>/version`) and to take
 * real ones apart. `tamper` lets a test or the fuzzer write lies into the size, CRC, method and count fields.
 */
import * as zlib from "node:zlib";

export interface ZipEntry {
  name: string;
  data: Uint8Array;
}

/** A field of the local header (`local*`), the central directory record, or the end record (`eocd*`) to overwrite. */
export type ZipField =
  | "localMethod" | "localCrc" | "localCompSize" | "localSize" | "localNameLen" | "localExtraLen"
  | "method" | "crc" | "compSize" | "size" | "nameLen" | "extraLen" | "localHeaderOffset"
  | "eocdEntries" | "eocdTotalEntries" | "eocdCdSize" | "eocdCdOffset" | "eocdCommentLen";

export interface ZipTamper {
  /** The entry index (taken modulo the entry count) for per-entry fields. */
  entry: number;
  field: ZipField;
  value: number;
}

export interface WriteZipOptions {
  /** Pad each entry's data to a multiple of this many bytes from the file start, as torch.save does (64). */
  align?: number;
  tamper?: readonly ZipTamper[];
}

const u16 = (v: number): Buffer => { const b = Buffer.alloc(2); b.writeUInt16LE(v & 0xffff); return b; };
const u32 = (v: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); return b; };

/** Writes a store-only zip (no zip64: entries and the archive must stay under 4 GiB). */
export function writeStoreZip(entries: readonly ZipEntry[], options: WriteZipOptions = {}): Buffer {
  const align = options.align ?? 64;
  const tamper = options.tamper ?? [];
  const pick = (i: number, field: ZipField, v: number): number => {
    for (const t of tamper) if (t.field === field && entries.length > 0 && t.entry % entries.length === i) v = t.value;
    return v;
  };
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  entries.forEach((e, i) => {
    const name = Buffer.from(e.name, "utf8");
    const crc = zlib.crc32(e.data);
    const headerLen = 30 + name.length;
    let pad = align > 1 ? (align - ((offset + headerLen + 4) % align)) % align : 0;
    const extra = align > 1 ? Buffer.concat([u16(0x4646), u16(pad), Buffer.alloc(pad)]) : Buffer.alloc(0);
    if (align <= 1) pad = 0;
    const local = Buffer.concat([
      u32(0x04034b50), u16(20), u16(0x0800), u16(pick(i, "localMethod", 0)), u16(0), u16(0x21),
      u32(pick(i, "localCrc", crc)), u32(pick(i, "localCompSize", e.data.length)), u32(pick(i, "localSize", e.data.length)),
      u16(pick(i, "localNameLen", name.length)), u16(pick(i, "localExtraLen", extra.length)), name, extra,
    ]);
    central.push(Buffer.concat([
      u32(0x02014b50), u16(20), u16(20), u16(0x0800), u16(pick(i, "method", 0)), u16(0), u16(0x21),
      u32(pick(i, "crc", crc)), u32(pick(i, "compSize", e.data.length)), u32(pick(i, "size", e.data.length)),
      u16(pick(i, "nameLen", name.length)), u16(pick(i, "extraLen", 0)), u16(0), u16(0), u16(0), u32(0),
      u32(pick(i, "localHeaderOffset", offset)), name,
    ]));
    parts.push(local, Buffer.from(e.data));
    offset += local.length + e.data.length;
  });
  const cd = Buffer.concat(central);
  const eocd = Buffer.concat([
    u32(0x06054b50), u16(0), u16(0), u16(pick(0, "eocdEntries", entries.length)), u16(pick(0, "eocdTotalEntries", entries.length)),
    u32(pick(0, "eocdCdSize", cd.length)), u32(pick(0, "eocdCdOffset", offset)), u16(pick(0, "eocdCommentLen", 0)),
  ]);
  return Buffer.concat([...parts, cd, eocd]);
}

/** Reads the entries of a store-only zip through its central directory (a test helper: trusts its input). */
export function readStoreZip(buf: Uint8Array): ZipEntry[] {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  let eocd = -1;
  for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 0xffff); i--) if (b.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  if (eocd < 0) throw new Error("readStoreZip: no end of central directory record");
  const count = b.readUInt16LE(eocd + 10);
  let p = b.readUInt32LE(eocd + 16);
  const out: ZipEntry[] = [];
  for (let k = 0; k < count; k++) {
    if (b.readUInt16LE(p + 10) !== 0) throw new Error("readStoreZip: compressed entries are not supported");
    const size = b.readUInt32LE(p + 20);
    const nameLen = b.readUInt16LE(p + 28);
    const extraLen = b.readUInt16LE(p + 30);
    const commentLen = b.readUInt16LE(p + 32);
    const local = b.readUInt32LE(p + 42);
    const name = b.toString("utf8", p + 46, p + 46 + nameLen);
    const dataStart = local + 30 + b.readUInt16LE(local + 26) + b.readUInt16LE(local + 28);
    out.push({ name, data: b.subarray(dataStart, dataStart + size) });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** Wraps a pickle and its storages in PyTorch's zip layout: `<archive>/data.pkl`, `<archive>/data/<key>`, `<archive>/version`. */
export function torchZip(pickle: Uint8Array, storages: Record<string, Uint8Array> = {}, archive = "archive", options: WriteZipOptions = {}): Buffer {
  return writeStoreZip([
    { name: `${archive}/data.pkl`, data: pickle },
    { name: `${archive}/byteorder`, data: Buffer.from("little") },
    ...Object.entries(storages).map(([k, data]) => ({ name: `${archive}/data/${k}`, data })),
    { name: `${archive}/version`, data: Buffer.from("3\n") },
  ], options);
}

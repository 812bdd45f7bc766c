/**
 * A read-only ZIP directory reader for PyTorch checkpoints (torch.save writes an uncompressed zip, ZIP64 when
 * large). It reads the end-of-central-directory record, the ZIP64 records when present, the central directory and
 * each entry's local header, all by file offset; no size claimed by a header is trusted beyond the real file size.
 * Entries are stored (method 0) or deflated (method 8, small entries only).
 */
import * as fs from "node:fs";
import * as zlib from "node:zlib";
import { readAt } from "./host-tensor-file";
import { printable } from "../util/one-line";

export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflate. */
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;

function u64(view: DataView, off: number, file: string, what: string): number {
  const v = view.getBigUint64(off, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`${file}: ${what} ${v} is too large`);
  return Number(v);
}

/** Reads the central directory of a zip file opened as `handle` (`size` bytes). */
export async function readZipDirectory(handle: fs.promises.FileHandle, file: string, size: number): Promise<Map<string, ZipEntry>> {
  if (size < 22) throw new Error(`${file}: truncated: ${size} bytes is too small for a zip file`);
  const tailLen = Math.min(size, 22 + 65535 + 20);
  const tail = await readAt(handle, file, size - tailLen, tailLen, "the zip end record");
  const tv = new DataView(tail.buffer);
  let eocd = -1;
  for (let i = tailLen - 22; i >= 0; i--) {
    if (tv.getUint32(i, true) === EOCD_SIG) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error(`${file}: not a zip file (no end-of-central-directory record; truncated or not a torch.save file)`);
  let count = tv.getUint16(eocd + 10, true);
  let cdSize = tv.getUint32(eocd + 12, true);
  let cdOffset = tv.getUint32(eocd + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || tv.getUint32(loc, true) !== ZIP64_LOCATOR_SIG) throw new Error(`${file}: ZIP64 fields without a ZIP64 locator`);
    const z64Offset = u64(tv, loc + 8, file, "ZIP64 record offset");
    if (z64Offset + 56 > size) throw new Error(`${file}: truncated: the ZIP64 record at ${z64Offset} runs past the end (${size} bytes)`);
    const rec = new DataView((await readAt(handle, file, z64Offset, 56, "the ZIP64 end record")).buffer);
    if (rec.getUint32(0, true) !== ZIP64_EOCD_SIG) throw new Error(`${file}: bad ZIP64 end record signature`);
    count = u64(rec, 32, file, "entry count");
    cdSize = u64(rec, 40, file, "central directory size");
    cdOffset = u64(rec, 48, file, "central directory offset");
  }
  if (cdOffset + cdSize > size) throw new Error(`${file}: truncated: the central directory (${cdOffset}+${cdSize}) runs past the end (${size} bytes)`);
  if (count * 46 > cdSize) throw new Error(`${file}: the zip claims ${count} entries but its directory has only ${cdSize} bytes`);
  const cd = await readAt(handle, file, cdOffset, cdSize, "the central directory");
  const v = new DataView(cd.buffer);
  const entries = new Map<string, ZipEntry>();
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cdSize || v.getUint32(p, true) !== CENTRAL_SIG) throw new Error(`${file}: corrupt central directory at entry ${i}`);
    const method = v.getUint16(p + 10, true);
    let compressedSize = v.getUint32(p + 20, true);
    let entrySize = v.getUint32(p + 24, true);
    const nameLen = v.getUint16(p + 28, true);
    const extraLen = v.getUint16(p + 30, true);
    const commentLen = v.getUint16(p + 32, true);
    let localHeaderOffset = v.getUint32(p + 42, true);
    if (p + 46 + nameLen + extraLen + commentLen > cdSize) throw new Error(`${file}: corrupt central directory at entry ${i}`);
    const name = Buffer.from(cd.subarray(p + 46, p + 46 + nameLen)).toString("utf8");
    // ZIP64 extended information: the 8-byte fields present are those whose 32-bit field is 0xffffffff, in order.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = v.getUint16(e, true);
      const len = v.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        const next = (what: string): number => {
          if (q + 8 > e + 4 + len) throw new Error(`${file}: entry '${printable(name)}': short ZIP64 extra field`);
          const val = u64(v, q, file, what);
          q += 8;
          return val;
        };
        if (entrySize === 0xffffffff) entrySize = next("entry size");
        if (compressedSize === 0xffffffff) compressedSize = next("compressed size");
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = next("local header offset");
      }
      e += 4 + len;
    }
    if (localHeaderOffset + 30 + compressedSize > size) {
      throw new Error(`${file}: truncated: entry '${printable(name)}' needs bytes up to ${localHeaderOffset + 30 + compressedSize} but the file has ${size}`);
    }
    entries.set(name, { name, method, compressedSize, size: entrySize, localHeaderOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** Absolute offset of an entry's data (after its local header, whose name/extra lengths may differ from the directory's). */
export async function entryDataOffset(handle: fs.promises.FileHandle, file: string, fileSize: number, entry: ZipEntry): Promise<number> {
  const h = new DataView((await readAt(handle, file, entry.localHeaderOffset, 30, `the local header of '${printable(entry.name)}'`)).buffer);
  if (h.getUint32(0, true) !== LOCAL_SIG) throw new Error(`${file}: entry '${printable(entry.name)}': bad local header signature`);
  const start = entry.localHeaderOffset + 30 + h.getUint16(26, true) + h.getUint16(28, true);
  if (start + entry.compressedSize > fileSize) {
    throw new Error(`${file}: truncated: entry '${printable(entry.name)}' needs bytes up to ${start + entry.compressedSize} but the file has ${fileSize}`);
  }
  return start;
}

/** Reads a whole (small) entry, inflating it when deflated. */
export async function readZipEntry(handle: fs.promises.FileHandle, file: string, fileSize: number, entry: ZipEntry, maxBytes = 1 << 30): Promise<Uint8Array> {
  if (entry.size > maxBytes) throw new Error(`${file}: entry '${printable(entry.name)}' is ${entry.size} bytes, over the ${maxBytes}-byte limit`);
  const start = await entryDataOffset(handle, file, fileSize, entry);
  const raw = await readAt(handle, file, start, entry.compressedSize, `entry '${printable(entry.name)}'`);
  if (entry.method === 0) return raw;
  if (entry.method === 8) {
    try {
      return new Uint8Array(zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size) }));
    } catch (err) {
      throw new Error(`${file}: entry '${printable(entry.name)}': cannot inflate: ${(err as Error).message}`);
    }
  }
  throw new Error(`${file}: entry '${printable(entry.name)}' uses zip compression method ${entry.method} (only stored and deflate are supported)`);
}

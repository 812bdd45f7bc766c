/**
 * Writes a store-only ZIP64 archive whose entries sit at chosen file offsets (the gaps stay sparse holes), so a
 * test can put a storage beyond 4 GiB (and beyond one Node Buffer) without writing gigabytes. Every size and
 * offset field goes through the ZIP64 extra field and the ZIP64 end records, as torch.save does for big files.
 */
import * as fs from "node:fs";

export interface PlacedEntry {
  name: string;
  data: Uint8Array;
  /** Where the local header starts (must not overlap the previous entry). */
  at?: number;
}

const u16 = (b: Buffer, o: number, v: number): void => { b.writeUInt16LE(v, o); };
const u32 = (b: Buffer, o: number, v: number): void => { b.writeUInt32LE(v >>> 0, o); };
const u64 = (b: Buffer, o: number, v: number): void => { b.writeBigUInt64LE(BigInt(v), o); };

export function writeZip64(file: string, entries: readonly PlacedEntry[]): void {
  const fd = fs.openSync(file, "w");
  try {
    let pos = 0;
    const central: Buffer[] = [];
    for (const e of entries) {
      pos = Math.max(pos, e.at ?? pos);
      const name = Buffer.from(e.name, "utf8");
      const local = Buffer.alloc(30 + name.length + 20);
      u32(local, 0, 0x04034b50); u16(local, 4, 45); u16(local, 8, 0); u32(local, 14, 0);
      u32(local, 18, 0xffffffff); u32(local, 22, 0xffffffff); u16(local, 26, name.length); u16(local, 28, 20);
      name.copy(local, 30);
      u16(local, 30 + name.length, 0x0001); u16(local, 32 + name.length, 16);
      u64(local, 34 + name.length, e.data.length); u64(local, 42 + name.length, e.data.length);
      fs.writeSync(fd, local, 0, local.length, pos);
      fs.writeSync(fd, e.data, 0, e.data.length, pos + local.length);
      const cd = Buffer.alloc(46 + name.length + 28);
      u32(cd, 0, 0x02014b50); u16(cd, 4, 45); u16(cd, 6, 45); u16(cd, 10, 0);
      u32(cd, 20, 0xffffffff); u32(cd, 24, 0xffffffff); u16(cd, 28, name.length); u16(cd, 30, 28);
      u32(cd, 42, 0xffffffff);
      name.copy(cd, 46);
      const x = 46 + name.length;
      u16(cd, x, 0x0001); u16(cd, x + 2, 24);
      u64(cd, x + 4, e.data.length); u64(cd, x + 12, e.data.length); u64(cd, x + 20, pos);
      central.push(cd);
      pos += local.length + e.data.length;
    }
    const cdOffset = pos;
    const cd = Buffer.concat(central);
    fs.writeSync(fd, cd, 0, cd.length, pos);
    pos += cd.length;
    const z64 = Buffer.alloc(56 + 20 + 22);
    u32(z64, 0, 0x06064b50); u64(z64, 4, 44); u16(z64, 12, 45); u16(z64, 14, 45);
    u64(z64, 24, entries.length); u64(z64, 32, entries.length); u64(z64, 40, cd.length); u64(z64, 48, cdOffset);
    u32(z64, 56, 0x07064b50); u64(z64, 64, pos); u32(z64, 72, 1);
    u32(z64, 76, 0x06054b50); u16(z64, 84, 0xffff); u16(z64, 86, 0xffff); u32(z64, 88, 0xffffffff); u32(z64, 92, 0xffffffff);
    fs.writeSync(fd, z64, 0, z64.length, pos);
  } finally {
    fs.closeSync(fd);
  }
}

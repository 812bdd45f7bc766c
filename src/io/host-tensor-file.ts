/**
 * Positioned reads from open files: checkpoints are read piece by piece at their offsets (never as one Buffer, so
 * files beyond Node's 2 GiB Buffer limit work), and every read checks that the bytes really exist.
 */
import * as fs from "node:fs";

/** Reads exactly `length` bytes at `position`; throws `<file>: truncated ...` when the file ends first. */
export async function readAt(handle: fs.promises.FileHandle, file: string, position: number, length: number, what: string): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let done = 0;
  // fs reads are limited to 2 GiB per call: read in chunks.
  while (done < length) {
    const chunk = Math.min(length - done, 1 << 30);
    const { bytesRead } = await handle.read(out, done, chunk, position + done);
    if (bytesRead === 0) {
      throw new Error(`${file}: truncated: ${what} needs bytes ${position}..${position + length} but the file ends at ${position + done}`);
    }
    done += bytesRead;
  }
  return out;
}

/** Opens `file` for reading, with a one-line error naming it. */
export async function openForRead(file: string): Promise<{ handle: fs.promises.FileHandle; size: number }> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, "r");
  } catch (err) {
    throw new Error(`${file}: cannot open: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const { size } = await handle.stat();
  return { handle, size };
}

/**
 * Atomic file writes: data goes to a temporary file beside the target, is flushed to disk, then renamed over the
 * target, so a crash leaves either the old file or the new one, never a partial one.
 */
import * as fs from "node:fs";
import * as path from "node:path";

function tempPathFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
}

/**
 * The real reason a recursive mkdir failed: Node reports ENOENT when an ancestor is on a read-only file system or
 * not writable; a plain mkdir below the nearest existing ancestor gives the true code (EROFS, EACCES, ENOSPC...).
 */
function mkdirFailure(dir: string, err: unknown): Error {
  let reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  if (reason === "ENOENT") {
    let child = path.resolve(dir);
    let parent = path.dirname(child);
    while (parent !== child && !fs.existsSync(parent)) [child, parent] = [parent, path.dirname(parent)];
    try {
      fs.mkdirSync(child);
      fs.rmdirSync(child);
    } catch (e) {
      reason = (e as NodeJS.ErrnoException).code ?? reason;
    }
  }
  const text: Record<string, string> = { EROFS: "read-only file system", EACCES: "permission denied", ENOSPC: "no space left on device", ENOTDIR: "a parent is a file", EEXIST: "a file of that name exists" };
  return new Error(`cannot create folder ${dir}: ${reason}${text[reason] ? ` (${text[reason]})` : ""}`);
}

/** `mkdir -p` with a one-line error giving the real reason (see mkdirFailure). */
export function ensureDirSync(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw mkdirFailure(dir, err);
  }
}

/**
 * Streams a file atomically: `write` receives an open handle on a temporary file beside `file`; once it resolves the
 * data is flushed to disk and the temporary renamed over `file`. On any error the temporary is removed and the error
 * rethrown as one line naming the file.
 */
export async function writeFileAtomicWith(file: string, write: (handle: fs.promises.FileHandle) => Promise<void>): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const tmp = tempPathFor(file);
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(tmp, "w");
    await write(handle);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.promises.rename(tmp, file);
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await fs.promises.rm(tmp, { force: true });
    throw new Error(`cannot write ${file}: ${(err as Error).message}`);
  }
}

/** Writes `data` to `file` atomically (temp file + fsync + rename), creating parent folders. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await writeFileAtomicWith(file, async (handle) => {
    await handle.writeFile(data);
  });
}

/** Synchronous twin of {@link writeFileAtomic}, for exit handlers and small files. */
export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  ensureDirSync(path.dirname(file));
  const tmp = tempPathFor(file);
  try {
    const fd = fs.openSync(tmp, "w");
    try {
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw new Error(`cannot write ${file}: ${(err as Error).message}`);
  }
}

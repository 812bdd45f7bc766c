/**
 * Cross-process locks for the cache: a lock file created exclusively, holding the owner's pid; a lock whose
 * process is gone (on this machine) is stale and taken over.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { sleep } from "../../util/sleep";

/** True when a process with this pid runs on this machine (EPERM: it exists but is not ours). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A lock file holding our pid; a stale lock (its process gone) is taken over. Returns the release function. */
export async function acquireLock(lockFile: string, warn: (m: string) => void): Promise<() => void> {
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  let warned = false;
  for (;;) {
    try {
      const fd = fs.openSync(lockFile, "wx");
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      return () => fs.rmSync(lockFile, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    let pid = NaN;
    try {
      pid = Number(fs.readFileSync(lockFile, "utf8").trim());
    } catch {
      continue; // released meanwhile
    }
    if (pid === process.pid || !isProcessAlive(pid)) {
      fs.rmSync(lockFile, { force: true });
      continue;
    }
    if (!warned) {
      warn(`waiting for process ${pid}, which is downloading the same file (${lockFile})`);
      warned = true;
    }
    await sleep(500);
  }
}

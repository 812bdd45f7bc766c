// One notebook runs in one test process at a time. scripts/run-tests.cjs runs two test files at once, and the headless
// (nbconvert) and the Chromium (front-end) tests run the same notebooks, whose default outputs are fixed folders of the
// repository (01: results/notebooks/01_record, 06: results/notebooks/06_figures, 08: results/train/...): two kernels
// writing one folder at once would race. So each run of a notebook holds a lock folder made with mkdir (atomic), named
// for the notebook, holding the owner's pid; a lock whose owner died is taken over.
import * as fs from "node:fs";
import * as path from "node:path";
import { ARTIFACTS } from "../plots/browser";

const LOCKS = path.join(ARTIFACTS, "notebook-locks");

function ownerAlive(lockDir: string): boolean {
  let pid = NaN;
  try {
    pid = Number(fs.readFileSync(path.join(lockDir, "pid"), "utf8"));
  } catch {
    // mkdir done, pid not yet written: alive unless the folder is old (its owner died between the two)
    try {
      return Date.now() - fs.statSync(lockDir).mtimeMs < 10_000;
    } catch {
      return false; // released meanwhile
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Runs `body` while holding the lock of notebook `stem` (waits, polling every 0.5 s, while another process holds it). */
export async function withNotebookLock<T>(stem: string, body: () => Promise<T>): Promise<T> {
  fs.mkdirSync(LOCKS, { recursive: true });
  const lockDir = path.join(LOCKS, stem);
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      if (!ownerAlive(lockDir)) fs.rmSync(lockDir, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 500));
    }
  }
  fs.writeFileSync(path.join(lockDir, "pid"), String(process.pid));
  try {
    return await body();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

/**
 * Saved results of expensive, deterministic computations, keyed by everything they depend on: their inputs, their
 * options and the project's source code (every file under src/). A re-run with nothing changed reads the saved value
 * back; any change of data, options or code recomputes, so a saved value never outlives the code that made it.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "./atomic-write";

let sourceHashMemo: string | undefined;

/** sha256 over the path and bytes of every .ts / .cjs / .js file under src/ (computed once per process). */
export function sourceHash(): string {
  if (sourceHashMemo) return sourceHashMemo;
  const h = createHash("sha256");
  const root = path.resolve(__dirname, "..");
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|cjs|js)$/.test(e.name)) h.update(p.slice(root.length)).update(fs.readFileSync(p));
    }
  };
  walk(root);
  sourceHashMemo = h.digest("hex");
  return sourceHashMemo;
}

/** A cache key: sha256 of the job's name, the source hash and each part's JSON. */
export function resultKey(job: string, ...parts: unknown[]): string {
  const h = createHash("sha256").update(job).update(sourceHash());
  for (const p of parts) h.update(JSON.stringify(p) ?? "undefined");
  return h.digest("hex");
}

/** The saved value of `file` when its key is `key`, else undefined (missing or unreadable files count as absent). */
export function readCachedResult<T>(file: string, key: string): T | undefined {
  try {
    const c = JSON.parse(fs.readFileSync(file, "utf8")) as { key?: string; value?: T };
    return c.key === key ? c.value : undefined;
  } catch {
    return undefined;
  }
}

export async function writeCachedResult(file: string, key: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify({ key, value })}\n`);
}

/** The saved value under `key`, or `compute()`'s, saved (atomically) before it is returned. */
export async function cachedResult<T>(file: string, key: string, compute: () => T | Promise<T>, onReuse?: () => void): Promise<T> {
  const saved = readCachedResult<T>(file, key);
  if (saved !== undefined) {
    onReuse?.();
    return saved;
  }
  const value = await compute();
  await writeCachedResult(file, key, value);
  return value;
}

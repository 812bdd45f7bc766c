/**
 * Download progress text on stderr: `[hub] <repo@rev> <file> 12.0 MB/48.0 MB (25%) 3.1 MB/s`, redrawn in place
 * on a terminal (at most every 200 ms) and one line every 5 s in logs; or events to a callback.
 */
import { formatBytes } from "../../util/format";

export interface DownloadProgress {
  label: string;
  file: string;
  bytes: number;
  total: number;
  done: boolean;
}

/** true: text on stderr; false: nothing; a function: one event per update. */
export type ProgressOption = boolean | ((event: DownloadProgress) => void);

/** A reporter for one transfer of `total` bytes: call it with the bytes received so far, and `done` at the end. */
export function progressReporter(option: ProgressOption | undefined, label: string, file: string, total: number): (bytes: number, done: boolean) => void {
  if (!option) return () => undefined;
  if (typeof option === "function") return (bytes, done) => option({ label, file, bytes, total, done });
  const tty = Boolean(process.stderr.isTTY);
  const t0 = Date.now();
  let last = 0;
  return (bytes, done) => {
    const now = Date.now();
    if (!done && now - last < (tty ? 200 : 5000)) return;
    last = now;
    const rate = bytes / Math.max((now - t0) / 1000, 1e-3);
    const line = `[hub] ${label} ${formatBytes(bytes)}/${formatBytes(total)} (${total ? Math.floor((100 * bytes) / total) : 100}%) ${formatBytes(rate)}/s`;
    process.stderr.write(tty ? `\r\x1b[2K${line}${done ? "\n" : ""}` : `${line}\n`);
  };
}

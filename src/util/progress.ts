/**
 * Progress on stderr for long work: a bar with counts, rate and ETA when stderr is a terminal, one line per
 * update otherwise (logs, CI, notebooks), throttled so logs stay short. `MASSIVE_QUIET=1` silences it.
 */
import { formatSeconds } from "./format";

export interface Progress {
  /** Advances by `n` (default 1) and optionally replaces the label's detail text. */
  tick(n?: number, detail?: string): void;
  /** Ends the bar with a final line. */
  done(detail?: string): void;
}

/**
 * Starts a progress display for `total` units of work named `label`.
 * @param options.stream defaults to process.stderr; options.minIntervalMs throttles non-TTY lines (default 2000).
 */
export function startProgress(label: string, total: number, options: { stream?: NodeJS.WriteStream; minIntervalMs?: number } = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const quiet = process.env.MASSIVE_QUIET === "1";
  const tty = Boolean(stream.isTTY);
  const minInterval = options.minIntervalMs ?? 2000;
  const start = Date.now();
  let count = 0;
  let lastPrint = 0;
  let detailText = "";
  const render = (final: boolean): void => {
    if (quiet) return;
    const elapsed = (Date.now() - start) / 1000;
    const rate = count / Math.max(elapsed, 1e-9);
    const eta = total > count && rate > 0 ? (total - count) / rate : 0;
    const pct = total > 0 ? Math.min(1, count / total) : 1;
    const counts = `${count}/${total}`;
    const timing = final ? `${formatSeconds(elapsed)}` : `${formatSeconds(elapsed)} elapsed, ETA ${formatSeconds(eta)}`;
    if (tty) {
      const width = 24;
      const filled = Math.round(pct * width);
      const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
      stream.write(`\r\x1b[2K${label} ${bar} ${counts} ${timing}${detailText ? ` ${detailText}` : ""}${final ? "\n" : ""}`);
    } else {
      stream.write(`${label}: ${counts} (${Math.round(pct * 100)}%) ${timing}${detailText ? ` ${detailText}` : ""}\n`);
    }
  };
  return {
    tick(n = 1, detail?: string) {
      count += n;
      if (detail !== undefined) detailText = detail;
      const now = Date.now();
      if (tty || now - lastPrint >= minInterval || count >= total) {
        lastPrint = now;
        if (count < total || tty) render(false);
      }
    },
    done(detail?: string) {
      if (detail !== undefined) detailText = detail;
      render(true);
    },
  };
}

/**
 * Numbers as short human-readable text for tables, progress lines and logs. One home for each (issue 19: each had
 * two versions that printed the same quantity differently).
 */

/** Bytes in decimal units: "512 B", "48.0 MB", "166 MB", "2.1 GB" (GB = 1e9, as disk vendors and the hub count). */
export function formatBytes(n: number): string {
  const units = ["B", "kB", "MB", "GB", "TB", "PB"];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v >= 100 || u === 0 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`;
}

/** Seconds as "42 s", "3.5 min" (from 90 s), "2.1 h" (from 90 min); "?" when not finite (an unknown ETA). */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 90) return `${s.toFixed(0)} s`;
  if (s < 5400) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/** Resolves after `ms` milliseconds (retry back-off, lock polling). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

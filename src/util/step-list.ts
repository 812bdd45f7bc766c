import { UsageError } from "./usage-error";

/**
 * Parses a comma-separated list of non-negative integers ("0,1000,2000" or "0:143000:1000" start:stop:step ranges,
 * stop included) into sorted distinct steps; `option` names the flag or field in the one-line UsageError.
 */
export function parseStepList(text: string, option = "--steps"): number[] {
  const out: number[] = [];
  for (const part of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    const range = /^(\d+):(\d+):(\d+)$/.exec(part);
    if (range) {
      const [a, b, s] = [Number(range[1]), Number(range[2]), Number(range[3])];
      if (s <= 0) throw new UsageError(`${option}: range step must be positive in '${part}'`);
      for (let v = a; v <= b; v += s) out.push(v);
    } else if (/^\d+$/.test(part)) out.push(Number(part));
    else throw new UsageError(`${option}: '${part}' is not a non-negative integer or a start:stop:step range`);
  }
  if (out.length === 0) throw new UsageError(`${option}: no steps given`);
  return [...new Set(out)].sort((a, b) => a - b);
}

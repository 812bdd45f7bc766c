/**
 * Printing values taken from an input file inside one-line error messages. A tensor name, a pickle global or a
 * JSON parser's excerpt can hold line breaks, NUL or other control characters (or be an object that String()
 * prints as "[object Object]"): these helpers escape them so that an error stays one readable line.
 */

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `s` with control characters, line/paragraph separators and lone surrogates escaped (\n, \u0000, ...), cut to `max` characters. */
export function printable(s: string, max = 200): string {
  const cut = s.length > max ? `${s.slice(0, max)}...` : s;
  return cut.replace(CONTROL, (c) => {
    const named: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
    return named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}

/** A short one-line description of any value from an input: strings as {@link printable}, others as JSON. */
export function describeValue(v: unknown, max = 80): string {
  if (typeof v === "string") return printable(v, max);
  if (typeof v === "bigint" || typeof v === "number" || typeof v === "boolean" || v === undefined || v === null) return String(v);
  if (v instanceof Map) return `a dict of ${v.size} items`;
  let json: string | undefined;
  try {
    json = JSON.stringify(v);
  } catch {
    json = undefined;
  }
  return json === undefined ? typeof v : printable(json, max);
}

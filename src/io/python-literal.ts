/**
 * A strict parser for the Python literals the paper's released files use: nested lists/tuples of numbers,
 * including `nan`, `inf`, `-inf` (as `str(list_of_floats)` prints them). Nothing else is accepted.
 * Nesting is limited so hostile input cannot exhaust the stack.
 */
export type PyNested = number | PyNested[];

const MAX_DEPTH = 64;
const NUMBER = /[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/y;

/** Parses `text` as a nested list of numbers; throws `Error("<what> at offset N")` on anything else. */
export function parsePythonNumberList(text: string): PyNested {
  let i = 0;
  const fail = (what: string): never => {
    throw new Error(`${what} at offset ${i}`);
  };
  const skipSpace = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const parseValue = (depth: number): PyNested => {
    skipSpace();
    const c = text[i];
    if (c === "[" || c === "(") {
      if (depth >= MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`);
      const close = c === "[" ? "]" : ")";
      i++;
      const out: PyNested[] = [];
      skipSpace();
      if (text[i] === close) {
        i++;
        return out;
      }
      for (;;) {
        out.push(parseValue(depth + 1));
        skipSpace();
        if (text[i] === ",") {
          i++;
          skipSpace();
          if (text[i] === close) { i++; return out; } // trailing comma, as in tuples
          continue;
        }
        if (text[i] === close) {
          i++;
          return out;
        }
        fail(i >= text.length ? "unexpected end of file" : `unexpected character '${text[i]}'`);
      }
    }
    for (const [word, value] of [["nan", NaN], ["-nan", NaN], ["inf", Infinity], ["-inf", -Infinity],
      ["NaN", NaN], ["Infinity", Infinity], ["-Infinity", -Infinity]] as const) {
      if (text.startsWith(word, i) && !/[A-Za-z0-9_]/.test(text[i + word.length] ?? "")) {
        i += word.length;
        return value;
      }
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) return fail(i >= text.length ? "unexpected end of file" : `unexpected character '${text[i]}'`);
    i += m[0].length;
    return Number(m[0]);
  };
  const value = parseValue(0);
  skipSpace();
  if (i < text.length) fail(`trailing characters '${text.slice(i, i + 10)}'`);
  return value;
}

import assert from "node:assert/strict";

/** For assert.throws/rejects: the error message is one line and matches `re`. */
export function oneLine(re: RegExp): (err: unknown) => boolean {
  return (err: unknown): boolean => {
    const msg = (err as Error).message;
    assert.equal(msg.includes("\n"), false, `one line: ${msg}`);
    assert.match(msg, re);
    return true;
  };
}

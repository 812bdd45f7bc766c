/**
 * Content checks of hub downloads: the hub names a file by its LFS sha256 (64 hex) or, for small files kept in
 * git, its git blob sha1 (40 hex, sha1 of `blob <size>\0<bytes>`); a download enters the cache only when its size
 * and that hash match.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";

export const SHA256_RE = /^[0-9a-f]{64}$/;
export const SHA1_RE = /^[0-9a-f]{40}$/;

/** An ETag header value without the weak prefix and quotes. */
export function normalizeEtag(etag: string | undefined): string | undefined {
  return etag?.replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
}

/** sha256 (or git blob sha1 when `algorithm` is "git-sha1") of a file, streamed. */
export async function hashFile(file: string, algorithm: "sha256" | "git-sha1"): Promise<string> {
  const hash = crypto.createHash(algorithm === "sha256" ? "sha256" : "sha1");
  if (algorithm === "git-sha1") hash.update(`blob ${fs.statSync(file).size}\0`);
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 22 })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * Checks a finished download against the announced size and hash (`etag`, and `expectedSha256` from a tree
 * listing when given). On a mismatch the file is deleted and a one-line error thrown.
 */
export async function verifyDownload(file: string, expected: { etag: string; size: number; sha256?: string }, label: string): Promise<void> {
  const size = fs.statSync(file).size;
  const fail = (what: string): never => {
    fs.rmSync(file, { force: true });
    throw new Error(`${label}: ${what}; the partial file was removed from the cache, run again to download it afresh`);
  };
  if (size !== expected.size) fail(`downloaded ${size} bytes, the hub announced ${expected.size}`);
  const etagIsSha256 = SHA256_RE.test(expected.etag);
  if (expected.sha256 && etagIsSha256 && expected.sha256 !== expected.etag) fail(`the tree listing's sha256 ${expected.sha256} differs from the hub's etag ${expected.etag}`);
  const wantSha256 = expected.sha256 ?? (etagIsSha256 ? expected.etag : undefined);
  if (wantSha256) {
    const got = await hashFile(file, "sha256");
    if (got !== wantSha256) fail(`sha256 mismatch (expected ${wantSha256}, got ${got}): the download is corrupt`);
  } else if (SHA1_RE.test(expected.etag)) {
    const got = await hashFile(file, "git-sha1");
    if (got !== expected.etag) fail(`git blob sha1 mismatch (expected ${expected.etag}, got ${got}): the download is corrupt`);
  }
}

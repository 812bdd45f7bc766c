/**
 * The Hugging Face cache layout, shared with Python's huggingface_hub:
 * ```
 * <cache>/models--org--name/
 *   blobs/<etag>                       file contents, named by LFS sha256 or git blob sha1
 *   blobs/<etag>.incomplete            a download in progress (resumed with a Range request)
 *   refs/<revision>                    the commit a branch or tag pointed to when last resolved
 *   snapshots/<commit>/<path>          relative symlinks to ../../blobs/<etag>
 * <cache>/.locks/models--org--name/<etag>.lock
 * ```
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { repoFolderName, repoLabel, type HubRepo } from "./settings";

const COMMIT_RE = /^[0-9a-f]{40}$/;

export class HubCache {
  constructor(readonly dir: string) {}

  repoDir(repo: HubRepo): string {
    return path.join(this.dir, repoFolderName(repo));
  }

  blobPath(repo: HubRepo, etag: string): string {
    return path.join(this.repoDir(repo), "blobs", etag);
  }

  snapshotDir(repo: HubRepo, commit: string): string {
    return path.join(this.repoDir(repo), "snapshots", commit);
  }

  pointerPath(repo: HubRepo, commit: string, file: string): string {
    return path.join(this.snapshotDir(repo, commit), ...file.split("/"));
  }

  lockPath(repo: HubRepo, etag: string): string {
    return path.join(this.dir, ".locks", repoFolderName(repo), `${etag}.lock`);
  }

  /** The cached commit of a revision: the revision itself when it is a commit with a snapshot, else refs/<rev>. */
  cachedCommit(repo: HubRepo, revision: string): string | undefined {
    if (COMMIT_RE.test(revision) && fs.existsSync(this.snapshotDir(repo, revision))) return revision;
    try {
      const commit = fs.readFileSync(path.join(this.repoDir(repo), "refs", ...revision.split("/")), "utf8").trim();
      return COMMIT_RE.test(commit) ? commit : undefined;
    } catch {
      return undefined;
    }
  }

  /** Records that `revision` points at `commit` (skipped when the revision is the commit itself). */
  writeRef(repo: HubRepo, revision: string, commit: string): void {
    if (revision === commit) return;
    const ref = path.join(this.repoDir(repo), "refs", ...revision.split("/"));
    let current: string | undefined;
    try {
      current = fs.readFileSync(ref, "utf8").trim();
    } catch {
      current = undefined;
    }
    if (current === commit) return;
    fs.mkdirSync(path.dirname(ref), { recursive: true });
    const tmp = `${ref}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    fs.writeFileSync(tmp, commit);
    fs.renameSync(tmp, ref);
  }

  /** The cached file of a revision (following the snapshot symlink), or undefined. */
  cachedFile(repo: HubRepo, revision: string, file: string): string | undefined {
    const commit = this.cachedCommit(repo, revision);
    if (!commit) return undefined;
    const pointer = this.pointerPath(repo, commit, file);
    return fs.existsSync(pointer) ? pointer : undefined;
  }

  /** Points `snapshots/<commit>/<file>` at the blob with a relative symlink (a copy where symlinks fail). */
  linkSnapshot(repo: HubRepo, commit: string, file: string, etag: string): string {
    const pointer = this.pointerPath(repo, commit, file);
    const blob = this.blobPath(repo, etag);
    fs.mkdirSync(path.dirname(pointer), { recursive: true });
    const target = path.relative(path.dirname(pointer), blob);
    try {
      if (fs.readlinkSync(pointer) === target) return pointer;
    } catch {
      // absent or not a link
    }
    const tmp = `${pointer}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    try {
      fs.symlinkSync(target, tmp);
    } catch {
      fs.copyFileSync(blob, tmp);
    }
    fs.renameSync(tmp, pointer);
    return pointer;
  }

  /** Every file of a cached snapshot, as repo-relative paths with forward slashes, sorted. */
  listSnapshot(repo: HubRepo, commit: string): string[] {
    const root = this.snapshotDir(repo, commit);
    const out: string[] = [];
    const walk = (dir: string, rel: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        if (e.name.includes(".tmp-")) continue;
        const p = path.join(dir, e.name);
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) walk(p, r);
        else if (fs.existsSync(p)) out.push(r);
      }
    };
    if (fs.existsSync(root)) walk(root, "");
    return out.sort();
  }

  /** One-line description of a cache miss in offline mode. */
  offlineMiss(repo: HubRepo, revision: string, file?: string): string {
    const what = file ? `${file} of ${repoLabel(repo, revision)}` : repoLabel(repo, revision);
    return `HF_HUB_OFFLINE is set and ${what} is not in the Hugging Face cache (${this.repoDir(repo)}); ` +
      `download it once with network access or unset HF_HUB_OFFLINE`;
  }
}

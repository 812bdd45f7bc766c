/**
 * A Hugging Face hub client that fills the standard cache (see ./cache.ts) the way `huggingface_hub` does:
 * HEAD on the resolve URL for the commit, etag and size (`X-Repo-Commit`, `X-Linked-Etag`/`ETag`,
 * `X-Linked-Size`/`Content-Length`, the 302 `Location` of LFS files), then a GET of the content into
 * `blobs/<etag>.incomplete`, resumed with `Range` after an interruption, checked against the size and the sha256
 * (LFS files) or git blob sha1 (small files), renamed into place and linked from `snapshots/<commit>/`.
 * Network errors, timeouts, 408/429/5xx are retried with exponential backoff; `HF_TOKEN` is sent as a bearer token
 * to the hub's own origin only; `HF_HUB_OFFLINE=1` serves everything from the cache.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { HubCache } from "./cache";
import { acquireLock } from "./lock";
import { HttpError } from "./http";
import { hashFile, SHA256_RE, verifyDownload } from "./hashing";
import { progressReporter, type ProgressOption } from "./progress-text";
import { HubTransport, type HubFileMetadata } from "./transport";
import { apiPrefix, hubSettingsFromEnv, parseRepo, repoLabel, resolveUrl, type HubRepo, type HubSettings, type RepoType } from "./settings";
import { pickWeightFiles, readShardIndex, WEIGHT_INDEXES } from "../weight-files";
import { mapLimit } from "../../util/map-limit";

export interface HubClientOptions extends Partial<HubSettings> {
  /** Retries after the first attempt for transient failures (default 5). */
  retries?: number;
  /** First backoff delay; doubles each retry, capped at 30 s, with jitter (default 1000 ms). */
  retryBaseMs?: number;
  /** Socket idle timeout (default 60 s). */
  timeoutMs?: number;
  /** Download progress: true (stderr, default unless MASSIVE_QUIET=1), false, or a callback. */
  progress?: ProgressOption;
  /** Warnings (retries, cache fallbacks); default stderr unless MASSIVE_QUIET=1. */
  onWarning?: (message: string) => void;
}

/** One entry of `/api/<type>s/<id>/tree/<revision>`. */
export interface HubTreeEntry {
  type: "file" | "directory";
  path: string;
  oid: string;
  size: number;
  lfs?: { oid: string; size: number; pointerSize?: number };
}

export interface HubRef {
  name: string;
  ref: string;
  targetCommit: string;
}

/** Files of one revision in the cache: `dir` is `snapshots/<commit>`, `files` are repo-relative paths in it. */
export interface HubSnapshot {
  repo: HubRepo;
  revision: string;
  commit: string;
  dir: string;
  files: string[];
  /** downloadCheckpoint: the weight files with their sha256 (the hub's LFS sha256, checked on download) and size. */
  weights?: WeightFileDigest[];
}

export interface WeightFileDigest {
  file: string;
  sha256: string;
  size: number;
}

export interface DownloadFilesOptions {
  /** Files downloaded at once after the first (default 1; many small files go faster with 8). */
  concurrency?: number;
  /** Called after each file (downloaded or found in the cache). */
  onFile?: (file: string, done: number, total: number) => void;
}

export interface DownloadOptions {
  revision?: string;
  /** Expected sha256 and size (e.g. from a tree listing's `lfs` entry), checked in addition to the headers'. */
  expectedSha256?: string;
  expectedSize?: number;
}

export class HubClient {
  readonly settings: HubSettings;
  readonly cache: HubCache;
  private readonly http: HubTransport;
  private readonly progress: ProgressOption;
  private readonly warn: (message: string) => void;
  private readonly inflight = new Map<string, Promise<void>>();

  constructor(options: HubClientOptions = {}) {
    const env = hubSettingsFromEnv();
    this.settings = {
      endpoint: (options.endpoint ?? env.endpoint).replace(/\/+$/, ""),
      cacheDir: options.cacheDir ?? env.cacheDir,
      token: options.token ?? env.token,
      offline: options.offline ?? env.offline,
    };
    this.cache = new HubCache(this.settings.cacheDir);
    this.progress = options.progress ?? process.env.MASSIVE_QUIET !== "1";
    this.warn = options.onWarning ?? ((m) => {
      if (process.env.MASSIVE_QUIET !== "1") process.stderr.write(`[hub] warning: ${m}\n`);
    });
    this.http = new HubTransport({
      endpoint: this.settings.endpoint,
      token: this.settings.token,
      retries: options.retries ?? 5,
      retryBaseMs: options.retryBaseMs ?? 1000,
      timeoutMs: options.timeoutMs ?? 60_000,
      warn: this.warn,
    });
  }

  private ensureOnline(what: string): void {
    if (this.settings.offline) throw new Error(`HF_HUB_OFFLINE is set: cannot ${what}`);
  }

  /** GET a JSON document of the hub API, following `Link: rel="next"` pages when the result is an array. */
  async getJson<T>(urlPath: string): Promise<T> {
    this.ensureOnline(`query ${urlPath}`);
    return this.http.getJson<T>(urlPath);
  }

  /** Branches and tags of a repo (`/api/<type>s/<id>/refs`). */
  async listRefs(repoSpec: string | HubRepo, type?: RepoType): Promise<{ branches: HubRef[]; tags: HubRef[] }> {
    const repo = parseRepo(repoSpec, type);
    const r = await this.getJson<{ branches?: HubRef[]; tags?: HubRef[] }>(`${apiPrefix(repo)}/refs`);
    return { branches: r.branches ?? [], tags: r.tags ?? [] };
  }

  /** Files (and folders) of a revision, recursively by default (`/api/<type>s/<id>/tree/<revision>[/<path>]`). */
  async listTree(repoSpec: string | HubRepo, revision = "main", options: { path?: string; recursive?: boolean; type?: RepoType } = {}): Promise<HubTreeEntry[]> {
    const repo = parseRepo(repoSpec, options.type);
    const sub = options.path ? `/${options.path.split("/").map(encodeURIComponent).join("/")}` : "";
    return this.getJson<HubTreeEntry[]>(`${apiPrefix(repo)}/tree/${encodeURIComponent(revision)}${sub}?recursive=${options.recursive ?? true}&expand=false`);
  }

  /** HEAD of the resolve URL: commit, etag, size and content location of one file. */
  async fileMetadata(repoSpec: string | HubRepo, file: string, revision = "main"): Promise<HubFileMetadata> {
    const repo = parseRepo(repoSpec);
    this.ensureOnline(`resolve ${file} of ${repoLabel(repo, revision)}`);
    return this.http.head(resolveUrl(this.settings.endpoint, repo, revision, file), `${file} of ${repoLabel(repo, revision)}`);
  }

  /**
   * Downloads one file of a revision into the cache (or finds it there) and returns its path under
   * `snapshots/<commit>/`. Offline (HF_HUB_OFFLINE=1) it returns the cached file or throws a one-line error.
   */
  async downloadFile(repoSpec: string | HubRepo, file: string, options: DownloadOptions = {}): Promise<string> {
    const repo = parseRepo(repoSpec);
    const revision = options.revision ?? "main";
    if (this.settings.offline) {
      const cached = this.cache.cachedFile(repo, revision, file);
      if (!cached) throw new Error(this.cache.offlineMiss(repo, revision, file));
      return cached;
    }
    let meta: HubFileMetadata;
    try {
      meta = await this.fileMetadata(repo, file, revision);
    } catch (err) {
      const cached = err instanceof HttpError && err.status === undefined ? this.cache.cachedFile(repo, revision, file) : undefined;
      if (!cached) throw err;
      this.warn(`hub unreachable (${(err as Error).message}); using the cached ${file} of ${repoLabel(repo, revision)}`);
      return cached;
    }
    this.cache.writeRef(repo, revision, meta.commit);
    if (options.expectedSize !== undefined && options.expectedSize !== meta.size) {
      throw new Error(`${file} of ${repoLabel(repo, revision)}: the hub reports ${meta.size} bytes, the tree listing ${options.expectedSize}`);
    }
    const pointer = this.cache.pointerPath(repo, meta.commit, file);
    const blob = this.cache.blobPath(repo, meta.etag);
    if (fs.existsSync(blob) && fs.statSync(blob).size !== meta.size) {
      this.warn(`cached blob ${blob} has the wrong size; downloading it again`);
      fs.rmSync(blob, { force: true });
    }
    if (!fs.existsSync(blob)) await this.fetchBlob(repo, revision, file, meta, options.expectedSha256);
    this.cache.linkSnapshot(repo, meta.commit, file, meta.etag);
    return pointer;
  }

  /** One download per blob at a time, in this process (a map) and across processes (a lock file). */
  private fetchBlob(repo: HubRepo, revision: string, file: string, meta: HubFileMetadata, expectedSha256?: string): Promise<void> {
    const blob = this.cache.blobPath(repo, meta.etag);
    const running = this.inflight.get(blob);
    if (running) return running;
    const p = (async () => {
      const release = await acquireLock(this.cache.lockPath(repo, meta.etag), (m) => this.warn(m));
      try {
        if (fs.existsSync(blob)) return;
        fs.mkdirSync(path.dirname(blob), { recursive: true });
        const incomplete = `${blob}.incomplete`;
        const label = `${repoLabel(repo, revision)} ${file}`;
        const report = progressReporter(this.progress, label, file, meta.size);
        await this.http.withRetries(`download ${label}`, () => this.http.transfer(meta.location, incomplete, meta.size, label, report));
        await verifyDownload(incomplete, { etag: meta.etag, size: meta.size, sha256: expectedSha256 }, label);
        fs.renameSync(incomplete, blob);
      } finally {
        release();
      }
    })().finally(() => this.inflight.delete(blob));
    this.inflight.set(blob, p);
    return p;
  }

  /**
   * Downloads every file of a revision that `filter` accepts (default: all) and returns the snapshot.
   * Offline, the cached snapshot's files are used.
   */
  async downloadFiles(repoSpec: string | HubRepo, revision = "main", filter: (file: string) => boolean = () => true, options: DownloadFilesOptions = {}): Promise<HubSnapshot> {
    const repo = parseRepo(repoSpec);
    if (this.settings.offline) {
      const commit = this.cache.cachedCommit(repo, revision);
      if (!commit) throw new Error(this.cache.offlineMiss(repo, revision));
      const files = this.cache.listSnapshot(repo, commit).filter(filter);
      if (files.length === 0) throw new Error(this.cache.offlineMiss(repo, revision, "any wanted file"));
      return { repo, revision, commit, dir: this.cache.snapshotDir(repo, commit), files };
    }
    const entries = (await this.listTree(repo, revision)).filter((e) => e.type === "file" && filter(e.path));
    if (entries.length === 0) throw new Error(`${repoLabel(repo, revision)}: no matching files on the hub`);
    return this.downloadEntries(repo, revision, entries, options);
  }

  private async downloadEntries(repo: HubRepo, revision: string, entries: HubTreeEntry[], options: DownloadFilesOptions): Promise<HubSnapshot> {
    // The first file pins the commit; the rest are fetched at that commit so a moving branch cannot mix revisions.
    const first = entries[0]!;
    const firstPath = await this.downloadFile(repo, first.path, { revision, expectedSha256: first.lfs?.oid, expectedSize: first.size });
    const commit = this.cache.cachedCommit(repo, revision) ?? path.basename(path.dirname(firstPath));
    let done = 1;
    options.onFile?.(first.path, done, entries.length);
    await mapLimit(entries.slice(1), options.concurrency ?? 1, async (e) => {
      await this.downloadFile(repo, e.path, { revision: commit, expectedSha256: e.lfs?.oid, expectedSize: e.size });
      options.onFile?.(e.path, ++done, entries.length);
    });
    return { repo, revision, commit, dir: this.cache.snapshotDir(repo, commit), files: entries.map((e) => e.path) };
  }

  /**
   * Downloads one checkpoint (`config.json` and its weights: `model.safetensors`, `pytorch_model.bin`, or the
   * shards of their `.index.json`, whichever the revision holds, in that order of preference) plus any of
   * `options.extra` the revision has (e.g. `tokenizer.json`). Returns the snapshot folder, a checkpoint folder.
   */
  async downloadCheckpoint(repoSpec: string | HubRepo, revision = "main", options: { extra?: string[] } = {}): Promise<HubSnapshot> {
    const repo = parseRepo(repoSpec);
    const extra = options.extra ?? [];
    if (this.settings.offline) {
      const commit = this.cache.cachedCommit(repo, revision);
      if (!commit) throw new Error(this.cache.offlineMiss(repo, revision));
      const present = this.cache.listSnapshot(repo, commit);
      const dir = this.cache.snapshotDir(repo, commit);
      const weights = pickWeightFiles(present, (index) => readShardIndex(path.join(dir, index)).shards, repoLabel(repo, revision));
      const missing = ["config.json", ...weights].filter((f) => !present.includes(f));
      if (missing.length) throw new Error(this.cache.offlineMiss(repo, revision, missing.join(", ")));
      return { repo, revision, commit, dir, files: ["config.json", ...weights, ...extra.filter((f) => present.includes(f))], weights: await digestsOf(dir, weights) };
    }
    const entries = (await this.listTree(repo, revision, { recursive: false })).filter((e) => e.type === "file");
    const byPath = new Map(entries.map((e) => [e.path, e]));
    if (!byPath.has("config.json")) throw new Error(`${repoLabel(repo, revision)}: no config.json on the hub (files: ${[...byPath.keys()].join(", ") || "none"})`);
    const configPath = await this.downloadFile(repo, "config.json", { revision });
    const commit = path.basename(path.dirname(configPath));
    const indexFile = WEIGHT_INDEXES.find((f) => byPath.has(f));
    let shardIndex: string[] = [];
    if (indexFile && !byPath.has("model.safetensors")) {
      const p = await this.downloadFile(repo, indexFile, { revision: commit });
      shardIndex = readShardIndex(p).shards;
    }
    const weights = pickWeightFiles([...byPath.keys()], () => shardIndex, repoLabel(repo, revision));
    const wanted = [...weights, ...extra.filter((f) => byPath.has(f))];
    for (const f of wanted) {
      const e = byPath.get(f);
      if (!e) throw new Error(`${repoLabel(repo, revision)}: ${f} is listed in the shard index but not in the repository`);
      await this.downloadFile(repo, f, { revision: commit, expectedSha256: e.lfs?.oid, expectedSize: e.size });
    }
    const dir = this.cache.snapshotDir(repo, commit);
    const digests = await digestsOf(dir, weights, (f) => byPath.get(f)?.lfs?.oid);
    return { repo, revision, commit, dir, files: ["config.json", ...(indexFile && shardIndex.length ? [indexFile] : []), ...wanted], weights: digests };
  }
}

/**
 * sha256 and size of weight files in a snapshot: `known(file)` (a tree listing's LFS sha256, checked on download),
 * else the blob's name when it is a sha256 (LFS blobs are named so), else hashed.
 */
async function digestsOf(dir: string, files: string[], known: (file: string) => string | undefined = () => undefined): Promise<WeightFileDigest[]> {
  const out: WeightFileDigest[] = [];
  for (const file of files) {
    const p = path.join(dir, file);
    const blobName = path.basename(fs.realpathSync(p));
    const sha256 = known(file) ?? (SHA256_RE.test(blobName) ? blobName : await hashFile(p, "sha256"));
    out.push({ file, sha256, size: fs.statSync(p).size });
  }
  return out;
}

/** @deprecated use readShardIndex(file).shards (src/io/weight-files.ts). */
export function readIndexShards(file: string): string[] {
  return readShardIndex(file).shards;
}

/**
 * A Hugging Face hub client that fills the standard cache (see ./cache.ts) the way `huggingface_hub` does:
 * HEAD on the resolve URL for the commit, etag and size (`X-Repo-Commit`, `X-Linked-Etag`/`ETag`,
 * `X-Linked-Size`/`Content-Length`, the 302 `Location` of LFS files), then a GET of the content into
 * `blobs/<etag>.incomplete`, resumed with `Range` after an interruption, checked against the size and the sha256
 * (LFS files) or git blob sha1 (small files), renamed into place and linked from `snapshots/<commit>/`.
 * Network errors, timeouts, 408/429/5xx are retried with exponential backoff; `HF_TOKEN` is sent as a bearer token
 * to the hub's own origin only; `HF_HUB_OFFLINE=1` serves everything from the cache.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { HubCache } from "./cache";
import { acquireLock } from "./lock";
import { HttpError, header, isRetryableStatus, readBody, sendRequest } from "./http";
import { apiPrefix, hubSettingsFromEnv, parseRepo, repoLabel, resolveUrl, type HubRepo, type HubSettings, type RepoType } from "./settings";
import { printable } from "../../util/one-line";

export interface HubClientOptions extends Partial<HubSettings> {
  /** Retries after the first attempt for transient failures (default 5). */
  retries?: number;
  /** First backoff delay; doubles each retry, capped at 30 s, with jitter (default 1000 ms). */
  retryBaseMs?: number;
  /** Socket idle timeout (default 60 s). */
  timeoutMs?: number;
  /** Download progress: true (stderr, default unless MASSIVE_QUIET=1), false, or a callback. */
  progress?: boolean | ((event: DownloadProgress) => void);
  /** Warnings (retries, cache fallbacks); default stderr unless MASSIVE_QUIET=1. */
  onWarning?: (message: string) => void;
}

export interface DownloadProgress {
  label: string;
  file: string;
  bytes: number;
  total: number;
  done: boolean;
}

/** What the hub says about one file at one revision. */
export interface HubFileMetadata {
  commit: string;
  /** LFS sha256 (64 hex) or git blob sha1 (40 hex), quotes and W/ removed. */
  etag: string;
  size: number;
  /** Where the content is served (the CDN for LFS files). */
  location: string;
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
}

export interface DownloadOptions {
  revision?: string;
  /** Expected sha256 and size (e.g. from a tree listing's `lfs` entry), checked in addition to the headers'. */
  expectedSha256?: string;
  expectedSize?: number;
}

const RETRYABLE_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "ERR_STREAM_PREMATURE_CLOSE"]);
const SHA256_RE = /^[0-9a-f]{64}$/;
const SHA1_RE = /^[0-9a-f]{40}$/;

function normalizeEtag(etag: string | undefined): string | undefined {
  return etag?.replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n;
  let u = -1;
  do {
    v /= 1024;
    u++;
  } while (v >= 1024 && u < units.length - 1);
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

/** sha256 (or git blob sha1 when `git` is set) of a file, streamed. */
export async function hashFile(file: string, algorithm: "sha256" | "git-sha1"): Promise<string> {
  const hash = crypto.createHash(algorithm === "sha256" ? "sha256" : "sha1");
  if (algorithm === "git-sha1") hash.update(`blob ${fs.statSync(file).size}\0`);
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 22 })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Weight files of a checkpoint folder listing, in the order transformers prefers them. */
export const WEIGHT_INDEXES = ["model.safetensors.index.json", "pytorch_model.bin.index.json"] as const;

export class HubClient {
  readonly settings: HubSettings;
  readonly cache: HubCache;
  private readonly retries: number;
  private readonly retryBaseMs: number;
  private readonly timeoutMs: number;
  private readonly progress: HubClientOptions["progress"];
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
    this.retries = options.retries ?? 5;
    this.retryBaseMs = options.retryBaseMs ?? 1000;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.progress = options.progress ?? process.env.MASSIVE_QUIET !== "1";
    this.warn = options.onWarning ?? ((m) => {
      if (process.env.MASSIVE_QUIET !== "1") process.stderr.write(`[hub] warning: ${m}\n`);
    });
  }

  /** Headers for a request to `url`: the token only goes to the hub's own origin, never to a CDN. */
  private headersFor(url: string, extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { "User-Agent": "massive-activations (node)", ...extra };
    if (this.settings.token && new URL(url).origin === new URL(this.settings.endpoint).origin) h.Authorization = `Bearer ${this.settings.token}`;
    return h;
  }

  private async withRetries<T>(what: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        const retryable = err instanceof HttpError ? err.retryable : RETRYABLE_CODES.has((err as NodeJS.ErrnoException).code ?? "");
        if (!retryable || attempt >= this.retries) throw err;
        const delay = Math.min(30_000, this.retryBaseMs * 2 ** attempt) * (0.75 + 0.5 * Math.random());
        this.warn(`${what}: ${(err as Error).message}; retry ${attempt + 1}/${this.retries} in ${(delay / 1000).toFixed(1)}s`);
        await sleep(delay);
      }
    }
  }

  private failure(res: { statusCode?: number; headers: import("node:http").IncomingHttpHeaders }, what: string): HttpError {
    const status = res.statusCode ?? 0;
    const code = header(res, "x-error-code");
    const msg = header(res, "x-error-message");
    let hint = "";
    if (status === 401 || status === 403) hint = this.settings.token ? " (the token in HF_TOKEN has no access)" : " (set HF_TOKEN for private or gated repositories)";
    return new HttpError(`${what}: HTTP ${status}${code ? ` ${code}` : ""}${msg ? `: ${msg}` : ""}${hint}`, status, isRetryableStatus(status), res.headers);
  }

  private ensureOnline(what: string): void {
    if (this.settings.offline) throw new Error(`HF_HUB_OFFLINE is set: cannot ${what}`);
  }

  /** GET a JSON document of the hub API, following `Link: rel="next"` pages when the result is an array. */
  async getJson<T>(urlPath: string): Promise<T> {
    this.ensureOnline(`query ${urlPath}`);
    let url: string | undefined = `${this.settings.endpoint}${urlPath}`;
    const pages: unknown[] = [];
    while (url) {
      const current: string = url;
      const { body, next } = await this.withRetries(`GET ${current}`, async () => {
        const res = await sendRequest(current, { headers: this.headersFor(current, { Accept: "application/json" }), timeoutMs: this.timeoutMs });
        if ((res.statusCode ?? 0) >= 400) {
          res.resume();
          throw this.failure(res, `GET ${current}`);
        }
        const text = await readBody(res);
        const link = header(res, "link");
        const m = link ? /<([^>]+)>\s*;\s*rel="next"/.exec(link) : null;
        return { body: text, next: m ? new URL(m[1]!, current).toString() : undefined };
      });
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        throw new Error(`GET ${current}: response is not JSON`);
      }
      if (!Array.isArray(parsed)) return parsed as T;
      pages.push(...parsed);
      url = next;
    }
    return pages as T;
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
    let url = resolveUrl(this.settings.endpoint, repo, revision, file);
    return this.withRetries(`HEAD ${url}`, async () => {
      for (let hop = 0; hop < 5; hop++) {
        const res = await sendRequest(url, { method: "HEAD", headers: this.headersFor(url, { "Accept-Encoding": "identity" }), timeoutMs: this.timeoutMs });
        res.resume();
        const status = res.statusCode ?? 0;
        const location = header(res, "location");
        // The hub redirects renamed repos with a relative Location: follow those, stop at the CDN's absolute ones.
        if (status >= 300 && status < 400 && location?.startsWith("/")) {
          url = new URL(location, url).toString();
          continue;
        }
        if (status >= 400) throw this.failure(res, `${file} of ${repoLabel(repo, revision)}`);
        const commit = header(res, "x-repo-commit");
        const etag = normalizeEtag(header(res, "x-linked-etag") ?? header(res, "etag"));
        const size = Number(header(res, "x-linked-size") ?? header(res, "content-length"));
        if (!commit || !etag || !Number.isFinite(size)) {
          throw new HttpError(`${url}: the server sent no X-Repo-Commit/ETag/size headers (is HF_ENDPOINT=${this.settings.endpoint} a Hugging Face hub?)`, status, false);
        }
        return { commit, etag, size, location: location ? new URL(location, url).toString() : url };
      }
      throw new HttpError(`${url}: too many redirects`, undefined, false);
    });
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
        await this.withRetries(`download ${label}`, () => this.transfer(meta.location, incomplete, meta.size, label, file));
        await this.verify(incomplete, meta, label, expectedSha256);
        fs.renameSync(incomplete, blob);
      } finally {
        release();
      }
    })().finally(() => this.inflight.delete(blob));
    this.inflight.set(blob, p);
    return p;
  }

  private async verify(incomplete: string, meta: HubFileMetadata, label: string, expectedSha256?: string): Promise<void> {
    const size = fs.statSync(incomplete).size;
    const fail = (what: string): never => {
      fs.rmSync(incomplete, { force: true });
      throw new Error(`${label}: ${what}; the partial file was removed from the cache, run again to download it afresh`);
    };
    if (size !== meta.size) fail(`downloaded ${size} bytes, the hub announced ${meta.size}`);
    const wantSha256 = expectedSha256 ?? (SHA256_RE.test(meta.etag) ? meta.etag : undefined);
    if (expectedSha256 && SHA256_RE.test(meta.etag) && expectedSha256 !== meta.etag) fail(`the tree listing's sha256 ${expectedSha256} differs from the hub's etag ${meta.etag}`);
    if (wantSha256) {
      const got = await hashFile(incomplete, "sha256");
      if (got !== wantSha256) fail(`sha256 mismatch (expected ${wantSha256}, got ${got}): the download is corrupt`);
    } else if (SHA1_RE.test(meta.etag)) {
      const got = await hashFile(incomplete, "git-sha1");
      if (got !== meta.etag) fail(`git blob sha1 mismatch (expected ${meta.etag}, got ${got}): the download is corrupt`);
    }
  }

  /** GETs `url` into `incomplete`, continuing a partial file with a Range request; follows redirects. */
  private async transfer(url: string, incomplete: string, total: number, label: string, file: string): Promise<void> {
    let have = fs.existsSync(incomplete) ? fs.statSync(incomplete).size : 0;
    if (have > total) {
      fs.truncateSync(incomplete, 0);
      have = 0;
    }
    if (have === total && total > 0) return;
    let current = url;
    for (let hop = 0; hop < 10; hop++) {
      const extra: Record<string, string> = { "Accept-Encoding": "identity" };
      if (have > 0) extra.Range = `bytes=${have}-`;
      const res = await sendRequest(current, { headers: this.headersFor(current, extra), timeoutMs: this.timeoutMs });
      const status = res.statusCode ?? 0;
      const location = header(res, "location");
      if (status >= 300 && status < 400 && location) {
        res.resume();
        current = new URL(location, current).toString();
        continue;
      }
      if (status === 416) {
        res.resume();
        fs.truncateSync(incomplete, 0);
        throw new HttpError(`${label}: range not satisfiable, restarting`, status, true);
      }
      if (status >= 400) {
        res.resume();
        throw this.failure(res, label);
      }
      let start = 0;
      if (status === 206) {
        const m = /bytes (\d+)-/.exec(header(res, "content-range") ?? "");
        start = m ? Number(m[1]) : NaN;
        if (start !== have) {
          res.resume();
          fs.truncateSync(incomplete, 0);
          throw new HttpError(`${label}: server resumed at byte ${start}, expected ${have}`, status, true);
        }
      }
      const expected = Number(header(res, "content-length"));
      const report = this.progressReporter(label, file, total);
      const received = await writeBody(res, incomplete, status === 206, (n) => report(start + n, false));
      if (Number.isFinite(expected) && received !== expected) {
        throw new HttpError(`${label}: connection closed after ${received} of ${expected} bytes`, undefined, true);
      }
      report(start + received, true);
      return;
    }
    throw new HttpError(`${label}: too many redirects`, undefined, false);
  }

  private progressReporter(label: string, file: string, total: number): (bytes: number, done: boolean) => void {
    const p = this.progress;
    if (!p) return () => undefined;
    if (typeof p === "function") return (bytes, done) => p({ label, file, bytes, total, done });
    const tty = Boolean(process.stderr.isTTY);
    const t0 = Date.now();
    let last = 0;
    return (bytes, done) => {
      const now = Date.now();
      if (!done && now - last < (tty ? 200 : 5000)) return;
      last = now;
      const rate = bytes / Math.max((now - t0) / 1000, 1e-3);
      const line = `[hub] ${label} ${formatBytes(bytes)}/${formatBytes(total)} (${total ? Math.floor((100 * bytes) / total) : 100}%) ${formatBytes(rate)}/s`;
      process.stderr.write(tty ? `\r\x1b[2K${line}${done ? "\n" : ""}` : `${line}\n`);
    };
  }

  /**
   * Downloads every file of a revision that `filter` accepts (default: all) and returns the snapshot.
   * Offline, the cached snapshot's files are used.
   */
  async downloadFiles(repoSpec: string | HubRepo, revision = "main", filter: (file: string) => boolean = () => true): Promise<HubSnapshot> {
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
    return this.downloadEntries(repo, revision, entries);
  }

  private async downloadEntries(repo: HubRepo, revision: string, entries: HubTreeEntry[]): Promise<HubSnapshot> {
    // The first file pins the commit; the rest are fetched at that commit so a moving branch cannot mix revisions.
    const first = entries[0]!;
    const firstPath = await this.downloadFile(repo, first.path, { revision, expectedSha256: first.lfs?.oid, expectedSize: first.size });
    const commit = this.cache.cachedCommit(repo, revision) ?? path.basename(path.dirname(firstPath));
    for (const e of entries.slice(1)) {
      await this.downloadFile(repo, e.path, { revision: commit, expectedSha256: e.lfs?.oid, expectedSize: e.size });
    }
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
      const weights = pickWeightFiles(present, (index) => readIndexShards(path.join(dir, index)), repoLabel(repo, revision));
      const missing = ["config.json", ...weights].filter((f) => !present.includes(f));
      if (missing.length) throw new Error(this.cache.offlineMiss(repo, revision, missing.join(", ")));
      return { repo, revision, commit, dir, files: ["config.json", ...weights, ...extra.filter((f) => present.includes(f))] };
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
      shardIndex = readIndexShards(p);
    }
    const weights = pickWeightFiles([...byPath.keys()], () => shardIndex, repoLabel(repo, revision));
    const wanted = [...weights, ...extra.filter((f) => byPath.has(f))];
    for (const f of wanted) {
      const e = byPath.get(f);
      if (!e) throw new Error(`${repoLabel(repo, revision)}: ${f} is listed in the shard index but not in the repository`);
      await this.downloadFile(repo, f, { revision: commit, expectedSha256: e.lfs?.oid, expectedSize: e.size });
    }
    return { repo, revision, commit, dir: this.cache.snapshotDir(repo, commit), files: ["config.json", ...(indexFile && shardIndex.length ? [indexFile] : []), ...wanted] };
  }
}

/** The shard files named by a `*.index.json` (`weight_map` values), in order of first appearance. */
export function readIndexShards(file: string): string[] {
  let json: { weight_map?: Record<string, string> };
  try {
    json = JSON.parse(fs.readFileSync(file, "utf8")) as typeof json;
  } catch (err) {
    throw new Error(`${file}: cannot read the shard index: ${printable((err as Error).message)}`);
  }
  if (!json.weight_map || typeof json.weight_map !== "object") throw new Error(`${file}: no weight_map in the shard index`);
  return [...new Set(Object.values(json.weight_map))];
}

/**
 * Chooses the weight files of a checkpoint listing: `model.safetensors`, else the safetensors shard index's files,
 * else `pytorch_model.bin`, else the .bin shard index's files. `shardsOf(index)` reads an index's shard names.
 */
export function pickWeightFiles(files: string[], shardsOf: (index: string) => string[], where: string): string[] {
  const has = new Set(files);
  if (has.has("model.safetensors")) return ["model.safetensors"];
  if (has.has("model.safetensors.index.json")) return shardsOf("model.safetensors.index.json");
  if (has.has("pytorch_model.bin")) return ["pytorch_model.bin"];
  if (has.has("pytorch_model.bin.index.json")) return shardsOf("pytorch_model.bin.index.json");
  throw new Error(`${where}: no weights (model.safetensors, pytorch_model.bin or a sharded .index.json) among ${files.join(", ") || "no files"}`);
}

/**
 * Appends (or writes) a response body to `file`, keeping every byte received even when the connection breaks
 * (so a retry resumes from there). Resolves with the number of bytes received; a broken connection ends the
 * file cleanly and resolves early (the caller compares with Content-Length).
 */
function writeBody(res: import("node:http").IncomingMessage, file: string, append: boolean, onBytes: (n: number) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const out = fs.createWriteStream(file, { flags: append ? "a" : "w" });
    let received = 0;
    let ended = false;
    const finish = (): void => {
      if (ended) return;
      ended = true;
      out.end();
    };
    out.on("finish", () => resolve(received));
    out.on("error", (err) => {
      res.destroy();
      reject(new Error(`cannot write ${file}: ${err.message}`));
    });
    res.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (!out.write(chunk)) {
        res.pause();
        out.once("drain", () => res.resume());
      }
      onBytes(received);
    });
    res.on("end", finish);
    res.on("aborted", finish);
    res.on("error", finish);
    res.on("close", finish);
  });
}

/**
 * A local stand-in for the Hugging Face hub on 127.0.0.1 (ephemeral port), in the hub's URL layout, for tests:
 * - `HEAD|GET /<id>/resolve/<rev>/<path>` (`/datasets/<id>/...` for datasets): small files are served directly with
 *   a git-sha1 ETag; LFS files (.bin, .safetensors, .jsonl or larger than `lfsMinSize`) answer 302 to
 *   `<url>/cdn/<sha256>` with `X-Linked-Etag` and `X-Linked-Size`; every answer carries `X-Repo-Commit`.
 *   `<rev>` is a branch name or a commit; 404s carry `X-Error-Code` (RepoNotFound, RevisionNotFound, EntryNotFound).
 * - `GET /cdn/<sha256>`: the content, with `Range` requests (206) and ETags.
 * - `GET /api/<type>s/<id>/refs` and `GET /api/<type>s/<id>/tree/<rev>[/<path>]?recursive=` (paged with
 *   `Link: <...>; rel="next"` when `pageSize` is set), entries with `oid`, `size` and `lfs: {oid, size}`.
 * Faults for tests: `cutNext(path, bytes)` closes the connection after that many bytes of the next transfer of a
 * file; `corruptNext(path)` flips one byte of the next transfer; `failNext(n)` answers the next n requests 503.
 * With `token` set, hub URLs (not the CDN) need `Authorization: Bearer <token>`. Every request is logged, and the
 * content bytes sent per file path are counted (`bytesServed`), so a test can prove that no weight was downloaded.
 *
 * Usage: `const hub = await MockHub.start([{ id: "org/m", branches: { main: { "config.json": buf } } }])`,
 * then `new HubClient({ endpoint: hub.url, cacheDir })` or `HF_ENDPOINT=hub.url`; `await hub.close()`.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import type { AddressInfo } from "node:net";

export interface MockRepo {
  id: string;
  type?: "model" | "dataset";
  /** Branch name -> repo-relative path -> content. */
  branches: Record<string, Record<string, Buffer | string>>;
}

export interface MockHubOptions {
  token?: string;
  /** Files at least this large are LFS files (default 1 MiB); .bin/.safetensors/.jsonl always are. */
  lfsMinSize?: number;
  /** Tree listing page size (default: everything on one page). */
  pageSize?: number;
}

export interface LoggedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

interface StoredFile {
  path: string;
  content: Buffer;
  lfs: boolean;
  sha256: string;
  gitSha1: string;
}

interface StoredBranch {
  name: string;
  commit: string;
  files: Map<string, StoredFile>;
}

const sha = (alg: string, data: Buffer | string): string => crypto.createHash(alg).update(data).digest("hex");

/** A folder's files as a branch (repo-relative path -> content), recursively. */
export function branchFromFolder(dir: string, rel = ""): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) Object.assign(out, branchFromFolder(dir, r));
    else out[r] = fs.readFileSync(path.join(dir, r));
  }
  return out;
}

export class MockHub {
  readonly requests: LoggedRequest[] = [];
  /** Content bytes sent (GET bodies), per repo-relative file path. */
  readonly bytesServed = new Map<string, number>();
  private readonly repos = new Map<string, { type: string; branches: StoredBranch[] }>();
  private readonly blobs = new Map<string, StoredFile>();
  private cuts = new Map<string, number>();
  private corrupts = new Set<string>();
  private failures = 0;
  private server!: http.Server;
  url = "";

  private constructor(repos: MockRepo[], private readonly options: MockHubOptions) {
    for (const r of repos) {
      const type = r.type ?? "model";
      const branches: StoredBranch[] = [];
      for (const [name, files] of Object.entries(r.branches)) {
        const stored = new Map<string, StoredFile>();
        for (const [p, c] of Object.entries(files)) {
          const content = Buffer.isBuffer(c) ? c : Buffer.from(c);
          const lfs = /\.(bin|safetensors|jsonl)$/.test(p) || content.length >= (options.lfsMinSize ?? 1 << 20);
          const f: StoredFile = { path: p, content, lfs, sha256: sha("sha256", content), gitSha1: sha("sha1", Buffer.concat([Buffer.from(`blob ${content.length}\0`), content])) };
          stored.set(p, f);
          this.blobs.set(f.sha256, f);
        }
        const commit = sha("sha1", `${r.id}@${name}:${[...stored.values()].map((f) => `${f.path}=${f.sha256}`).join(",")}`);
        branches.push({ name, commit, files: stored });
      }
      this.repos.set(`${type}:${r.id}`, { type, branches });
    }
  }

  static async start(repos: MockRepo[], options: MockHubOptions = {}): Promise<MockHub> {
    const hub = new MockHub(repos, options);
    hub.server = http.createServer((req, res) => hub.handle(req, res));
    await new Promise<void>((resolve) => hub.server.listen(0, "127.0.0.1", resolve));
    hub.url = `http://127.0.0.1:${(hub.server.address() as AddressInfo).port}`;
    return hub;
  }

  close(): Promise<void> {
    this.server.closeAllConnections?.();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** The commit of a branch. */
  commitOf(repoId: string, branch: string, type: "model" | "dataset" = "model"): string {
    const b = this.repos.get(`${type}:${repoId}`)?.branches.find((x) => x.name === branch);
    if (!b) throw new Error(`mock hub: no branch ${branch} in ${repoId}`);
    return b.commit;
  }

  /** The sha256 of a served file. */
  sha256Of(repoId: string, branch: string, file: string, type: "model" | "dataset" = "model"): string {
    const b = this.repos.get(`${type}:${repoId}`)!.branches.find((x) => x.name === branch)!;
    return b.files.get(file)!.sha256;
  }

  cutNext(file: string, bytes: number): void {
    this.cuts.set(file, bytes);
  }

  corruptNext(file: string): void {
    this.corrupts.add(file);
  }

  failNext(n: number): void {
    this.failures = n;
  }

  /** Content bytes sent for the files whose path matches `re` (default: weight files). */
  bytesServedFor(re = /\.(bin|safetensors|pt|pth)$/): number {
    let n = 0;
    for (const [p, b] of this.bytesServed) if (re.test(p)) n += b;
    return n;
  }

  /** Requests whose URL contains `part`. */
  requestsFor(part: string): LoggedRequest[] {
    return this.requests.filter((r) => r.url.includes(part));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.requests.push({ method: req.method ?? "GET", url: req.url ?? "", headers: req.headers });
    if (this.failures > 0) {
      this.failures--;
      res.writeHead(503, { "Content-Type": "text/plain" }).end("try again");
      return;
    }
    const u = new URL(req.url ?? "/", this.url);
    const parts = u.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    if (parts[0] === "cdn" && parts[1]) {
      const f = this.blobs.get(parts[1]);
      if (!f) return void res.writeHead(404).end();
      return this.sendContent(req, res, f, {});
    }
    if (this.options.token && req.headers.authorization !== `Bearer ${this.options.token}`) {
      res.writeHead(401, { "X-Error-Code": "GatedRepo", "X-Error-Message": "Access restricted" }).end();
      return;
    }
    if (parts[0] === "api") {
      const type = parts[1] === "datasets" ? "dataset" : "model";
      const repo = this.repos.get(`${type}:${parts[2]}/${parts[3]}`);
      if (!repo) return this.error(res, 404, "RepoNotFound");
      if (parts[4] === "refs") {
        return this.json(res, {
          branches: repo.branches.map((b) => ({ name: b.name, ref: `refs/heads/${b.name}`, targetCommit: b.commit })),
          tags: [],
          converts: [],
        });
      }
      if (parts[4] === "tree" && parts[5]) {
        const branch = this.branch(repo.branches, parts[5]);
        if (!branch) return this.error(res, 404, "RevisionNotFound");
        const prefix = parts.slice(6).join("/");
        const recursive = u.searchParams.get("recursive") === "true";
        const entries: object[] = [];
        const dirs = new Set<string>();
        for (const f of [...branch.files.values()].sort((a, b) => a.path.localeCompare(b.path))) {
          if (prefix && !f.path.startsWith(`${prefix}/`)) continue;
          const rest = prefix ? f.path.slice(prefix.length + 1) : f.path;
          if (!recursive && rest.includes("/")) {
            const d = `${prefix ? `${prefix}/` : ""}${rest.split("/")[0]}`;
            if (!dirs.has(d)) entries.push({ type: "directory", oid: sha("sha1", d), size: 0, path: d });
            dirs.add(d);
            continue;
          }
          entries.push({ type: "file", oid: f.gitSha1, size: f.content.length, path: f.path, ...(f.lfs ? { lfs: { oid: f.sha256, size: f.content.length, pointerSize: 134 } } : {}) });
        }
        const pageSize = this.options.pageSize ?? entries.length;
        const cursor = Number(u.searchParams.get("cursor") ?? 0);
        const page = entries.slice(cursor, cursor + pageSize);
        const headers: Record<string, string> = {};
        if (cursor + pageSize < entries.length) {
          const next = new URL(u.toString());
          next.searchParams.set("cursor", String(cursor + pageSize));
          headers.Link = `<${next.toString()}>; rel="next"`;
        }
        return this.json(res, page, headers);
      }
      return this.error(res, 404, "NotFound");
    }
    const offset = parts[0] === "datasets" ? 1 : 0;
    const type = offset ? "dataset" : "model";
    if (parts[offset + 2] !== "resolve" || !parts[offset + 3]) return this.error(res, 404, "NotFound");
    const repo = this.repos.get(`${type}:${parts[offset]}/${parts[offset + 1]}`);
    if (!repo) return this.error(res, 404, "RepoNotFound");
    const branch = this.branch(repo.branches, parts[offset + 3]!);
    if (!branch) return this.error(res, 404, "RevisionNotFound");
    const file = branch.files.get(parts.slice(offset + 4).join("/"));
    if (!file) return this.error(res, 404, "EntryNotFound", { "X-Repo-Commit": branch.commit });
    const common = { "X-Repo-Commit": branch.commit };
    if (file.lfs) {
      res.writeHead(302, {
        ...common,
        Location: `${this.url}/cdn/${file.sha256}`,
        "X-Linked-Etag": `"${file.sha256}"`,
        "X-Linked-Size": String(file.content.length),
        ETag: `"${file.gitSha1}"`,
        "Content-Length": "0",
      }).end();
      return;
    }
    this.sendContent(req, res, file, { ...common, ETag: `"${file.gitSha1}"` });
  }

  private branch(branches: StoredBranch[], rev: string): StoredBranch | undefined {
    return branches.find((b) => b.name === rev || b.commit === rev);
  }

  private sendContent(req: http.IncomingMessage, res: http.ServerResponse, f: StoredFile, headers: Record<string, string>): void {
    let content = f.content;
    const total = content.length;
    let start = 0;
    let status = 200;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
    if (range) {
      start = Number(range[1]);
      if (start >= total) return void res.writeHead(416, { "Content-Range": `bytes */${total}` }).end();
      status = 206;
      headers["Content-Range"] = `bytes ${start}-${total - 1}/${total}`;
    }
    const body = content.subarray(start);
    res.writeHead(status, { ...headers, ...(f.lfs ? { ETag: `"${f.sha256}"` } : {}), "Accept-Ranges": "bytes", "Content-Length": String(body.length), "Content-Type": "application/octet-stream" });
    if (req.method === "HEAD") return void res.end();
    this.bytesServed.set(f.path, (this.bytesServed.get(f.path) ?? 0) + body.length);
    if (req.method === "GET" && this.corrupts.delete(f.path)) {
      content = Buffer.from(body);
      content[content.length >> 1] ^= 0xff;
      return void res.end(content);
    }
    const cut = this.cuts.get(f.path);
    if (req.method === "GET" && cut !== undefined) {
      this.cuts.delete(f.path);
      res.write(body.subarray(0, cut), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.end(body);
  }

  private json(res: http.ServerResponse, value: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(value);
    res.writeHead(200, { ...headers, "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(text)) }).end(text);
  }

  private error(res: http.ServerResponse, status: number, code: string, headers: Record<string, string> = {}): void {
    res.writeHead(status, { ...headers, "X-Error-Code": code, "X-Error-Message": `${code} (mock hub)` }).end();
  }
}

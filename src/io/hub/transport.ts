/**
 * The hub's HTTP protocol with retries, for the client (./client.ts): JSON API pages (`Link: rel="next"`), the
 * HEAD of a resolve URL (commit, etag, size, the CDN location of LFS files) and resumable GETs into a partial file.
 * Network errors, timeouts, 408/429/5xx are retried with exponential backoff and jitter; the token goes to the
 * hub's own origin only, never to a CDN.
 */
import * as fs from "node:fs";
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { HttpError, header, isRetryableStatus, readBody, sendRequest } from "./http";
import { normalizeEtag } from "./hashing";
import { sleep } from "../../util/sleep";

export interface TransportOptions {
  endpoint: string;
  token: string | undefined;
  /** Retries after the first attempt for transient failures. */
  retries: number;
  /** First backoff delay; doubles each retry, capped at 30 s, with jitter. */
  retryBaseMs: number;
  /** Socket idle timeout. */
  timeoutMs: number;
  warn: (message: string) => void;
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

const RETRYABLE_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "ERR_STREAM_PREMATURE_CLOSE"]);

export class HubTransport {
  constructor(private readonly o: TransportOptions) {}

  /** Headers for a request to `url`: the token only goes to the hub's own origin, never to a CDN. */
  headersFor(url: string, extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { "User-Agent": "massive-activations (node)", ...extra };
    if (this.o.token && new URL(url).origin === new URL(this.o.endpoint).origin) h.Authorization = `Bearer ${this.o.token}`;
    return h;
  }

  async withRetries<T>(what: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        const retryable = err instanceof HttpError ? err.retryable : RETRYABLE_CODES.has((err as NodeJS.ErrnoException).code ?? "");
        if (!retryable || attempt >= this.o.retries) throw err;
        const delay = Math.min(30_000, this.o.retryBaseMs * 2 ** attempt) * (0.75 + 0.5 * Math.random());
        const message = (err as Error).message;
        this.o.warn(`${message.startsWith(what) ? message : `${what}: ${message}`}; retry ${attempt + 1}/${this.o.retries} in ${(delay / 1000).toFixed(1)}s`);
        await sleep(delay);
      }
    }
  }

  /** A one-line error for a failed answer, with the hub's X-Error-Code/Message and a token hint for 401/403. */
  failure(res: { statusCode?: number; headers: IncomingHttpHeaders }, what: string): HttpError {
    const status = res.statusCode ?? 0;
    const code = header(res, "x-error-code");
    const msg = header(res, "x-error-message");
    let hint = "";
    if (status === 401 || status === 403) hint = this.o.token ? " (the token in HF_TOKEN has no access)" : " (set HF_TOKEN for private or gated repositories)";
    return new HttpError(`${what}: HTTP ${status}${code ? ` ${code}` : ""}${msg ? `: ${msg}` : ""}${hint}`, status, isRetryableStatus(status), res.headers);
  }

  /** GET a JSON document of the hub API, following `Link: rel="next"` pages when the result is an array. */
  async getJson<T>(urlPath: string): Promise<T> {
    let url: string | undefined = `${this.o.endpoint}${urlPath}`;
    const pages: unknown[] = [];
    while (url) {
      const current: string = url;
      const { body, next } = await this.withRetries(`GET ${current}`, async () => {
        const res = await sendRequest(current, { headers: this.headersFor(current, { Accept: "application/json" }), timeoutMs: this.o.timeoutMs });
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

  /** HEAD of a resolve URL: commit, etag, size and content location; follows the hub's relative redirects. */
  async head(resolveUrl: string, what: string): Promise<HubFileMetadata> {
    let url = resolveUrl;
    return this.withRetries(`HEAD ${url}`, async () => {
      for (let hop = 0; hop < 5; hop++) {
        const res = await sendRequest(url, { method: "HEAD", headers: this.headersFor(url, { "Accept-Encoding": "identity" }), timeoutMs: this.o.timeoutMs });
        res.resume();
        const status = res.statusCode ?? 0;
        const location = header(res, "location");
        // The hub redirects renamed repos with a relative Location: follow those, stop at the CDN's absolute ones.
        if (status >= 300 && status < 400 && location?.startsWith("/")) {
          url = new URL(location, url).toString();
          continue;
        }
        if (status >= 400) throw this.failure(res, what);
        const commit = header(res, "x-repo-commit");
        const etag = normalizeEtag(header(res, "x-linked-etag") ?? header(res, "etag"));
        const size = Number(header(res, "x-linked-size") ?? header(res, "content-length"));
        if (!commit || !etag || !Number.isFinite(size)) {
          throw new HttpError(`${url}: the server sent no X-Repo-Commit/ETag/size headers (is HF_ENDPOINT=${this.o.endpoint} a Hugging Face hub?)`, status, false);
        }
        return { commit, etag, size, location: location ? new URL(location, url).toString() : url };
      }
      throw new HttpError(`${url}: too many redirects`, undefined, false);
    });
  }

  /**
   * GETs `url` into `incomplete`, continuing a partial file with a Range request; follows redirects. A cut
   * connection keeps the bytes received and throws a retryable error (the retry resumes from there).
   */
  async transfer(url: string, incomplete: string, total: number, label: string, report: (bytes: number, done: boolean) => void): Promise<void> {
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
      const res = await sendRequest(current, { headers: this.headersFor(current, extra), timeoutMs: this.o.timeoutMs });
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
      const received = await writeBody(res, incomplete, status === 206, (n) => report(start + n, false));
      if (Number.isFinite(expected) && received !== expected) {
        throw new HttpError(`${label}: connection closed after ${received} of ${expected} bytes`, undefined, true);
      }
      report(start + received, true);
      return;
    }
    throw new HttpError(`${label}: too many redirects`, undefined, false);
  }
}

/**
 * Appends (or writes) a response body to `file`, keeping every byte received even when the connection breaks
 * (so a retry resumes from there). Resolves with the number of bytes received; a broken connection ends the
 * file cleanly and resolves early (the caller compares with Content-Length).
 */
function writeBody(res: IncomingMessage, file: string, append: boolean, onBytes: (n: number) => void): Promise<number> {
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

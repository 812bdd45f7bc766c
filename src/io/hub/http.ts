/**
 * Minimal HTTP(S) requests for the hub client on node:http/https: no automatic redirects (the client needs the
 * hub's 302 headers), a socket idle timeout, and errors that say which URL failed and whether a retry may help.
 */
import * as http from "node:http";
import * as https from "node:https";

export interface RequestOptions {
  method?: "GET" | "HEAD";
  headers?: Record<string, string>;
  /** Socket idle timeout (default 60 s). */
  timeoutMs?: number;
}

/** An HTTP failure; `retryable` is true for network errors, timeouts, 408, 429 and 5xx. */
export class HttpError extends Error {
  constructor(message: string, readonly status: number | undefined, readonly retryable: boolean, readonly headers?: http.IncomingHttpHeaders) {
    super(message);
  }
}

/** Sends one request; resolves with the response (body not yet read) for any status. */
export function sendRequest(url: string, options: RequestOptions = {}): Promise<http.IncomingMessage> {
  const u = new URL(url);
  const lib = u.protocol === "https:" ? https : u.protocol === "http:" ? http : undefined;
  if (!lib) return Promise.reject(new HttpError(`unsupported URL ${url}`, undefined, false));
  return new Promise((resolve, reject) => {
    const req = lib.request(u, { method: options.method ?? "GET", headers: options.headers }, (res) => {
      res.setTimeout(options.timeoutMs ?? 60_000, () => res.destroy(new HttpError(`timed out reading ${url}`, undefined, true)));
      resolve(res);
    });
    req.setTimeout(options.timeoutMs ?? 60_000, () => req.destroy(new HttpError(`timed out connecting to ${url}`, undefined, true)));
    req.on("error", (err) => reject(err instanceof HttpError ? err : new HttpError(`${options.method ?? "GET"} ${url}: ${(err as NodeJS.ErrnoException).code ?? err.message}`, undefined, true)));
    req.end();
  });
}

/** Reads a whole (small) response body as text. */
export async function readBody(res: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** First value of a header (node gives arrays for some). */
export function header(res: { headers: http.IncomingHttpHeaders }, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

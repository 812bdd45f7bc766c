/**
 * Hugging Face hub settings from the environment, read the way `huggingface_hub` reads them, so the project shares
 * the user's cache, token and offline switch with Python tools.
 *
 * - `HF_ENDPOINT`: base URL (default https://huggingface.co); tests point it at a local server.
 * - `HF_HUB_CACHE` (or the legacy `HUGGINGFACE_HUB_CACHE`), else `$HF_HOME/hub`, where `HF_HOME` defaults to
 *   `$XDG_CACHE_HOME/huggingface` or `~/.cache/huggingface`.
 * - `HF_TOKEN` (or `HUGGING_FACE_HUB_TOKEN`), else the token file `$HF_TOKEN_PATH` / `$HF_HOME/token`.
 * - `HF_HUB_OFFLINE=1` (also true/yes/on): no network; files come from the cache or the call fails.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export type RepoType = "model" | "dataset" | "space";

/** A repository on the hub: `EleutherAI/pythia-70m` (model) or `{ id, type: "dataset" }`. */
export interface HubRepo {
  id: string;
  type: RepoType;
}

export interface HubSettings {
  endpoint: string;
  cacheDir: string;
  token: string | undefined;
  offline: boolean;
}

const TRUE_VALUES = new Set(["1", "true", "yes", "on"]);

function envFlag(name: string, env: NodeJS.ProcessEnv): boolean {
  return TRUE_VALUES.has((env[name] ?? "").trim().toLowerCase());
}

/** `HF_HOME`, defaulting as huggingface_hub does. */
export function hfHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HOME) return path.resolve(expandHome(env.HF_HOME));
  const xdg = env.XDG_CACHE_HOME ? expandHome(env.XDG_CACHE_HOME) : path.join(os.homedir(), ".cache");
  return path.resolve(xdg, "huggingface");
}

function expandHome(p: string): string {
  return p === "~" || p.startsWith("~/") ? path.join(os.homedir(), p.slice(1)) : p;
}

/** Reads the hub settings from the environment (see the module comment). */
export function hubSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): HubSettings {
  const endpoint = (env.HF_ENDPOINT?.trim() || "https://huggingface.co").replace(/\/+$/, "");
  const cacheDir = env.HF_HUB_CACHE
    ? path.resolve(expandHome(env.HF_HUB_CACHE))
    : env.HUGGINGFACE_HUB_CACHE
      ? path.resolve(expandHome(env.HUGGINGFACE_HUB_CACHE))
      : path.join(hfHome(env), "hub");
  let token = env.HF_TOKEN?.trim() || env.HUGGING_FACE_HUB_TOKEN?.trim() || undefined;
  if (!token) {
    const tokenFile = env.HF_TOKEN_PATH ? expandHome(env.HF_TOKEN_PATH) : path.join(hfHome(env), "token");
    try {
      token = fs.readFileSync(tokenFile, "utf8").trim() || undefined;
    } catch {
      token = undefined;
    }
  }
  return { endpoint, cacheDir, token, offline: envFlag("HF_HUB_OFFLINE", env) };
}

/**
 * Parses `org/name`, `datasets/org/name` or `hf://datasets/org/name` into a repo; `type` overrides the default
 * (`model`). Throws a one-line error for anything else.
 */
export function parseRepo(spec: string | HubRepo, type?: RepoType): HubRepo {
  if (typeof spec !== "string") return spec;
  let s = spec.trim().replace(/^hf:\/\//, "");
  let t: RepoType = type ?? "model";
  const prefixed = /^(models|datasets|spaces)\/(.+)$/.exec(s);
  if (prefixed) {
    t = prefixed[1] === "models" ? "model" : prefixed[1] === "datasets" ? "dataset" : "space";
    s = prefixed[2]!;
  }
  if (!/^[A-Za-z0-9][\w.-]*(\/[\w.-]+)?$/.test(s) || s.includes("..") || s.includes("--")) {
    throw new Error(`'${spec}' is not a hub repository id (expected org/name, e.g. EleutherAI/pythia-70m)`);
  }
  return { id: s, type: t };
}

/** The repo's folder name in the cache: `models--org--name`, `datasets--org--name`. */
export function repoFolderName(repo: HubRepo): string {
  return `${repo.type}s--${repo.id.replace(/\//g, "--")}`;
}

/** `/api/models/<id>`-style prefix of the hub's JSON API. */
export function apiPrefix(repo: HubRepo): string {
  return `/api/${repo.type}s/${repo.id}`;
}

/** The resolve URL of one file: `<endpoint>[/datasets]/<id>/resolve/<revision>/<file>` (revision fully escaped). */
export function resolveUrl(endpoint: string, repo: HubRepo, revision: string, file: string): string {
  const prefix = repo.type === "model" ? "" : `/${repo.type}s`;
  const encodedFile = file.split("/").map(encodeURIComponent).join("/");
  return `${endpoint}${prefix}/${repo.id}/resolve/${encodeURIComponent(revision)}/${encodedFile}`;
}

/** A human-readable `org/name@revision` (datasets prefixed). */
export function repoLabel(repo: HubRepo, revision?: string): string {
  return `${repo.type === "model" ? "" : `${repo.type}s/`}${repo.id}${revision ? `@${revision}` : ""}`;
}

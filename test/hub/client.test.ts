import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { HubClient, hubSettingsFromEnv, pullReleasedData, parseRepo, resolveUrl } from "../../src/io/hub/index";
import { readExp2Series } from "../../src/io/exp2-stats";
import { MockHub, branchFromFolder } from "../helpers/mock-hub";

const ckptDir = path.resolve(__dirname, "../../data/mini-pythia/checkpoints/d128-L6-H4");
const statsDir = path.resolve(__dirname, "../../data/mini-pythia/d128-L6-H4/stats");
const fixture = path.resolve(__dirname, "../fixtures/gpt-neox/tiny-neox-a");
const REPO = "EleutherAI/pythia-mini";
const DATASET = "Aimpoint-Digital/pythia-massive-activations";
const quiet = { progress: false, onWarning: () => undefined, retryBaseMs: 5 } as const;

let hub: MockHub;
const sha256 = (b: Buffer): string => crypto.createHash("sha256").update(b).digest("hex");
const tmpCache = (): string => fs.mkdtempSync(path.join(os.tmpdir(), "hub-cache-"));

before(async () => {
  const step = (n: number): Record<string, Buffer> => branchFromFolder(path.join(ckptDir, `step${n}`));
  const shard = (i: number): Buffer => Buffer.alloc(3000 + i, i);
  hub = await MockHub.start([
    {
      id: REPO,
      branches: {
        main: step(64),
        step0: step(0),
        step16: step(16),
        step64: step(64),
        safetensors: { "config.json": fs.readFileSync(path.join(fixture, "config.json")), "model.safetensors": fs.readFileSync(path.join(fixture, "model.safetensors")), "pytorch_model.bin": fs.readFileSync(path.join(fixture, "pytorch_model.bin")) },
        sharded: {
          "config.json": "{}",
          "model.safetensors.index.json": JSON.stringify({ metadata: {}, weight_map: { a: "model-00001-of-00002.safetensors", b: "model-00002-of-00002.safetensors", c: "model-00001-of-00002.safetensors" } }),
          "model-00001-of-00002.safetensors": shard(1),
          "model-00002-of-00002.safetensors": shard(2),
          "tokenizer.json": "{}",
        },
      },
    },
    {
      id: DATASET,
      type: "dataset",
      branches: {
        main: {
          "README.md": "# released data (mock)",
          "pythia_70m/stats/exp2_pythia_70m_step0": fs.readFileSync(path.join(statsDir, "exp2_d128-L6-H4_step0")),
          "pythia_70m/stats/exp2_pythia_70m_step1000": fs.readFileSync(path.join(statsDir, "exp2_d128-L6-H4_step1000")),
          "pythia_70m/params/layer_fit_params_ratio.json": "[]",
          "pythia_1b/stats/exp2_pythia_1b_step0": "[[[1.0]]",
        },
      },
    },
  ], { pageSize: 2 });
});

after(() => hub.close());

test("lists refs and the tree (paged) with LFS sha256", async () => {
  const client = new HubClient({ endpoint: hub.url, cacheDir: tmpCache(), ...quiet });
  const refs = await client.listRefs(REPO);
  assert.deepEqual(refs.branches.map((b) => b.name).sort(), ["main", "safetensors", "sharded", "step0", "step16", "step64"]);
  assert.equal(refs.branches.find((b) => b.name === "step16")!.targetCommit, hub.commitOf(REPO, "step16"));
  const tree = await client.listTree(REPO, "sharded");
  assert.equal(tree.length, 5); // 3 pages of 2
  const bin = tree.find((e) => e.path === "model-00002-of-00002.safetensors")!;
  assert.equal(bin.lfs!.oid, hub.sha256Of(REPO, "sharded", "model-00002-of-00002.safetensors"));
});

test("downloads a step branch into the standard cache layout, then serves it from the cache", async () => {
  const cacheDir = tmpCache();
  const client = new HubClient({ endpoint: hub.url, cacheDir, ...quiet });
  const snap = await client.downloadCheckpoint(REPO, "step16");
  const commit = hub.commitOf(REPO, "step16");
  const repoDir = path.join(cacheDir, "models--EleutherAI--pythia-mini");
  assert.equal(snap.commit, commit);
  assert.equal(snap.dir, path.join(repoDir, "snapshots", commit));
  assert.deepEqual(snap.files, ["config.json", "pytorch_model.bin"]);
  assert.equal(fs.readFileSync(path.join(repoDir, "refs", "step16"), "utf8"), commit);
  const binSrc = fs.readFileSync(path.join(ckptDir, "step16", "pytorch_model.bin"));
  const link = fs.readlinkSync(path.join(snap.dir, "pytorch_model.bin"));
  assert.equal(link, path.join("..", "..", "blobs", sha256(binSrc)));
  assert.ok(fs.readFileSync(path.join(snap.dir, "pytorch_model.bin")).equals(binSrc));
  assert.deepEqual(fs.readdirSync(path.join(repoDir, "blobs")).filter((f) => f.endsWith(".incomplete")), []);
  const before = hub.requestsFor("/cdn/").length;
  const again = await client.downloadCheckpoint(REPO, "step16");
  assert.equal(again.dir, snap.dir);
  assert.equal(hub.requestsFor("/cdn/").length, before, "a cache hit must not download again");
});

test("picks model.safetensors over pytorch_model.bin, and the shards of an index", async () => {
  const client = new HubClient({ endpoint: hub.url, cacheDir: tmpCache(), ...quiet });
  const st = await client.downloadCheckpoint(REPO, "safetensors");
  assert.deepEqual(st.files, ["config.json", "model.safetensors"]);
  assert.ok(!fs.existsSync(path.join(st.dir, "pytorch_model.bin")));
  const sh = await client.downloadCheckpoint(REPO, "sharded", { extra: ["tokenizer.json", "absent.json"] });
  assert.deepEqual(sh.files, ["config.json", "model.safetensors.index.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "tokenizer.json"]);
  for (const f of sh.files) assert.ok(fs.existsSync(path.join(sh.dir, f)), f);
});

test("an interrupted download is resumed with a Range request and verified", async () => {
  const cacheDir = tmpCache();
  const noRetry = new HubClient({ endpoint: hub.url, cacheDir, ...quiet, retries: 0 });
  const cut = 1_000_000;
  hub.cutNext("pytorch_model.bin", cut);
  await assert.rejects(noRetry.downloadFile(REPO, "pytorch_model.bin", { revision: "step0" }), /connection closed|premature|aborted|ECONNRESET/i);
  const binSrc = fs.readFileSync(path.join(ckptDir, "step0", "pytorch_model.bin"));
  const incomplete = path.join(cacheDir, "models--EleutherAI--pythia-mini", "blobs", `${sha256(binSrc)}.incomplete`);
  const have = fs.statSync(incomplete).size;
  assert.ok(have > 0 && have <= cut, `partial file of ${have} bytes`);
  const n = hub.requests.length;
  const file = await noRetry.downloadFile(REPO, "pytorch_model.bin", { revision: "step0" });
  const gets = hub.requests.slice(n).filter((r) => r.url.startsWith("/cdn/"));
  assert.equal(gets.length, 1);
  assert.equal(gets[0]!.headers.range, `bytes=${have}-`);
  assert.ok(fs.readFileSync(file).equals(binSrc));
  assert.ok(!fs.existsSync(incomplete));
});

test("transient failures and a cut connection are retried within one call", async () => {
  const client = new HubClient({ endpoint: hub.url, cacheDir: tmpCache(), ...quiet, retries: 4 });
  hub.failNext(2);
  hub.cutNext("pytorch_model.bin", 500_000);
  const n = hub.requests.length;
  const file = await client.downloadFile(REPO, "pytorch_model.bin", { revision: "step64" });
  assert.ok(fs.readFileSync(file).equals(fs.readFileSync(path.join(ckptDir, "step64", "pytorch_model.bin"))));
  const ranged = hub.requests.slice(n).filter((r) => r.url.startsWith("/cdn/") && /^bytes=\d+-$/.test(String(r.headers.range)));
  assert.equal(ranged.length, 1);
});

test("a corrupted download is detected by its sha256 and not left in the cache", async () => {
  const cacheDir = tmpCache();
  const client = new HubClient({ endpoint: hub.url, cacheDir, ...quiet, retries: 0 });
  hub.corruptNext("pytorch_model.bin");
  await assert.rejects(client.downloadFile(REPO, "pytorch_model.bin", { revision: "step16" }), /sha256 mismatch .*corrupt.*removed from the cache/);
  const repoDir = path.join(cacheDir, "models--EleutherAI--pythia-mini");
  assert.deepEqual(fs.readdirSync(path.join(repoDir, "blobs")), []);
  assert.ok(!fs.existsSync(path.join(repoDir, "snapshots", hub.commitOf(REPO, "step16"), "pytorch_model.bin")));
  // a small (git) file corrupted is caught by its git blob sha1
  hub.corruptNext("config.json");
  await assert.rejects(client.downloadFile(REPO, "config.json", { revision: "step16" }), /git blob sha1 mismatch/);
  // and the next attempt succeeds
  const ok = await client.downloadFile(REPO, "pytorch_model.bin", { revision: "step16" });
  assert.ok(fs.readFileSync(ok).equals(fs.readFileSync(path.join(ckptDir, "step16", "pytorch_model.bin"))));
});

test("offline mode: a cache hit works without a request, a miss fails with a clear message", async () => {
  const cacheDir = tmpCache();
  await new HubClient({ endpoint: hub.url, cacheDir, ...quiet }).downloadCheckpoint(REPO, "step64");
  const offline = new HubClient({ ...hubSettingsFromEnv({ HF_HUB_OFFLINE: "1", HF_HUB_CACHE: cacheDir, HF_ENDPOINT: hub.url }), ...quiet });
  assert.equal(offline.settings.offline, true);
  const n = hub.requests.length;
  const snap = await offline.downloadCheckpoint(REPO, "step64");
  assert.equal(snap.commit, hub.commitOf(REPO, "step64"));
  assert.ok(fs.existsSync(path.join(snap.dir, "pytorch_model.bin")));
  assert.equal(await offline.downloadFile(REPO, "config.json", { revision: "step64" }), path.join(snap.dir, "config.json"));
  await assert.rejects(offline.downloadCheckpoint(REPO, "step0"), /^Error: HF_HUB_OFFLINE is set and EleutherAI\/pythia-mini@step0 is not in the Hugging Face cache/);
  await assert.rejects(offline.downloadFile(REPO, "tokenizer.json", { revision: "step64" }), /HF_HUB_OFFLINE is set and tokenizer.json of EleutherAI\/pythia-mini@step64 is not in the Hugging Face cache/);
  await assert.rejects(offline.listRefs(REPO), /HF_HUB_OFFLINE is set: cannot query/);
  assert.equal(hub.requests.length, n, "offline mode must not touch the network");
});

test("HF_TOKEN is sent as a bearer token; without it a gated repo says so", async () => {
  const gated = await MockHub.start([{ id: REPO, branches: { main: { "config.json": "{}" } } }], { token: "hf_secret" });
  try {
    const anon = new HubClient({ endpoint: gated.url, cacheDir: tmpCache(), ...quiet, token: undefined });
    await assert.rejects(anon.downloadFile(REPO, "config.json"), /HTTP 401 GatedRepo.*set HF_TOKEN/);
    const authed = new HubClient({ ...hubSettingsFromEnv({ HF_TOKEN: "hf_secret", HF_ENDPOINT: gated.url, HF_HOME: tmpCache() }), ...quiet });
    assert.equal(fs.readFileSync(await authed.downloadFile(REPO, "config.json"), "utf8"), "{}");
    assert.equal(gated.requests.at(-1)!.headers.authorization, "Bearer hf_secret");
  } finally {
    await gated.close();
  }
});

test("missing files and revisions give one-line errors with the hub's error code", async () => {
  const client = new HubClient({ endpoint: hub.url, cacheDir: tmpCache(), ...quiet });
  await assert.rejects(client.downloadFile(REPO, "nope.json", { revision: "step0" }), /^Error: nope.json of EleutherAI\/pythia-mini@step0: HTTP 404 EntryNotFound/);
  await assert.rejects(client.downloadCheckpoint(REPO, "step999"), /HTTP 404 RevisionNotFound/);
  assert.throws(() => parseRepo("not a repo"), /'not a repo' is not a hub repository id/);
});

test("the released dataset is pulled from a dataset repo and reads with the exp2 reader", async () => {
  const cacheDir = tmpCache();
  const client = new HubClient({ endpoint: hub.url, cacheDir, ...quiet });
  const data = await pullReleasedData("pythia_70m", { client });
  assert.ok(data.snapshot.dir.startsWith(path.join(cacheDir, "datasets--Aimpoint-Digital--pythia-massive-activations", "snapshots")));
  const series = readExp2Series(data.statsDir);
  assert.deepEqual(series.steps, [0, 1000]);
  assert.equal(series.numLayers, 6);
  assert.ok(fs.existsSync(path.join(data.paramsDir, "layer_fit_params_ratio.json")));
  assert.ok(!fs.existsSync(path.join(data.snapshot.dir, "pythia_1b")));
  assert.ok(hub.requestsFor("/datasets/Aimpoint-Digital/pythia-massive-activations/resolve/main/").length > 0);
});

test("settings follow huggingface_hub's environment variables", () => {
  const s = hubSettingsFromEnv({ HF_HOME: "/x/hf", HF_ENDPOINT: "http://127.0.0.1:9/" });
  assert.equal(s.cacheDir, "/x/hf/hub");
  assert.equal(s.endpoint, "http://127.0.0.1:9");
  assert.equal(s.offline, false);
  assert.equal(hubSettingsFromEnv({ HF_HOME: "/x/hf", HF_HUB_CACHE: "/y/cache" }).cacheDir, "/y/cache");
  assert.equal(hubSettingsFromEnv({ XDG_CACHE_HOME: "/z" }).cacheDir, "/z/huggingface/hub");
  assert.equal(resolveUrl("https://huggingface.co", parseRepo("datasets/a/b"), "refs/pr/1", "x y/z.json"), "https://huggingface.co/datasets/a/b/resolve/refs%2Fpr%2F1/x%20y/z.json");
});

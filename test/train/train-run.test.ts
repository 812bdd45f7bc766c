/**
 * The CI recipe: a 2-layer d32 GPT-NeoX trained for 200 updates on the mini-pythia corpus (4 x 16 bytes per batch).
 * It trains (the loss falls from ln 256 = 5.55 to under 3.3 nats per byte), writes the documented files, and a
 * `massive train` killed with SIGKILL at a random moment resumes to a final checkpoint byte-identical to that of an
 * uninterrupted run (weights, optimizer moments, log).
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { initBackend } from "../../src/backend";
import { parseNeoXConfig, type NeoXConfig } from "../../src/io/config";
import { readExp2Stats } from "../../src/io/exp2-stats";
import { readSuiteManifest } from "../../src/io/suite-manifest";
import { miniPythiaCorpus, trainRun, type Corpus, type TrainRecipe } from "../../src/train";

const ROOT = path.resolve(__dirname, "../..");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "train-run-"));
const CONFIG_JSON = {
  architectures: ["GPTNeoXForCausalLM"], model_type: "gpt_neox", hidden_act: "gelu", hidden_size: 32, intermediate_size: 128,
  num_attention_heads: 2, num_hidden_layers: 2, max_position_embeddings: 16, rotary_pct: 0.25, rotary_emb_base: 10000,
  layer_norm_eps: 1e-5, use_parallel_residual: true, tie_word_embeddings: false, vocab_size: 256, initializer_range: 0.02,
};
const RECIPE: Partial<TrainRecipe> = { steps: 200, batch: 4, seq: 16, warmup: 10, lr: 3e-3, seed: 3 };
const SAVE = [0, 25, 50, 75, 100, 125, 150, 175, 200];
const CLI_ARGS = ["--steps", "200", "--batch", "4", "--seq", "16", "--warmup", "10", "--lr", "0.003", "--seed", "3", "--save-steps", SAVE.join(",")];
let config: NeoXConfig;
let corpus: Corpus;
const configFile = path.join(tmp, "config.json");

before(async () => {
  await initBackend();
  fs.writeFileSync(configFile, JSON.stringify(CONFIG_JSON));
  config = parseNeoXConfig(CONFIG_JSON, configFile);
  corpus = miniPythiaCorpus();
});

const bytes = (dir: string, step: number, file: string): Buffer => fs.readFileSync(path.join(dir, `step${step}`, file));

test("200 updates: the loss falls, files are written, and a SIGKILLed run resumes to identical bytes", async () => {
  // The killed run, as a user would run it; the kill lands a random time after a random checkpoint appeared.
  const killed = path.join(tmp, "killed");
  const target = SAVE[1 + Math.floor(Math.random() * 6)]!; // 25 .. 150
  const delayMs = Math.floor(Math.random() * 400);
  const child = spawn(process.execPath, [path.join(ROOT, "bin/massive.cjs"), "train", "--config", configFile, "--out", killed, ...CLI_ARGS], { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, MASSIVE_BACKEND: "wasm" } });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  const marker = path.join(killed, `step${target}`, "trainer_state.json");
  const poll = setInterval(() => {
    if (fs.existsSync(marker)) {
      clearInterval(poll);
      setTimeout(() => child.kill("SIGKILL"), delayMs);
    }
  }, 10);
  const end = await exited;
  clearInterval(poll);
  assert.equal(end.signal, "SIGKILL", `the run ended before the kill (code ${end.code}): ${stderr.slice(-300)}`);

  // The uninterrupted run, in process.
  const whole = path.join(tmp, "whole");
  const result = await trainRun({ config, out: whole, data: { kind: "corpus", corpus }, recipe: RECIPE, saveSteps: SAVE, evalSequences: [Array.from(corpus.tokens.subarray(corpus.trainEnd, corpus.trainEnd + 16))] });
  assert.equal(result.log.length, 200);
  const first = result.log.slice(0, 10).reduce((a, e) => a + e.loss, 0) / 10;
  const last = result.log.slice(-20).reduce((a, e) => a + e.loss, 0) / 20;
  assert.ok(Math.abs(result.log[0]!.loss - Math.log(256)) < 0.05, `initial loss ${result.log[0]!.loss} should be near ln 256`);
  assert.ok(first > 5 && last < 3.3, `loss should fall: first 10 updates ${first}, last 20 ${last}`);
  assert.deepEqual(result.savedSteps, SAVE);
  const trainLog = JSON.parse(fs.readFileSync(path.join(whole, "train_log.json"), "utf8")) as { steps: { step: number; loss: number; grad_norm: number; lr: number }[] };
  assert.deepEqual(trainLog.steps.map((e) => e.step), Array.from({ length: 200 }, (_, k) => k));
  assert.ok(trainLog.steps.every((e) => e.grad_norm > 0 && e.lr > 0));
  assert.equal(readSuiteManifest(whole)?.models[0]?.name, "whole");
  const stats = readExp2Stats(path.join(whole, "whole", "stats", "exp2_whole_step200"));
  assert.deepEqual([stats.values.length, stats.values[0]!.length, stats.values[0]![0]!.length], [1, 4, 2]);

  // Resume the killed run in process: it must pick up its last complete checkpoint and end on the same bytes.
  const resumed = await trainRun({ config, out: killed, data: { kind: "corpus", corpus }, recipe: RECIPE, saveSteps: SAVE });
  assert.ok(resumed.resumedFrom !== undefined && resumed.resumedFrom >= target, `resumed from ${resumed.resumedFrom}, the kill came after step ${target}`);
  for (const file of ["model.safetensors", "optimizer.safetensors"]) {
    assert.ok(bytes(killed, 200, file).equals(bytes(whole, 200, file)), `step200/${file} differs after resuming from step ${resumed.resumedFrom} (kill ${delayMs} ms after step ${target})`);
  }
  const killedLog = JSON.parse(fs.readFileSync(path.join(killed, "train_log.json"), "utf8")) as typeof trainLog;
  assert.deepEqual(killedLog.steps, trainLog.steps);
});

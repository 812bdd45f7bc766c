/**
 * Training-step parity with PyTorch 2.11 + transformers 5.17 (test/fixtures/gpt-neox-train/train-a, copied from
 * shared/fixtures; its README gives every formula): 4 AdamW steps of a d32 2-layer GPT-NeoX on fixed batches.
 * Tolerances from the issue: loss per step within 1e-5 relative, gradient norm within 1e-5 relative, step-0
 * gradients within 1e-4 of each tensor's L2 norm, every parameter after each update within 1e-4 absolute.
 * Measured on wasm (2026-12-01): loss <= 1.7e-7 rel, gradient norm <= 5.9e-7 rel, gradients <= 2.6e-7 of their norm,
 * parameters <= 5.7e-6 abs; the same tests pass on WebGPU (H200, bench/train/gpu-2026-12-01/parity.log).
 * Also: no tensor leaks from one step to the next. (The ops with their own gradients: test/train/ops.test.ts.)
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { initBackend, tf } from "../../src/backend";
import { readNeoXConfig, type NeoXConfig } from "../../src/io/config";
import { readSafetensors } from "../../src/io/safetensors";
import type { HostTensor } from "../../src/io/host-tensor";
import { TrainableParams, hostParamsFromWeights, lossAndGradients, positionTables, AdamW, learningRateAt } from "../../src/train";

const DIR = path.join(__dirname, "../fixtures/gpt-neox-train/train-a");
let config: NeoXConfig;
let init: Map<string, HostTensor>;
let expected: Map<string, HostTensor>;
let reference: { loss: number[]; grad_norm: number[]; lr: number[] };
let batches: number[][][];

before(async () => {
  await initBackend();
  config = readNeoXConfig(path.join(DIR, "config.json"));
  init = await readSafetensors(path.join(DIR, "init.safetensors"));
  expected = await readSafetensors(path.join(DIR, "expected.safetensors"));
  reference = JSON.parse(fs.readFileSync(path.join(DIR, "expected.json"), "utf8")) as typeof reference;
  batches = JSON.parse(fs.readFileSync(path.join(DIR, "batches.json"), "utf8")) as number[][][];
});

/** The fixture saves the output projection as lm_head.weight (transformers 5). */
const fixtureName = (n: string): string => (n === "embed_out.weight" ? "lm_head.weight" : n);

test("4 AdamW steps match PyTorch: loss, gradient norm, lr, step-0 gradients, parameters after every update", async () => {
  const recipe = JSON.parse(fs.readFileSync(path.join(DIR, "recipe.json"), "utf8")) as { lr: number; weight_decay: number; warmup: number; steps: number };
  const params = new TrainableParams(config, hostParamsFromWeights(config, init, "init.safetensors"));
  const opt = new AdamW(params.list(), { weightDecay: recipe.weight_decay, beta1: 0.9, beta2: 0.95, eps: 1e-8 });
  const tables = positionTables(config, batches[0]![0]!.length);
  let tensorsAfterFirst = 0;
  for (let k = 0; k < batches.length; k++) {
    const ids = tf.tensor2d(batches[k]!, undefined, "int32");
    const { loss, grads } = lossAndGradients(params, ids, tables);
    const lr = learningRateAt(k, { lr: recipe.lr, warmup: recipe.warmup, steps: recipe.steps });
    // clipping and the update (AdamW.step: the fused kernels on WebGPU); the gradients themselves are left as they were
    const norm = opt.step(grads, lr, 1.0);
    const lossValue = (await loss.data())[0]!;
    const normValue = (await norm.data())[0]!;
    assert.ok(Math.abs(lossValue - reference.loss[k]!) <= 1e-5 * reference.loss[k]!, `step ${k}: loss ${lossValue} vs ${reference.loss[k]}`);
    assert.ok(Math.abs(normValue - reference.grad_norm[k]!) <= 1e-5 * reference.grad_norm[k]!, `step ${k}: gradient norm ${normValue} vs ${reference.grad_norm[k]}`);
    assert.ok(Math.abs(lr - reference.lr[k]!) <= 1e-12, `step ${k}: lr ${lr} vs ${reference.lr[k]}`);
    if (k === 0) {
      for (const [i, s] of params.specs.entries()) {
        const g = await (s.kind === "linear" ? tf.transpose(grads[i]!) : grads[i]!).data();
        const ref = expected.get(`grad.${fixtureName(s.name)}`)!.data as Float32Array;
        let worst = 0;
        let sq = 0;
        ref.forEach((r, j) => {
          worst = Math.max(worst, Math.abs(g[j]! - r));
          sq += r * r;
        });
        assert.ok(worst <= 1e-4 * Math.sqrt(sq), `gradient of ${s.name}: max |diff| ${worst} vs norm ${Math.sqrt(sq)}`);
      }
    }
    tf.dispose([ids, loss, norm, ...grads]);
    for (const [name, t] of await params.toHost()) {
      const ref = expected.get(`step${k}.${fixtureName(name)}`)!.data as Float32Array;
      const got = t.data as Float32Array;
      let worst = 0;
      ref.forEach((r, j) => (worst = Math.max(worst, Math.abs(got[j]! - r))));
      assert.ok(worst <= 1e-4, `after update ${k}: ${name} differs by ${worst}`);
    }
    if (k === 0) tensorsAfterFirst = tf.memory().numTensors;
  }
  assert.equal(tf.memory().numTensors, tensorsAfterFirst, "tensors leak from one step to the next");
  params.dispose();
  opt.dispose();
});

test("sequential residual: 4 steps match the PyTorch twin (bench/train/torch_train.py, itself checked against transformers)", async () => {
  const ref = JSON.parse(fs.readFileSync(path.join(DIR, "../train-a-seqres.json"), "utf8")) as { loss: number[]; grad_norm: number[]; params_after_step3_head: Record<string, number[]>; params_after_step3_l1: Record<string, number> };
  const recipe = JSON.parse(fs.readFileSync(path.join(DIR, "recipe.json"), "utf8")) as { lr: number; weight_decay: number; warmup: number; steps: number };
  const seqConfig = { ...config, useParallelResidual: false };
  const params = new TrainableParams(seqConfig, hostParamsFromWeights(seqConfig, init, "init.safetensors"));
  const opt = new AdamW(params.list(), { weightDecay: recipe.weight_decay, beta1: 0.9, beta2: 0.95, eps: 1e-8 });
  const tables = positionTables(seqConfig, batches[0]![0]!.length);
  for (let k = 0; k < batches.length; k++) {
    const ids = tf.tensor2d(batches[k]!, undefined, "int32");
    const { loss, grads } = lossAndGradients(params, ids, tables);
    const norm = opt.step(grads, learningRateAt(k, recipe), 1.0);
    const [l, n] = [(await loss.data())[0]!, (await norm.data())[0]!];
    assert.ok(Math.abs(l - ref.loss[k]!) <= 1e-5 * ref.loss[k]!, `step ${k}: loss ${l} vs ${ref.loss[k]}`);
    assert.ok(Math.abs(n - ref.grad_norm[k]!) <= 1e-5 * ref.grad_norm[k]!, `step ${k}: gradient norm ${n} vs ${ref.grad_norm[k]}`);
    tf.dispose([ids, loss, norm, ...grads]);
  }
  for (const [name, t] of await params.toHost()) {
    const key = fixtureName(name);
    const got = Array.from(t.data as Float32Array);
    got.slice(0, 6).forEach((v, j) => assert.ok(Math.abs(v - ref.params_after_step3_head[key]![j]!) <= 1e-4, `${name}[${j}] = ${v} vs ${ref.params_after_step3_head[key]![j]}`));
    const l1 = got.reduce((a, v) => a + Math.abs(v), 0);
    assert.ok(Math.abs(l1 - ref.params_after_step3_l1[key]!) <= 1e-4 * got.length, `${name}: L1 norm ${l1} vs ${ref.params_after_step3_l1[key]}`);
  }
  params.dispose();
  opt.dispose();
});

test("passes of fewer sequences (gradient accumulation) give the batch's loss and gradients", async () => {
  const params = new TrainableParams(config, hostParamsFromWeights(config, init, "init.safetensors"));
  const tables = positionTables(config, batches[0]![0]!.length);
  const ids = tf.tensor2d(batches[0]!, undefined, "int32");
  const whole = lossAndGradients(params, ids, tables);
  for (const micro of [1, 3]) {
    const parts = lossAndGradients(params, ids, tables, micro);
    const [a, b] = [(await whole.loss.data())[0]!, (await parts.loss.data())[0]!];
    assert.ok(Math.abs(a - b) <= 1e-6 * a, `micro-batch ${micro}: loss ${b} vs ${a}`);
    for (const [i, g] of whole.grads.entries()) {
      const [x, y] = [await g.data(), await parts.grads[i]!.data()];
      let diff = 0, sq = 0;
      x.forEach((v, j) => { diff = Math.max(diff, Math.abs(v - y[j]!)); sq += v * v; });
      assert.ok(diff <= 1e-5 * Math.sqrt(sq), `micro-batch ${micro}: gradient of ${params.specs[i]!.name} differs by ${diff} (norm ${Math.sqrt(sq)})`);
    }
    tf.dispose([parts.loss, ...parts.grads]);
  }
  tf.dispose([whole.loss, ...whole.grads, ids]);
  params.dispose();
});

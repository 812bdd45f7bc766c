import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { parseNeoXConfig, readNeoXConfig, rotaryDims } from "../../src/io/config";
import { oneLine } from "./assert-one-line";

const TINY = path.join(__dirname, "..", "fixtures", "gpt-neox", "tiny-neox-a", "config.json");
const MINI = path.join(__dirname, "..", "..", "data", "mini-pythia", "checkpoints", "d128-L6-H4", "step3000", "config.json");

test("transformers 5 spelling (rope_parameters) and Pythia's (rotary_pct, rotary_emb_base) parse alike", () => {
  const a = readNeoXConfig(TINY);
  assert.deepEqual([a.hiddenSize, a.numLayers, a.numHeads, a.intermediateSize, a.vocabSize], [64, 3, 4, 256, 512]);
  assert.deepEqual([a.rotaryPct, a.rotaryBase, a.layerNormEps, a.useParallelResidual, a.tieWordEmbeddings, a.hiddenAct], [0.25, 10000, 1e-5, true, false, "gelu"]);
  assert.equal(rotaryDims(a), 4);
  const b = readNeoXConfig(MINI);
  assert.deepEqual([b.hiddenSize, b.numLayers, b.numHeads, b.rotaryPct, b.rotaryBase, b.maxPositionEmbeddings], [128, 6, 4, 0.25, 10000, 256]);
  const base = { hidden_size: 512, num_hidden_layers: 6, num_attention_heads: 8, intermediate_size: 2048, vocab_size: 50304 };
  const legacy = parseNeoXConfig({ ...base, rotary_pct: 0.25, rotary_emb_base: 10000 }, "legacy.json");
  const current = parseNeoXConfig({ ...base, rope_parameters: { rope_type: "default", partial_rotary_factor: 0.25, rope_theta: 10000 } }, "new.json");
  const flat = parseNeoXConfig({ ...base, partial_rotary_factor: 0.25, rope_theta: 10000 }, "flat.json");
  for (const c of [current, flat]) assert.deepEqual([c.rotaryPct, c.rotaryBase], [legacy.rotaryPct, legacy.rotaryBase]);
  assert.equal(rotaryDims(legacy), 16);
});

test("bad configs are one-line errors naming the file", () => {
  const base = { hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 256, vocab_size: 10, rotary_pct: 0.25 };
  assert.throws(() => parseNeoXConfig({ ...base, hidden_size: 66 }, "c.json"), oneLine(/c\.json: hidden_size 66 is not divisible by num_attention_heads 4/));
  assert.throws(() => parseNeoXConfig({ ...base, num_hidden_layers: undefined }, "c.json"), oneLine(/c\.json: missing 'num_hidden_layers'/));
  assert.throws(() => parseNeoXConfig({ ...base, rotary_pct: undefined }, "c.json"), oneLine(/c\.json: missing the rotary fraction/));
  assert.throws(() => parseNeoXConfig({ ...base, model_type: "llama" }, "c.json"), oneLine(/model_type is 'llama'/));
  assert.throws(() => parseNeoXConfig({ ...base, rope_scaling: { type: "linear", factor: 2 } }, "c.json"), oneLine(/rope type 'linear' is not supported/));
  assert.throws(() => parseNeoXConfig({ ...base, hidden_act: "swish2" }, "c.json"), oneLine(/hidden_act 'swish2' is not supported/));
  assert.throws(() => readNeoXConfig("/nonexistent/config.json"), oneLine(/\/nonexistent\/config\.json: cannot read: ENOENT/));
});

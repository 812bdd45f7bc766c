import { test } from "node:test";
import assert from "node:assert/strict";
import { table4Features, coreFeatures, smoothFeatures, TABLE4_FEATURES, layerFeatures } from "../../src/index";

const arch = { hiddenSize: 256, numLayers: 4, numHeads: 8, intermediateSize: 1024, rotaryPct: 0.25, rotaryBase: 10000 };

test("Table 4 features use a 1-based layer index l = index + 1", () => {
  assert.deepEqual([...TABLE4_FEATURES], ["l/L", "(l/L)^2", "(l/L)^3", "sqrt(l/L)", "H/d", "d_ff/d", "d/L", "H/L", "log(d)", "l*L"]);
  // last layer (index 3): l/L = 1, l*L = 16
  assert.deepEqual(table4Features(arch, 3), [1, 1, 1, 1, 8 / 256, 4, 64, 2, Math.log(256), 16]);
  // first layer (index 0): l/L = 1/4, sqrt = 1/2, l*L = 4
  const f0 = table4Features(arch, 0);
  assert.equal(f0[0], 0.25);
  assert.equal(f0[3], 0.5);
  assert.equal(f0[9], 4);
  assert.throws(() => table4Features(arch, 4), /layer 4 is outside 0..3/);
});

test("core and smooth features", () => {
  assert.deepEqual(coreFeatures(arch), [256, 4, 8, 1024, 10000, 0.25]);
  assert.deepEqual(smoothFeatures(arch, 3), [Math.log(256), Math.log(32), Math.log(4), 1, 1, 1, 8 / 256]);
  assert.equal(smoothFeatures(arch, 0)[3], 0);
  assert.equal(layerFeatures(arch, 1, "table4+core").length, 16);
});

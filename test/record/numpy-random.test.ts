import { test } from "node:test";
import assert from "node:assert/strict";
import { LegacyRandomState, MT19937 } from "../../src/record/index";

// Reference values: numpy 1.24 (legacy RandomState streams are frozen, NEP 19):
//   python3 -c "import numpy as np; np.random.seed(1); print(np.random.permutation(10))"
//   python3 -c "import numpy as np; np.random.seed(1); a=np.random.choice(1000,500,replace=False); print(a[:8], a[-3:])"
//   python3 -c "import numpy as np; np.random.seed(1); print(np.random.choice(930514,500,replace=False)[:8])"
//   python3 -c "import numpy as np; r=np.random.RandomState(5489); print([r.randint(0,2**32,dtype=np.uint64) for _ in range(3)])"

test("MT19937 matches the reference generator's first outputs for seed 5489", () => {
  const mt = new MT19937(5489);
  assert.deepEqual([mt.nextUint32(), mt.nextUint32(), mt.nextUint32()], [3499211612, 581869302, 3890346734]);
});

test("permutation(10) after seed(1) is numpy's", () => {
  assert.deepEqual(new LegacyRandomState(1).permutation(10), [2, 9, 6, 4, 0, 3, 1, 7, 8, 5]);
});

test("choice(1000, 500, replace=False) after seed(1) is numpy's", () => {
  const a = new LegacyRandomState(1).choiceWithoutReplacement(1000, 500);
  assert.equal(a.length, 500);
  assert.deepEqual(a.slice(0, 8), [507, 818, 452, 368, 242, 929, 262, 810]);
  assert.deepEqual(a.slice(-3), [679, 529, 30]);
  assert.equal(new Set(a).size, 500);
});

test("choice(930514, 500, replace=False) after seed(1) is numpy's (the RedPajama sample's row count)", () => {
  const a = new LegacyRandomState(1).choiceWithoutReplacement(930514, 500);
  assert.deepEqual(a.slice(0, 8), [118526, 373513, 739973, 395957, 629175, 244161, 113545, 242797]);
});

test("rejects bad seeds and sizes with the function's name", () => {
  assert.throws(() => new LegacyRandomState(-1), /MT19937: seed must be an integer/);
  assert.throws(() => new LegacyRandomState(1).choiceWithoutReplacement(3, 4), /choiceWithoutReplacement: cannot take a sample of 4 from 3/);
});

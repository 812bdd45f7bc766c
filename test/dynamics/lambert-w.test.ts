import { test } from "node:test";
import assert from "node:assert/strict";
import { lambertW0 } from "../../src/index";

// Reference values: scipy 1.17.1
//   python3 -c "from scipy.special import lambertw; print(repr(lambertw(x).real))"
const SCIPY: [number, number][] = [
  [-0.36787, -0.9928527298215255],
  [-0.35, -0.7166388164560736],
  [-0.3, -0.4894022271802149],
  [-0.2, -0.2591711018190737],
  [-0.1, -0.11183255915896297],
  [-1e-5, -1.0000100001500027e-5],
  [1e-10, 9.999999999e-11],
  [0.001, 0.000999001497338531],
  [0.1, 0.09127652716086226],
  [0.5, 0.35173371124919584],
  [1, 0.5671432904097838],
  [2, 0.8526055020137254],
  [Math.E, 1.0],
  [3, 1.04990889496404],
  [10, 1.7455280027406994],
  [100, 3.38563014029005],
  [1000, 5.249602852401596],
  [1e6, 11.383358086140053],
  [1e10, 20.028685413304952],
  [1e50, 110.42491882731335],
  [1e100, 224.8431064451185],
  [1e300, 684.2472086297608],
  [1 / 0.1245164347289605, 1.6082012484808097], // 1/lambda of the released 410m layer-0 median fit
];

test("lambertW0 matches scipy.special.lambertw to a relative error below 1e-12", () => {
  for (const [x, w] of SCIPY) {
    const got = lambertW0(x);
    assert.ok(Math.abs(got - w) <= 1e-12 * Math.abs(w), `W(${x}) = ${got}, scipy ${w}`);
    if (x > -0.3) assert.ok(Math.abs(got * Math.exp(got) - x) <= 1e-13 * Math.max(Math.abs(x), 1e-300) + 1e-300 || x > 1e290, `w e^w = x at ${x}`);
  }
});

test("lambertW0 near the branch point -1/e and its special values", () => {
  // python3 -c "from scipy.special import lambertw; print(repr(lambertw(-0.3678794411).real))"
  assert.ok(Math.abs(lambertW0(-0.3678794411) - -0.9999802922486767) < 1e-9); // ill-conditioned: dW/dx -> infinity
  assert.equal(lambertW0(-1 / Math.E), -1);
  assert.equal(lambertW0(0), 0);
  assert.equal(lambertW0(Infinity), Infinity);
  assert.throws(() => lambertW0(-0.5), /lambertW0: argument 'x' must be >= -1\/e/);
  assert.throws(() => lambertW0(NaN), /NaN/);
});

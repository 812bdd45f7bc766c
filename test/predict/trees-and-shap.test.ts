import { test } from "node:test";
import assert from "node:assert/strict";
import {
  GradientBoostingRegressor, RandomForestRegressor, XGBoostRegressor, treeShap, treeExpectedValue, pathDependentExpectation,
  exactShapley, permutationImportance, partialDependence, predictEnsemble, Ridge, r2Score, type TreeEnsemble,
} from "../../src/index";

// /usr/bin/python3 (scikit-learn 1.2.1):
//   X = np.array([[np.sin(1.3*i), np.cos(0.7*i), ((i*7) % 11) / 10.0] for i in range(30)])
//   y = np.array([np.sin(1.3*i)**2 + 0.5*np.cos(0.7*i) - ((i*7) % 11) / 10.0 * np.sin(1.3*i) for i in range(30)])
//   g = GradientBoostingRegressor(n_estimators=20, max_depth=2, learning_rate=0.1, random_state=0).fit(X, y)
//   g.predict([[0.1, 0.2, 0.3], [-0.5, 0.9, 0.0], [0.8, -0.7, 1.0]]) -> [0.34430266, 0.79831293, -0.08786044]
const X = Array.from({ length: 30 }, (_, i) => [Math.sin(1.3 * i), Math.cos(0.7 * i), ((i * 7) % 11) / 10]);
const y = X.map(([a, b, c]) => a! ** 2 + 0.5 * b! - c! * a!);
const Xt = [[0.1, 0.2, 0.3], [-0.5, 0.9, 0.0], [0.8, -0.7, 1.0]];

test("gradient boosting (squared loss) reproduces scikit-learn's predictions", () => {
  const g = new GradientBoostingRegressor({ nEstimators: 20, maxDepth: 2, learningRate: 0.1 }).fit(X, y);
  const p = g.predict(Xt);
  [0.34430266, 0.79831293, -0.08786044].forEach((e, i) => assert.ok(Math.abs(p[i]! - e) < 1e-7, `${p[i]} vs ${e}`));
});

test("XGBoost-style trees: leaf weight -G/(H+lambda), min_child_weight and gamma", () => {
  // one round, one split on x: rows {0,1} and {2,3}; base = mean(y) = 2.5, g = base - y
  const Xs = [[0], [1], [2], [3]];
  const ys = [1, 2, 3, 4];
  const m = new XGBoostRegressor({ nEstimators: 1, maxDepth: 1, learningRate: 1, lambda: 1 }).fit(Xs, ys);
  // left: G = (1.5 + 0.5) = 2, H = 2 -> w = -2/3; right w = +2/3
  const p = m.predict([[0], [3]]);
  assert.ok(Math.abs(p[0]! - (2.5 - 2 / 3)) < 1e-12 && Math.abs(p[1]! - (2.5 + 2 / 3)) < 1e-12, `${p}`);
  // min_child_weight 3 forbids any split of 4 unit-hessian rows -> constant prediction
  assert.deepEqual(new XGBoostRegressor({ nEstimators: 3, minChildWeight: 3 }).fit(Xs, ys).predict([[0], [3]]), [2.5, 2.5]);
  // gamma above the best gain (1/2 * (4/3 + 4/3 - 0) = 4/3) prunes the split as well
  assert.deepEqual(new XGBoostRegressor({ nEstimators: 1, maxDepth: 1, learningRate: 1, gamma: 1.4 }).fit(Xs, ys).predict([[0]]), [2.5]);
  assert.throws(() => new XGBoostRegressor().predict([[0]]), /call fit/);
});

test("random forest is seeded and fits a smooth function", () => {
  const a = new RandomForestRegressor({ nEstimators: 30, seed: 3 }).fit(X, y).predict(Xt);
  const b = new RandomForestRegressor({ nEstimators: 30, seed: 3 }).fit(X, y).predict(Xt);
  assert.deepEqual(a, b);
  const rf = new RandomForestRegressor({ nEstimators: 50, seed: 1 }).fit(X, y);
  assert.ok(r2Score(y, rf.predict(X)) > 0.85);
});

function bruteForceShap(e: TreeEnsemble, x: number[]): number[] {
  const p = x.length;
  const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
  const v = (mask: number): number => {
    const S = new Set(Array.from({ length: p }, (_, j) => j).filter((j) => mask & (1 << j)));
    return e.base + e.trees.reduce((a, t, k) => a + e.scales[k]! * pathDependentExpectation(t, x, S), 0);
  };
  return Array.from({ length: p }, (_, j) => {
    let phi = 0;
    for (let mask = 0; mask < 1 << p; mask++) {
      if (mask & (1 << j)) continue;
      const size = [...Array(p).keys()].filter((k) => mask & (1 << k)).length;
      phi += (fact(size) * fact(p - size - 1)) / fact(p) * (v(mask | (1 << j)) - v(mask));
    }
    return phi;
  });
}

test("TreeSHAP equals brute-force Shapley values of the path-dependent expectation and sums to the prediction", () => {
  // a deeper tree, repeated features along paths, forest and boosted ensembles
  for (const model of [
    new GradientBoostingRegressor({ nEstimators: 15, maxDepth: 4 }).fit(X, y),
    new RandomForestRegressor({ nEstimators: 8, maxDepth: 5, seed: 2 }).fit(X, y),
    new XGBoostRegressor({ nEstimators: 10, maxDepth: 5 }).fit(X, y),
  ]) {
    const e = model.ensemble_!;
    const { expectedValue, shapValues } = treeShap(e, Xt);
    Xt.forEach((x, i) => {
      const brute = bruteForceShap(e, x);
      brute.forEach((b, j) => assert.ok(Math.abs(shapValues[i]![j]! - b) < 1e-10, `row ${i} feature ${j}: ${shapValues[i]![j]} vs ${b}`));
      const sum = expectedValue + shapValues[i]!.reduce((a, v) => a + v, 0);
      assert.ok(Math.abs(sum - predictEnsemble(e, x)) < 1e-10);
    });
    assert.ok(Number.isFinite(treeExpectedValue(e.trees[0]!)));
  }
});

test("exact Shapley of a linear model is coef * (x - mean background); permutation importance and partial dependence", () => {
  const ridge = new Ridge({ alpha: 0 }).fit(X, y);
  const { expectedValue, shapValues } = exactShapley((rows) => ridge.predict(rows), Xt, X);
  const mean = [0, 1, 2].map((j) => X.reduce((a, r) => a + r[j]!, 0) / X.length);
  shapValues[0]!.forEach((v, j) => assert.ok(Math.abs(v - ridge.coef_![j]! * (Xt[0]![j]! - mean[j]!)) < 1e-10));
  assert.ok(Math.abs(expectedValue + shapValues[0]!.reduce((a, v) => a + v) - ridge.predict([Xt[0]!])[0]!) < 1e-10);
  const noise = X.map((r, i) => [...r, ((i * 13) % 7) / 7]);
  const gb = new GradientBoostingRegressor({ nEstimators: 50 }).fit(noise, y);
  const pi = permutationImportance(gb, noise, y, ["a", "b", "c", "noise"], { nRepeats: 4, seed: 1 });
  assert.ok(pi.importancesMean[0]! > pi.importancesMean[3]!, `a ${pi.importancesMean[0]} vs noise ${pi.importancesMean[3]}`);
  const pd = partialDependence(ridge, X, 1, "b", 5);
  assert.equal(pd.grid.length, 5);
  // linear model: partial dependence slope equals the coefficient
  assert.ok(Math.abs((pd.values[4]! - pd.values[0]!) / (pd.grid[4]! - pd.grid[0]!) - ridge.coef_![1]!) < 1e-10);
});

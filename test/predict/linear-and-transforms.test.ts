import { test } from "node:test";
import assert from "node:assert/strict";
import { Ridge, Lasso, YeoJohnsonTransform, SignedLog1pTransform, StandardScaler, r2Score } from "../../src/index";

// Reference values: /usr/bin/python3 (scikit-learn 1.2.1, numpy 1.24.2):
//   X = np.array([[np.sin(i), np.cos(2*i), (i % 5) / 4.0] for i in range(12)])
//   y = np.array([2*np.sin(i) - 0.5*np.cos(2*i) + 0.1*i for i in range(12)])
//   Ridge(alpha=0.7).fit(X, y).coef_, .intercept_
//   Lasso(alpha=0.05, tol=1e-12, max_iter=100000).fit(X, y); Lasso(alpha=0.5, ...)
const X = Array.from({ length: 12 }, (_, i) => [Math.sin(i), Math.cos(2 * i), (i % 5) / 4]);
const y = Array.from({ length: 12 }, (_, i) => 2 * Math.sin(i) - 0.5 * Math.cos(2 * i) + 0.1 * i);

function close(actual: readonly number[], expected: readonly number[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]!) <= tol, `${what}[${i}]: ${a} vs ${expected[i]} (tol ${tol})`));
}

test("Ridge matches scikit-learn's coefficients and intercept", () => {
  const m = new Ridge({ alpha: 0.7 }).fit(X, y);
  close(m.coef_!, [1.62318397, -0.53832135, 0.23362344], 1e-7, "coef");
  assert.ok(Math.abs(m.intercept_! - 0.46069290480998065) < 1e-7);
});

test("Lasso (coordinate descent) matches scikit-learn, including exact zeros", () => {
  const m = new Lasso({ alpha: 0.05 }).fit(X, y);
  close(m.coef_!, [1.75125575, -0.50102085, 0], 1e-7, "coef a=0.05");
  assert.ok(Math.abs(m.intercept_! - 0.5585233580666296) < 1e-7);
  const m2 = new Lasso({ alpha: 0.5 }).fit(X, y);
  close(m2.coef_!, [0.84412486, 0, 0], 1e-7, "coef a=0.5");
  assert.equal(m2.coef_![1], 0);
  assert.ok(Math.abs(m2.intercept_! - 0.589725398498338) < 1e-7);
});

test("predict before fit says what to call", () => {
  assert.throws(() => new Ridge().predict(X), /not fitted yet; call fit/);
  assert.throws(() => new Lasso().predict(X), /Lasso.predict: .*call fit/);
  assert.throws(() => new YeoJohnsonTransform().transform([1]), /call fit/);
});

test("Yeo-Johnson lambda by maximum likelihood matches PowerTransformer", () => {
  // v = np.array([0.3, 1.7, 4.2, 0.05, 9.1, 2.2, 0.9, 15.0, 3.3, 0.6])
  // pt = PowerTransformer(method='yeo-johnson').fit(v[:, None]); pt.lambdas_, pt.transform(v[:, None])[:3, 0]
  const v = [0.3, 1.7, 4.2, 0.05, 9.1, 2.2, 0.9, 15.0, 3.3, 0.6];
  const t = new YeoJohnsonTransform().fit(v);
  assert.ok(Math.abs(t.lambda_! - -0.33781801) < 1e-6, `lambda ${t.lambda_}`);
  close(t.transform(v).slice(0, 3), [-1.17794991, -0.09154223, 0.678907], 1e-6, "transform");
  // w with negative values and a zero: lambdas_ [0.73854899]
  const w = [-2.5, -0.3, 0.1, 0.8, 1.9, 3.5, -1.1, 6.0, 0.0, 2.7];
  const tw = new YeoJohnsonTransform().fit(w);
  assert.ok(Math.abs(tw.lambda_! - 0.73854899) < 1e-6, `lambda ${tw.lambda_}`);
  close(tw.transform(w), [-1.87896479, -0.51156718, -0.30754319, 0.00978003, 0.44920388, 1.01658064, -0.96837166, 1.80661346, -0.35671185, 0.74098065], 1e-6, "transform");
  close(tw.inverseTransform(tw.transform(w)), w, 1e-9, "round trip");
  // predictions outside psi's range stay finite
  assert.ok(t.inverseTransform([50, -50]).every(Number.isFinite));
});

test("signed log1p and standard scaling invert exactly", () => {
  const s = new SignedLog1pTransform().fit([-3, 0, 2]);
  close(s.transform([-3, 0, 2]), [-Math.log(4), 0, Math.log(3)], 1e-15, "log1p");
  close(s.inverseTransform(s.transform([-3, 0, 2, 1e-9])), [-3, 0, 2, 1e-9], 1e-12, "inverse");
  const sc = new StandardScaler().fit([[1, 5], [3, 5]]);
  assert.deepEqual(sc.transform([[1, 5], [3, 5]]), [[-1, 0], [1, 0]]);
  assert.equal(r2Score([1, 2, 3], [1, 2, 3]), 1);
});

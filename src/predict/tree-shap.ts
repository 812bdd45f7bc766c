/**
 * Exact SHAP values of tree models by path-dependent TreeSHAP (Lundberg, Erion, Lee 2018, "Consistent
 * Individualized Feature Attribution for Tree Ensembles", Algorithm 2): for each tree, the Shapley values of the
 * set function v(S) = E[f(x) | x_S], the expectation taken over the tree's training distribution as recorded in its
 * node covers. Exact (no sampling), polynomial in depth. Ensembles add the scaled per-tree values, so for every row
 *   expectedValue + sum_j shap[j] = model prediction.
 * `pathDependentExpectation` is Algorithm 1's EXPVALUE, used to check the result by brute force over subsets.
 */
import { predictEnsemble, type TreeArrays, type TreeEnsemble } from "./regression-tree";

interface PathElement {
  d: number;
  z: number;
  o: number;
  w: number;
}

function extend(m: PathElement[], pz: number, po: number, pi: number): void {
  const l = m.length;
  m.push({ d: pi, z: pz, o: po, w: l === 0 ? 1 : 0 });
  for (let i = l - 1; i >= 0; i--) {
    m[i + 1]!.w += (po * m[i]!.w * (i + 1)) / (l + 1);
    m[i]!.w = (pz * m[i]!.w * (l - i)) / (l + 1);
  }
}

function unwind(path: readonly PathElement[], i: number): PathElement[] {
  const m = path.map((e) => ({ ...e }));
  const l = m.length - 1;
  let n = m[l]!.w;
  const { z, o } = m[i]!;
  for (let j = l - 1; j >= 0; j--) {
    if (o !== 0) {
      const t = m[j]!.w;
      m[j]!.w = (n * (l + 1)) / ((j + 1) * o);
      n = t - (m[j]!.w * z * (l - j)) / (l + 1);
    } else {
      m[j]!.w = (m[j]!.w * (l + 1)) / (z * (l - j));
    }
  }
  for (let j = i; j < l; j++) {
    m[j]!.d = m[j + 1]!.d;
    m[j]!.z = m[j + 1]!.z;
    m[j]!.o = m[j + 1]!.o;
  }
  m.pop();
  return m;
}

/** Adds one tree's SHAP values for row x (times `scale`) into phi. */
export function treeShapInto(t: TreeArrays, x: readonly number[], phi: number[], scale = 1): void {
  const recurse = (j: number, parent: readonly PathElement[], pz: number, po: number, pi: number): void => {
    let m = parent.map((e) => ({ ...e }));
    extend(m, pz, po, pi);
    const f = t.feature[j]!;
    if (f < 0) {
      for (let i = 1; i < m.length; i++) {
        const w = unwind(m, i).reduce((a, e) => a + e.w, 0);
        phi[m[i]!.d]! += scale * w * (m[i]!.o - m[i]!.z) * t.value[j]!;
      }
      return;
    }
    const [a, b] = [t.left[j]!, t.right[j]!];
    const [hot, cold] = x[f]! <= t.threshold[j]! ? [a, b] : [b, a];
    let iz = 1;
    let io = 1;
    const k = m.findIndex((e, idx) => idx > 0 && e.d === f);
    if (k > 0) {
      iz = m[k]!.z;
      io = m[k]!.o;
      m = unwind(m, k);
    }
    const r = t.cover[j]!;
    recurse(hot, m, (iz * t.cover[hot]!) / r, io, f);
    recurse(cold, m, (iz * t.cover[cold]!) / r, 0, f);
  };
  recurse(0, [], 1, 1, -1);
}

/** E[tree(x)] over the training distribution: leaf values weighted by cover. */
export function treeExpectedValue(t: TreeArrays): number {
  let s = 0;
  for (let j = 0; j < t.feature.length; j++) if (t.feature[j]! < 0) s += t.value[j]! * t.cover[j]!;
  return s / t.cover[0]!;
}

export interface ShapResult {
  /** E[f(x)] over the training distribution (the base value). */
  expectedValue: number;
  /** shapValues[row][feature]; each row sums with expectedValue to the prediction. */
  shapValues: number[][];
}

/** Exact SHAP values of an ensemble (forest or boosted trees) for every row of X. */
export function treeShap(e: TreeEnsemble, X: readonly (readonly number[])[]): ShapResult {
  const expectedValue = e.base + e.trees.reduce((a, t, k) => a + e.scales[k]! * treeExpectedValue(t), 0);
  const shapValues = X.map((x) => {
    const phi = new Array<number>(x.length).fill(0);
    e.trees.forEach((t, k) => treeShapInto(t, x, phi, e.scales[k]!));
    return phi;
  });
  return { expectedValue, shapValues };
}

/** Algorithm 1's EXPVALUE: E[tree(x) | x_S] with the features outside S integrated out by cover. */
export function pathDependentExpectation(t: TreeArrays, x: readonly number[], S: ReadonlySet<number>): number {
  const g = (j: number): number => {
    const f = t.feature[j]!;
    if (f < 0) return t.value[j]!;
    if (S.has(f)) return g(x[f]! <= t.threshold[j]! ? t.left[j]! : t.right[j]!);
    const [a, b] = [t.left[j]!, t.right[j]!];
    return (g(a) * t.cover[a]! + g(b) * t.cover[b]!) / t.cover[j]!;
  };
  return g(0);
}

/** The prediction of an ensemble that the SHAP values decompose (for checks). */
export function ensemblePrediction(e: TreeEnsemble, x: readonly number[]): number {
  return predictEnsemble(e, x);
}

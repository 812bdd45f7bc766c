import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { readExp2Series, layerSeries, paperProcedure, aic, rss } from "../../src/index";

// Reference: scipy 1.17.1, curve_fit(method="trf", jac=analytic) with the paper's start on normalised data
// (tn = (t - tmin)/(tmax - tmin), yn = (y - ymin)/(ymax - ymin); p0 = [1, 1/std(tn), 1, 1, 0.5];
// bounds lambda >= 0, gamma >= 1e-9, t0 >= 1e-9), parameters scaled back to raw steps. Script (abridged):
//   python3 -c "
//   import ast,os,re,numpy as np; from scipy.optimize import curve_fit
//   f=lambda t,A,l,g,t0,K: A*np.exp(-l*(g*t+t0))*np.log(g*t+t0)+K
//   def jac(t,A,l,g,t0,K):
//       x=g*t+t0; e=np.exp(-l*x); L=np.log(x); d=A*e*(1/x-l*L); return np.stack([e*L,-A*x*e*L,d*t,d,np.ones_like(t)],1)
//   # series: mean top1 / mean median over the 10 sequences of data/mini-pythia/<model>/stats, per layer
//   p,_=curve_fit(f,tn,yn,p0=[1,1/np.std(tn),1,1,0.5],jac=jac,method='trf',
//                 bounds=([-np.inf,0,1e-9,1e-9,-np.inf],[np.inf]*5),maxfev=MAXFEV)
//   raw=[Yr*p[0],p[1],p[2]/Tr,p[3]-p[2]*tmin/Tr,Yr*p[4]+ymin]; r=y-f(t,*raw); print(r2, raw, sum(r**2), n*log(rss/n)+10)"
// With scipy's default budget (max_nfev = 500) only these two of the 60 mini-pythia ratio series converge:
const DEFAULT_BUDGET: [string, number, number, number[]][] = [
  ["d128-L4-H4", 3, 0.9322554764633408, [38.0499721859901, 41.34080521204801, 4.759151995773857e-5, 0.0668448576382447, 11.193376885200694]],
  ["d128-L8-H8", 3, 0.8655209412900312, [666.7758400698025, 2.780280086669871, 0.00010672507715182426, 1.0419575463914184, 3.7911323415066507]],
];
// With maxfev=20000 all 60 converge (ftol); a selection [model, layer, r2, popt, rss, aic]. Most sit in Eq. 9's
// valley towards infinite A (A ~ 1e13-1e15 here), where only R^2 / RSS are comparable, not the parameters.
const BUDGET_20000: [string, number, number, number[], number, number][] = [
  ["d256-L4-H4", 2, 0.9784365127445922, [197.49185313666965, 55.15675366133226, 3.71016891200169e-5, 0.07089145910699975, 15.839104817201116], 12.94127352914101, -24.822422573481013],
  ["d256-L8-H16", 2, 0.7850606107341844, [53004423482237.59, 27.3602061364069, 3.7746948533196806e-5, 0.9905613103740813, 6.928057950618777], 3.980625808598209, -66.08681556743613],
  ["d384-L6-H6", 3, 0.9554782353667218, [3339446634797255.5, 30.885483003871084, 7.729965418292786e-5, 0.9715809863888354, 14.267224820818907], 23.02323267872337, -4.659548362143154],
  ["d512-L6-H8", 5, 0.9939888604877056, [3548015949408.454, 20.971344888675187, 2.186654463495336e-5, 1.0013885505392885, 0.3953183960383386], 63.42099740004599, 30.805642703925727],
];

const suiteDir = path.resolve(__dirname, "../../data/mini-pythia");
const ratio = (model: string, layer: number): { steps: number[]; y: number[] } => {
  const s = readExp2Series(path.join(suiteDir, model));
  return { steps: s.steps, y: layerSeries(s, "ratio")[layer]! };
};

test("paperProcedure lands on scipy's optimum where scipy converges within its default budget", () => {
  for (const [model, layer, r2, popt] of DEFAULT_BUDGET) {
    const { steps, y } = ratio(model, layer);
    const f = paperProcedure(steps, y, { maxNfev: 20000 });
    assert.equal(f.status, "converged", `${model} layer ${layer}: ${f.message}`);
    assert.ok(f.r2 >= r2 - 1e-7, `${model} layer ${layer}: R^2 ${f.r2} vs scipy ${r2}`);
    // same basin: parameters agree to 5% (the optimum is flat along a lambda-A direction: both stop by ftol = 1e-8
    // a little apart, e.g. lambda 42.1 here vs 41.3 in scipy at R^2 equal to 1e-8); tight tolerances go lower still
    // d128-L8-H8 layer 3: scipy stops at A = 667 (R^2 0.865521); this solver continues down the valley to a lower
    // RSS (A ~ 2e8, R^2 0.865548), which counts as "the same optimum or better"
    if (f.r2 <= r2 + 1e-6) popt.forEach((v, j) => assert.ok(Math.abs(f.popt[j]! - v) <= 0.05 * Math.abs(v), `${model} layer ${layer} param ${j}: ${f.popt[j]} vs ${v}`));
    const tight = paperProcedure(steps, y, { maxNfev: 20000, ftol: 1e-12, xtol: 1e-12 });
    assert.ok(tight.rss <= f.rss);
  }
});

test("paperProcedure reaches scipy's RSS (or lower) in Eq. 9's valleys, AIC = n ln(RSS/n) + 2k as computed there", () => {
  for (const [model, layer, r2, , refRss, refAic] of BUDGET_20000) {
    const { steps, y } = ratio(model, layer);
    const f = paperProcedure(steps, y, { maxNfev: 20000 });
    assert.equal(f.status, "converged", `${model} layer ${layer}: ${f.message}`);
    assert.ok(f.rss <= refRss * (1 + 1e-5), `${model} layer ${layer}: RSS ${f.rss} vs scipy ${refRss}`);
    assert.ok(f.r2 >= r2 - 1e-6);
    assert.ok(Math.abs(f.aic - refAic) < 0.01, `AIC ${f.aic} vs ${refAic}`);
    assert.equal(f.aic, aic(rss(f.residuals), f.n, 5));
  }
});

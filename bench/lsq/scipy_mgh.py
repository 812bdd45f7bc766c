"""scipy's least_squares (method "trf" and "lm", default tolerances, x_scale and budget, sympy-derived analytic
Jacobians; also both with x_scale="jac", scipy's unit-free scaling, for reference) on the Moré-Garbow-Hillstrom problems of bench/lsq/mgh_problems.py from x0 and 10 x0: the reference side
of the held-out set of bench/lsq (compare.ts). Prints one JSON object
{"scipy", "numpy", "rows": [{"problem", "number", "start", "method", "status", "message", "nfev", "f", "solved"}]}
where f = sum of squared residuals (the paper's f) and solved = f within 4 digits of the published f*.
  /usr/bin/python3 bench/lsq/scipy_mgh.py > /tmp/scipy-mgh.json
  /usr/bin/python3 bench/lsq/scipy_mgh.py --fixture > test/fixtures/mgh/mgh.json   (problems, starts, f*, and the
      residuals and Jacobian at both starts, which test/dynamics/mgh.test.ts compares with test/helpers/mgh.ts)
"""
import json
import sys

import numpy as np
import scipy
from scipy.optimize import least_squares

from mgh_problems import compiled, problems, solved

SOURCE = ("J. J. More, B. S. Garbow, K. E. Hillstrom, Testing unconstrained optimization software, ACM TOMS 7(1):17-41, "
          "1981, section 3 (problem numbers, x0, f*); residuals and Jacobians from bench/lsq/mgh_problems.py (sympy)")


def starts(p):
    return [p["x0"], [10 * v for v in p["x0"]]]


def fixture():
    out = []
    for p in problems():
        fun, jac = compiled(p)
        at = [dict(x=s, residuals=fun(np.array(s)).tolist(), jacobian=jac(np.array(s)).tolist()) for s in starts(p)]
        out.append(dict(number=p["number"], name=p["name"], n=p["n"], m=p["m"], x0=p["x0"], fstar=p["fstar"], note=p["note"], at=at))
    json.dump({"source": SOURCE, "sympy": __import__("sympy").__version__, "problems": out}, sys.stdout)
    sys.stdout.write("\n")


def main():
    rows = []
    for p in problems():
        fun, jac = compiled(p)
        for s, start in enumerate(starts(p)):
            # "trf-jac", "lm-jac": x_scale="jac", scipy's own unit-free scaling (for reference; not a default)
            for method in ("trf", "lm", "trf-jac", "lm-jac"):
                kw = dict(method=method.split("-")[0], x_scale="jac" if method.endswith("-jac") else 1.0)
                with np.errstate(all="ignore"):
                    try:
                        r = least_squares(fun, np.array(start, dtype=float), jac=jac, **kw)
                        f = 2 * float(r.cost)
                        row = dict(status=int(r.status), message=r.message, nfev=int(r.nfev), f=f, solved=solved(f, p["fstar"]))
                    except Exception as err:  # e.g. residuals not finite at the start
                        row = dict(status=-99, message=f"{type(err).__name__}: {err}", nfev=0, f=float("nan"), solved=False)
                rows.append(dict(problem=p["name"], number=p["number"], start=s + 1, method=method, **row))
    json.dump({"scipy": scipy.__version__, "numpy": np.__version__, "rows": rows}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    fixture() if "--fixture" in sys.argv else main()

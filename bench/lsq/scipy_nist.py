"""scipy's least_squares (method "trf" and "lm", default tolerances and default x_scale, analytic Jacobians; also
trf with x_scale="jac", and trf on the same problems with residuals and Jacobian times 1000 and times 0.001 (y in
other units: scipy's gtol, max |J^T r| < 1e-8, is absolute), for reference) on the
NIST StRD problems of test/fixtures/nist-strd, both NIST starts, raw units: the reference side of bench/lsq.
The models and Jacobians are the same as test/helpers/nist-strd.ts. Prints one JSON object:
{"scipy": version, "rows": [{"problem", "start", "method", "status", "message", "nfev", "minLre", "solved", "cost"}]}
Usage: /usr/bin/python3 bench/lsq/scipy_nist.py > /tmp/scipy-nist.json   (then bench/lsq/compare.ts)
"""
import json
import math
import os
import sys

import numpy as np
import scipy
from scipy.optimize import least_squares

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "..", "test", "fixtures", "nist-strd")
exp = np.exp


def misra1a(b, x, x2):
    e = exp(-b[1] * x)
    return b[0] * (1 - e), [1 - e, b[0] * x * e]


def chwirut(b, x, x2):
    den = b[1] + b[2] * x
    f = exp(-b[0] * x) / den
    return f, [-x * f, -f / den, -x * f / den]


def lanczos(b, x, x2):
    f, g = 0, []
    for k in range(3):
        e = exp(-b[2 * k + 1] * x)
        f = f + b[2 * k] * e
        g += [e, -b[2 * k] * x * e]
    return f, g


def gauss(b, x, x2):
    e = exp(-b[1] * x)
    f, g = b[0] * e, [e, -b[0] * x * e]
    for k in (2, 5):
        u = x - b[k + 1]
        w2 = b[k + 2] ** 2
        q = exp(-u * u / w2)
        f = f + b[k] * q
        g += [q, b[k] * q * 2 * u / w2, b[k] * q * 2 * u * u / (w2 * b[k + 2])]
    return f, g


def rational(k):
    def model(b, x, x2):
        m = len(b)
        num = sum(b[j] * x**j for j in range(k))
        den = 1 + sum(b[j] * x ** (j - k + 1) for j in range(k, m))
        g = [x**j / den for j in range(k)] + [-num * x ** (j - k + 1) / den**2 for j in range(k, m)]
        return num / den, g

    return model


def danwood(b, x, x2):
    xp = x ** b[1]
    return b[0] * xp, [xp, b[0] * xp * np.log(x)]


def misra1b(b, x, x2):
    u = 1 + b[1] * x / 2
    return b[0] * (1 - u**-2), [1 - u**-2, b[0] * x * u**-3]


def misra1c(b, x, x2):
    u = 1 + 2 * b[1] * x
    return b[0] * (1 - u**-0.5), [1 - u**-0.5, b[0] * x * u**-1.5]


def misra1d(b, x, x2):
    u = 1 + b[1] * x
    return b[0] * b[1] * x / u, [b[1] * x / u, b[0] * x / u**2]


def nelson(b, x1, x2):
    e = exp(-b[2] * x2)
    return b[0] - b[1] * x1 * e, [np.ones_like(x1), -x1 * e, b[1] * x1 * x2 * e]


def mgh17(b, x, x2):
    e4, e5 = exp(-x * b[3]), exp(-x * b[4])
    return b[0] + b[1] * e4 + b[2] * e5, [np.ones_like(x), e4, e5, -b[1] * x * e4, -b[2] * x * e5]


def roszman1(b, x, x2):
    w = x - b[3]
    u = b[2] / w
    k = 1 / (np.pi * (1 + u * u))
    return b[0] - b[1] * x - np.arctan(u) / np.pi, [np.ones_like(x), -x, -k / w, -k * b[2] / w**2]


def enso(b, x, x2):
    a, a4, a7 = 2 * np.pi * x / 12, 2 * np.pi * x / b[3], 2 * np.pi * x / b[6]
    f = b[0] + b[1] * np.cos(a) + b[2] * np.sin(a) + b[4] * np.cos(a4) + b[5] * np.sin(a4) + b[7] * np.cos(a7) + b[8] * np.sin(a7)
    g = [np.ones_like(x), np.cos(a), np.sin(a), (b[4] * np.sin(a4) - b[5] * np.cos(a4)) * a4 / b[3], np.cos(a4), np.sin(a4),
         (b[7] * np.sin(a7) - b[8] * np.cos(a7)) * a7 / b[6], np.cos(a7), np.sin(a7)]
    return f, g


def mgh09(b, x, x2):
    num, den = x * x + x * b[1], x * x + x * b[2] + b[3]
    return b[0] * num / den, [num / den, b[0] * x / den, -b[0] * num * x / den**2, -b[0] * num / den**2]


def rat42(b, x, x2):
    e = exp(b[1] - b[2] * x)
    q = 1 + e
    return b[0] / q, [1 / q, -b[0] * e / q**2, b[0] * x * e / q**2]


def mgh10(b, x, x2):
    w = x + b[2]
    e = exp(b[1] / w)
    return b[0] * e, [e, b[0] * e / w, -b[0] * e * b[1] / w**2]


def eckerle4(b, x, x2):
    u = (x - b[2]) / b[1]
    e = exp(-0.5 * u * u)
    return b[0] / b[1] * e, [e / b[1], b[0] * e / b[1] ** 2 * (u * u - 1), b[0] * e / b[1] ** 2 * u]


def rat43(b, x, x2):
    e = exp(b[1] - b[2] * x)
    q = 1 + e
    f = b[0] * q ** (-1 / b[3])
    return f, [q ** (-1 / b[3]), -f * e / (b[3] * q), f * e * x / (b[3] * q), f * np.log(q) / b[3] ** 2]


def bennett5(b, x, x2):
    w = b[1] + x
    f = b[0] * w ** (-1 / b[2])
    return f, [w ** (-1 / b[2]), -f / (b[2] * w), f * np.log(w) / b[2] ** 2]


MODELS = {
    "Misra1a": misra1a, "BoxBOD": misra1a, "Chwirut1": chwirut, "Chwirut2": chwirut, "Lanczos1": lanczos, "Lanczos2": lanczos,
    "Lanczos3": lanczos, "Gauss1": gauss, "Gauss2": gauss, "Gauss3": gauss, "DanWood": danwood, "Misra1b": misra1b,
    "Kirby2": rational(3), "Hahn1": rational(4), "Thurber": rational(4), "Nelson": nelson, "MGH17": mgh17, "Misra1c": misra1c,
    "Misra1d": misra1d, "Roszman1": roszman1, "ENSO": enso, "MGH09": mgh09, "Rat42": rat42, "MGH10": mgh10,
    "Eckerle4": eckerle4, "Rat43": rat43, "Bennett5": bennett5,
}


def min_lre(b, cert):
    out = 15.0
    for v, c in zip(b, cert):
        rel = abs(v - c) / abs(c)
        lre = 15.0 if rel == 0 else (-math.log10(rel) if math.isfinite(rel) else 0.0)
        out = min(out, lre)
    return out


def main():
    rows = []
    for fname in sorted(f for f in os.listdir(FIXTURES) if f.endswith(".json") and not f.startswith("scipy")):
        fx = json.load(open(os.path.join(FIXTURES, fname)))
        model = MODELS[fx["name"]]
        d = fx["data"]
        x = np.array(d.get("x", d.get("x1")))
        x2 = np.array(d.get("x2", [0.0] * len(x)))
        y = np.log(np.array(d["y"])) if fx["name"] == "Nelson" else np.array(d["y"])
        for s, start in enumerate(fx["starts"]):
            # "trf-jac": trf with x_scale="jac", scipy's own unit-free scaling (for reference; not a default);
            # "trf-r1e3", "trf-r1e-3": trf with residuals and Jacobian times 1e3 / 1e-3 (the same problem, y in other units)
            for method in ("trf", "lm", "trf-jac", "trf-r1e3", "trf-r1e-3"):
                kw = dict(method="trf", x_scale="jac") if method == "trf-jac" else dict(method=method.split("-")[0])
                scale = float(method[5:]) if method.startswith("trf-r") else 1.0
                fun = lambda b, c=scale: c * (model(b, x, x2)[0] - y)
                jac = lambda b, c=scale: c * np.column_stack([np.broadcast_to(q, x.shape) for q in model(b, x, x2)[1]])
                with np.errstate(all="ignore"):
                    try:
                        r = least_squares(fun, np.array(start, dtype=float), jac=jac, **kw)
                        lre = min_lre(r.x, fx["certified"])
                        row = dict(status=int(r.status), message=r.message, nfev=int(r.nfev), minLre=lre, solved=lre >= 4, cost=float(r.cost) / scale**2)
                    except Exception as err:  # e.g. residuals not finite at the start
                        row = dict(status=-99, message=f"{type(err).__name__}: {err}", nfev=0, minLre=0.0, solved=False, cost=float("nan"))
                rows.append(dict(problem=fx["name"], start=s + 1, method=method, **row))
    json.dump({"scipy": scipy.__version__, "numpy": np.__version__, "rows": rows}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

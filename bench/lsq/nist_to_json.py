"""Converts NIST StRD nonlinear-regression .dat files into the compact JSON fixtures of test/fixtures/nist-strd/.

Usage: python3 bench/lsq/nist_to_json.py <folder with the .dat files> test/fixtures/nist-strd
Each .dat file (NIST's layout: parameter lines after the "Start 1  Start 2  Parameter  Standard Deviation" header,
then "Residual Sum of Squares:", then the data after the "Data:" line with column names) becomes <name>.json:
{"name", "difficulty", "model", "columns", "data": {column: [...]}, "starts": [[...], [...]],
 "certified": [...], "certifiedSd": [...], "certifiedRss", "source"}. Numbers are copied as written (float64).
"""
import json
import os
import re
import sys

NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


def parse(path):
    name = os.path.basename(path)[:-4]
    lines = open(path, encoding="ascii").read().splitlines()
    text = "\n".join(lines)
    difficulty = re.search(r"(Lower|Average|Higher) Level of Difficulty", text).group(1).lower()
    model_lines = []
    i = next(k for k, l in enumerate(lines) if l.startswith("Model:"))
    for l in lines[i + 2 :]:
        if "Starting" in l:
            break
        if l.strip():
            model_lines.append(l.strip())
    header = next(k for k, l in enumerate(lines) if re.search(r"Start 1\s+Start 2\s+Parameter", l))
    starts = ([], [])
    cert, sd = [], []
    for l in lines[header + 1 :]:
        m = re.match(r"\s*b(\d+)\s*=\s*(" + NUM + r")\s+(" + NUM + r")\s+(" + NUM + r")\s+(" + NUM + r")\s*$", l)
        if not m:
            if l.strip():
                break
            continue
        if int(m.group(1)) != len(cert) + 1:
            raise SystemExit(f"{path}: parameter b{m.group(1)} out of order")
        starts[0].append(float(m.group(2)))
        starts[1].append(float(m.group(3)))
        cert.append(float(m.group(4)))
        sd.append(float(m.group(5)))
    rss = float(re.search(r"Residual Sum of Squares:\s+(" + NUM + ")", text).group(1))
    nobs = int(re.search(r"Number of Observations:\s+(\d+)", text).group(1))
    d = next(k for k, l in enumerate(lines) if l.startswith("Data:") and "Response" not in l)
    columns = lines[d].split()[1:]
    rows = [[float(v) for v in l.split()] for l in lines[d + 1 :] if l.strip()]
    if len(rows) != nobs or any(len(r) != len(columns) for r in rows):
        raise SystemExit(f"{path}: expected {nobs} rows of {len(columns)} numbers, got {len(rows)}")
    return {
        "name": name,
        "difficulty": difficulty,
        "model": " ".join(model_lines),
        "columns": columns,
        "data": {c: [r[j] for r in rows] for j, c in enumerate(columns)},
        "starts": [starts[0], starts[1]],
        "certified": cert,
        "certifiedSd": sd,
        "certifiedRss": rss,
    }


def main():
    src, dst = sys.argv[1], sys.argv[2]
    names = sorted(f for f in os.listdir(src) if f.endswith(".dat"))
    for f in names:
        prob = parse(os.path.join(src, f))
        prob["source"] = f"NIST StRD nonlinear regression, {f} (via lmfit/lmfit-py NIST_STRD/{f})"
        with open(os.path.join(dst, prob["name"] + ".json"), "w") as out:
            json.dump(prob, out, separators=(",", ":"))
            out.write("\n")
        print(f"{prob['name']}: {len(prob['data']['y'])} points, {len(prob['certified'])} parameters, {prob['difficulty']}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""PyTorch (cuBLAS) peer of `bench/gpu/matmul.ts --set forward`: torch.matmul TFLOP/s of the same float32 products,
A [M, K] @ B [K, N], TF32 off (plain float32 FMA, as ours), median of --reps timed repeats of --inner products each.
Usage: python3 bench/peers/matmul_fp32.py [--reps 5] [--out peer-matmul-fp32.json]"""
import argparse, json, statistics, time

import torch

SHAPES = [("8192^3", 8192, 8192, 8192), ("70m qkv 10240x512x1536", 10240, 512, 1536),
          ("70m dense 10240x512x512", 10240, 512, 512), ("70m fc1 10240x512x2048", 10240, 512, 2048),
          ("70m fc2 10240x2048x512", 10240, 2048, 512), ("70m logits 10240x512x50304", 10240, 512, 50304),
          ("1b qkv 10240x2048x6144", 10240, 2048, 6144), ("1b dense 10240x2048x2048", 10240, 2048, 2048),
          ("1b fc1 5120x2048x8192", 5120, 2048, 8192), ("1b fc2 5120x8192x2048", 5120, 8192, 2048),
          ("1b logits 10240x2048x50304", 10240, 2048, 50304)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--out", default="")
    a = ap.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    rows = []
    for label, M, K, N in SHAPES:
        x = torch.randn(M, K, device="cuda")
        w = torch.randn(K, N, device="cuda")
        flop = 2 * M * K * N
        inner = max(1, min(20, round(2e11 / flop)))
        for _ in range(3):
            x @ w
        times = []
        for _ in range(a.reps):
            torch.cuda.synchronize(); t0 = time.perf_counter()
            for _ in range(inner):
                x @ w
            torch.cuda.synchronize(); times.append((time.perf_counter() - t0) / inner)
        s = statistics.median(times)
        rows.append({"label": label, "M": M, "K": K, "N": N, "ms": s * 1e3, "tflops": flop / s / 1e12})
        print(f"torch fp32 {label:32s} {s * 1e3:8.3f} ms {flop / s / 1e12:7.1f} TFLOP/s", flush=True)
        del x, w
    if a.out:
        with open(a.out, "w") as f:
            json.dump({"torch": torch.__version__, "gpu": torch.cuda.get_device_name(), "tf32": False, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""PyTorch peer of bench/gpu/f16-probe.ts: torch.matmul TFLOP/s of the same product shapes, out = A @ W^T with
A [M, K] and W [N, K] (torch.nn.Linear's layout), in float16 (float32 accumulation, cuBLAS's default) and float32
(TF32 off). Usage: python3 bench/peers/matmul_f16.py [--reps 20] [--out peer-matmul.json]"""
import argparse, json, time

import torch

SHAPES = [("1b qkv-like K2048 N2048", 20480, 2048, 2048), ("1b fc1 K2048 N8192", 20480, 2048, 8192),
          ("1b fc2 K8192 N2048", 20480, 8192, 2048), ("1b qkv K2048 N6144", 20480, 2048, 6144),
          ("1b logits K2048 N50304 (5 seqs)", 10240, 2048, 50304), ("70m K512 N512", 20480, 512, 512),
          ("70m fc1 K512 N2048", 20480, 512, 2048), ("70m fc2 K2048 N512", 20480, 2048, 512)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--out", default="")
    a = ap.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    rows = []
    for label, M, K, N in SHAPES:
        for dtype in (torch.float16, torch.float32):
            x = torch.randn(M, K, device="cuda", dtype=dtype)
            w = torch.randn(N, K, device="cuda", dtype=dtype)
            for _ in range(3):
                x @ w.T
            torch.cuda.synchronize(); t0 = time.perf_counter()
            for _ in range(a.reps):
                x @ w.T
            torch.cuda.synchronize(); s = (time.perf_counter() - t0) / a.reps
            tf = 2 * M * K * N / s / 1e12
            rows.append({"shape": label, "M": M, "K": K, "N": N, "dtype": str(dtype).replace("torch.", ""), "ms": s * 1e3, "tflops": tf})
            print(f"torch {label:32s} {rows[-1]['dtype']:8s} {s * 1e3:8.3f} ms {tf:7.1f} TFLOP/s", flush=True)
            del x, w
    if a.out:
        with open(a.out, "w") as f:
            json.dump({"torch": torch.__version__, "gpu": torch.cuda.get_device_name(), "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()

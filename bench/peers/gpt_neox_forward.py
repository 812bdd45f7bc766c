#!/usr/bin/env python3
"""PyTorch peer of bench/gpu/forward.ts: the same GPT-NeoX forward (transformers GPTNeoXForCausalLM, Pythia shapes,
random weights, 10 x 2048 tokens, logits computed) on the same GPU, in float32 with TF32 off and in float16.
Prints tokens/s per shape and dtype and writes --out JSON ({"rows": [{shape, dtype, tokens_per_s, ...}]}).
Usage: python3 bench/peers/gpt_neox_forward.py [--shapes 70m,160m,1b] [--seqs 10] [--seq 2048] [--reps 5] [--out peer.json]
"""
import argparse, json, statistics, sys, time

import torch
import transformers
from transformers import GPTNeoXConfig, GPTNeoXForCausalLM

SHAPES = {"70m": (512, 6, 8), "160m": (768, 12, 12), "410m": (1024, 24, 16), "1b": (2048, 16, 8)}


def config(shape, attn):
    h, layers, heads = SHAPES[shape]
    return GPTNeoXConfig(hidden_size=h, num_hidden_layers=layers, num_attention_heads=heads, intermediate_size=4 * h,
                         vocab_size=50304, max_position_embeddings=2048, rotary_pct=0.25, rotary_emb_base=10000,
                         layer_norm_eps=1e-5, use_parallel_residual=True, hidden_act="gelu",
                         tie_word_embeddings=False, attn_implementation=attn)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shapes", default="70m,160m,1b")
    ap.add_argument("--seqs", type=int, default=10)
    ap.add_argument("--seq", type=int, default=2048)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--attn", default="sdpa", help="transformers attn_implementation: sdpa (default) or eager")
    ap.add_argument("--out", default="")
    a = ap.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.set_float32_matmul_precision("highest")
    dev = torch.device("cuda")
    props = torch.cuda.get_device_properties(dev)
    rows = []
    for shape in a.shapes.split(","):
        torch.manual_seed(0)
        with torch.device("cuda"):
            model = GPTNeoXForCausalLM(config(shape, a.attn)).eval()
        ids = torch.randint(0, 50304, (a.seqs, a.seq), device=dev)
        for dtype in (torch.float32, torch.float16):
            model.to(device=dev, dtype=dtype)
            with torch.inference_mode():
                model(input_ids=ids).logits.sum().item()  # warm-up
                times = []
                for _ in range(a.reps):
                    torch.cuda.synchronize(); t0 = time.perf_counter()
                    out = model(input_ids=ids).logits
                    torch.cuda.synchronize(); times.append(time.perf_counter() - t0)
                    del out
            s = statistics.median(times)
            tok = a.seqs * a.seq / s
            name = str(dtype).replace("torch.", "")
            rows.append({"shape": shape, "dtype": name, "seconds": s, "tokens_per_s": tok, "attn": a.attn,
                         "params": sum(p.numel() for p in model.parameters())})
            print(f"peer {shape:5s} {name:8s} {a.attn}: {tok:10.0f} tokens/s ({s * 1e3:.1f} ms for {a.seqs} x {a.seq})", flush=True)
        del model
        torch.cuda.empty_cache()
    # the 8192^3 float32 matmul rate, TF32 off (the ceiling the WebGPU kernels are compared with)
    x = torch.randn(8192, 8192, device=dev); y = torch.randn(8192, 8192, device=dev)
    for _ in range(3): x @ y
    torch.cuda.synchronize(); t0 = time.perf_counter()
    for _ in range(10): x @ y
    torch.cuda.synchronize(); mm = 2 * 8192 ** 3 * 10 / (time.perf_counter() - t0) / 1e12
    print(f"peer float32 8192^3 matmul (TF32 off): {mm:.1f} TFLOP/s")
    res = {"gpu": props.name, "torch": torch.__version__, "transformers": transformers.__version__,
           "cuda": torch.version.cuda, "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
           "matmul_fp32_tflops": mm, "rows": rows}
    if a.out:
        with open(a.out, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())

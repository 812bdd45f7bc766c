#!/usr/bin/env python3
"""PyTorch peer of bench/stream (recording a checkpoint): for each checkpoint folder, in a fresh process per
(folder, dtype) so that peak host memory is its own: transformers' GPTNeoXForCausalLM.from_pretrained straight
onto the GPU (float16 as stored, or float32 with TF32 off), then the decoder layers on --seqs x --seq random
tokens with output_hidden_states, and per layer and sequence the top-3 and torch.median of |h| (what a
recording computes; no logits). Prints one JSON line per run and writes them all to --out.
Usage: python3 bench/peers/gpt_neox_record.py --runs /tmp/ck/1b:float16,/tmp/ck/1b:float32,/tmp/ck/12b:float16 [--seqs 10] [--seq 2048] [--out peer-record.json]
"""
import argparse, json, os, resource, subprocess, sys, time


def one(folder, dtype_name, seqs, seq):
    import torch
    from transformers import GPTNeoXForCausalLM
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    dtype = getattr(torch, dtype_name)
    dev = torch.device("cuda")
    torch.cuda.synchronize(); t0 = time.perf_counter()
    model = GPTNeoXForCausalLM.from_pretrained(folder, dtype=dtype, device_map="cuda").eval()
    torch.cuda.synchronize(); load_s = time.perf_counter() - t0
    g = torch.Generator(device="cpu").manual_seed(11)
    ids = torch.randint(0, model.config.vocab_size, (seqs, seq), generator=g).to(dev)
    times = []
    for _ in range(2):  # the second run is the steady state
        torch.cuda.synchronize(); t1 = time.perf_counter()
        with torch.inference_mode():
            hs = model.gpt_neox(input_ids=ids, output_hidden_states=True).hidden_states[1:]
            stats = []
            for h in hs:
                a = h.float().abs().reshape(seqs, -1)
                stats.append((a.topk(3, dim=1).values, a.median(dim=1).values))
            torch.stack([s[1] for s in stats]).cpu()
        torch.cuda.synchronize(); times.append(time.perf_counter() - t1)
        del hs, stats
    return {"dir": folder, "dtype": dtype_name, "seqs": seqs, "seq": seq, "load_s": load_s, "forward_stats_s": times,
            "load_plus_forward_s": load_s + times[-1], "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            "peak_gpu_bytes": torch.cuda.max_memory_allocated(dev), "torch": torch.__version__}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", required=True, help="folder:dtype,... (dtype float16 or float32)")
    ap.add_argument("--seqs", type=int, default=10)
    ap.add_argument("--seq", type=int, default=2048)
    ap.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--out", default="")
    a = ap.parse_args()
    if a.one:
        print(json.dumps(one(a.one[0], a.one[1], a.seqs, a.seq)), flush=True)
        return
    rows = []
    for run in a.runs.split(","):
        folder, dt = run.rsplit(":", 1)
        r = subprocess.run([sys.executable, __file__, "--runs", run, "--one", folder, dt, "--seqs", str(a.seqs), "--seq", str(a.seq)],
                           capture_output=True, text=True)
        line = (r.stdout.strip().splitlines() or [""])[-1]
        row = json.loads(line) if line.startswith("{") else {"dir": folder, "dtype": dt, "error": r.stderr.strip()[-400:]}
        print(json.dumps(row), flush=True)
        rows.append(row)
    if a.out:
        with open(a.out, "w") as f:
            json.dump({"rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()

"""
PyTorch float32 twin of src/train for speed comparison (and for a sequential-residual reference): a GPT-NeoX as
transformers' GPTNeoXForCausalLM computes it (eager attention, parallel or sequential residual, partial rotary,
exact GELU, untied output projection), AdamW(0.9, 0.95, eps 1e-8) with weight decay on every parameter, global-norm
clipping to 1.0, the HF causal-LM loss. Written here because transformers is not installed on this machine; it is
checked against transformers' own numbers on test/fixtures/gpt-neox-train/train-a with --check.

  /usr/bin/python3 bench/train/torch_train.py --shape d128-L4-H4 --batch 64 --seq 256 --steps 3 [--threads N]
  /usr/bin/python3 bench/train/torch_train.py --check test/fixtures/gpt-neox-train/train-a
Prints one JSON line.
"""
import argparse, json, math, os, struct, time
import numpy as np
import torch
import torch.nn.functional as F


class NeoX(torch.nn.Module):
    def __init__(self, d, L, H, vocab=256, ff=None, rotary_pct=0.25, parallel=True, eps=1e-5, base=10000):
        super().__init__()
        ff = ff or 4 * d
        self.d, self.L, self.H, self.hs, self.parallel, self.eps = d, L, H, d // H, parallel, eps
        self.rd = int(self.hs * rotary_pct)
        P = torch.nn.Parameter
        self.embed_in = P(torch.randn(vocab, d) * 0.02)
        self.layers = torch.nn.ModuleList()
        for _ in range(L):
            m = torch.nn.Module()
            m.ln1w, m.ln1b, m.ln2w, m.ln2b = P(torch.ones(d)), P(torch.zeros(d)), P(torch.ones(d)), P(torch.zeros(d))
            m.qkvw, m.qkvb = P(torch.randn(3 * d, d) * 0.02), P(torch.zeros(3 * d))
            m.densew, m.denseb = P(torch.randn(d, d) * 0.02), P(torch.zeros(d))
            m.fc1w, m.fc1b = P(torch.randn(ff, d) * 0.02), P(torch.zeros(ff))
            m.fc2w, m.fc2b = P(torch.randn(d, ff) * 0.02), P(torch.zeros(d))
            self.layers.append(m)
        self.lnfw, self.lnfb = P(torch.ones(d)), P(torch.zeros(d))
        self.embed_out = P(torch.randn(vocab, d) * 0.02)
        self.inv_freq = 1.0 / (base ** (torch.arange(0, self.rd, 2, dtype=torch.int64).float() / self.rd))

    def hf_names(self):
        """Parameters in named_parameters() order of GPTNeoXForCausalLM, with HF names."""
        out = [("gpt_neox.embed_in.weight", self.embed_in)]
        for i, m in enumerate(self.layers):
            p = f"gpt_neox.layers.{i}."
            out += [(p + "input_layernorm.weight", m.ln1w), (p + "input_layernorm.bias", m.ln1b),
                    (p + "post_attention_layernorm.weight", m.ln2w), (p + "post_attention_layernorm.bias", m.ln2b),
                    (p + "attention.query_key_value.weight", m.qkvw), (p + "attention.query_key_value.bias", m.qkvb),
                    (p + "attention.dense.weight", m.densew), (p + "attention.dense.bias", m.denseb),
                    (p + "mlp.dense_h_to_4h.weight", m.fc1w), (p + "mlp.dense_h_to_4h.bias", m.fc1b),
                    (p + "mlp.dense_4h_to_h.weight", m.fc2w), (p + "mlp.dense_4h_to_h.bias", m.fc2b)]
        return out + [("gpt_neox.final_layer_norm.weight", self.lnfw), ("gpt_neox.final_layer_norm.bias", self.lnfb), ("lm_head.weight", self.embed_out)]

    def rope(self, x, T):
        t = torch.arange(T, dtype=torch.int64, device=x.device).float()
        freqs = torch.outer(t, self.inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos(), emb.sin()
        xr, xp = x[..., : self.rd], x[..., self.rd:]
        x1, x2 = xr[..., : self.rd // 2], xr[..., self.rd // 2:]
        rot = torch.cat((-x2, x1), dim=-1)
        return torch.cat((xr * cos + rot * sin, xp), dim=-1)

    def attn(self, m, x):
        B, T, _ = x.shape
        qkv = F.linear(x, m.qkvw, m.qkvb).view(B, T, self.H, 3 * self.hs).transpose(1, 2)
        q, k, v = qkv.chunk(3, dim=-1)
        q, k = self.rope(q, T), self.rope(k, T)
        w = torch.matmul(q, k.transpose(2, 3)) * (self.hs ** -0.5)
        mask = torch.full((T, T), torch.finfo(torch.float32).min, device=x.device).triu(1)
        w = F.softmax(w + mask, dim=-1)
        o = torch.matmul(w, v).transpose(1, 2).reshape(B, T, self.d)
        return F.linear(o, m.densew, m.denseb)

    def mlp(self, m, x):
        return F.linear(F.gelu(F.linear(x, m.fc1w, m.fc1b)), m.fc2w, m.fc2b)

    def loss(self, ids):
        x = self.embed_in[ids]
        for m in self.layers:
            a = self.attn(m, F.layer_norm(x, (self.d,), m.ln1w, m.ln1b, self.eps))
            if self.parallel:
                x = self.mlp(m, F.layer_norm(x, (self.d,), m.ln2w, m.ln2b, self.eps)) + a + x
            else:
                r = a + x
                x = self.mlp(m, F.layer_norm(r, (self.d,), m.ln2w, m.ln2b, self.eps)) + r
        logits = F.linear(F.layer_norm(x, (self.d,), self.lnfw, self.lnfb, self.eps), self.embed_out)
        return F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1))


def read_safetensors(path):
    b = open(path, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    h = json.loads(b[8:8 + n])
    out = {}
    for k, v in h.items():
        if k == "__metadata__":
            continue
        s, e = v["data_offsets"]
        out[k] = torch.from_numpy(np.frombuffer(b[8 + n + s:8 + n + e], dtype=np.float32).reshape(v["shape"]).copy())
    return out


def lr_at(k, lr, warmup, steps):
    if k < warmup:
        return lr * (k + 1) / warmup
    return lr * (0.1 + 0.45 * (1 + math.cos(math.pi * (k - warmup) / max(1, steps - warmup))))


def train(model, batches, lr, warmup, steps, wd=0.1):
    params = [p for _, p in model.hf_names()]
    opt = torch.optim.AdamW(params, lr=lr, betas=(0.9, 0.95), eps=1e-8, weight_decay=wd)
    log = []
    for k in range(steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(k, lr, warmup, steps)
        loss = model.loss(batches[k])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        log.append({"loss": loss.item(), "grad_norm": norm.item()})
    return log


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shape", default="d128-L4-H4")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--seq", type=int, default=256)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--device", default="cpu", help="cpu or cuda (float32; TF32 off)")
    ap.add_argument("--check", help="a train-a style fixture folder: train on its batches and compare with expected.json")
    ap.add_argument("--sequential", action="store_true", help="with --check: sequential residual, print the run (no comparison)")
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    if a.check:
        cfg = json.load(open(os.path.join(a.check, "config.json")))
        rec = json.load(open(os.path.join(a.check, "recipe.json")))
        model = NeoX(cfg["hidden_size"], cfg["num_hidden_layers"], cfg["num_attention_heads"], cfg["vocab_size"], cfg["intermediate_size"], cfg["rotary_pct"], not a.sequential)
        init = read_safetensors(os.path.join(a.check, "init.safetensors"))
        with torch.no_grad():
            for name, p in model.hf_names():
                p.copy_(init[name])
        batches = torch.tensor(json.load(open(os.path.join(a.check, "batches.json"))))
        log = train(model, batches, rec["lr"], rec["warmup"], rec["steps"], rec["weight_decay"])
        out = {"torch": torch.__version__, "residual": "sequential" if a.sequential else "parallel", "loss": [e["loss"] for e in log], "grad_norm": [e["grad_norm"] for e in log]}
        if not a.sequential:
            ref = json.load(open(os.path.join(a.check, "expected.json")))
            out["max_rel_loss_vs_transformers"] = max(abs(x - y) / y for x, y in zip(out["loss"], ref["loss"]))
            exp = read_safetensors(os.path.join(a.check, "expected.safetensors"))
            out["max_abs_param_vs_transformers"] = max(float((p.detach() - exp[f"step{rec['steps'] - 1}.{n}"]).abs().max()) for n, p in model.hf_names())
        else:
            out["params_after"] = {n: p.detach().flatten().tolist() for n, p in model.hf_names()}
        print(json.dumps(out))
        return
    d, L, H = (int(x) for x in a.shape.replace("d", "").replace("L", "").replace("H", "").split("-"))
    dev = torch.device(a.device)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    model = NeoX(d, L, H).to(dev)
    model.inv_freq = model.inv_freq.to(dev)
    corpus = np.random.default_rng(1).integers(0, 256, size=(a.steps + 1, a.batch, a.seq))
    batches = torch.tensor(corpus, dtype=torch.int64, device=dev)
    times, losses = [], []
    params = [p for _, p in model.hf_names()]
    opt = torch.optim.AdamW(params, lr=1e-3, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)
    for k in range(a.steps + 1):
        t0 = time.perf_counter()
        loss = model.loss(batches[k])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        losses.append(loss.item())  # .item() waits for the GPU
        if k > 0:
            times.append(time.perf_counter() - t0)
    mean = sum(times) / len(times)
    print(json.dumps({"impl": "pytorch", "torch": torch.__version__, "device": str(dev), "threads": torch.get_num_threads(), "shape": a.shape, "params": sum(p.numel() for p in params),
                      "batch": a.batch, "seq": a.seq, "timed_steps": a.steps, "seconds_per_step": times, "mean_seconds_per_step": mean,
                      "tokens_per_second": a.batch * a.seq / mean, "losses": losses}))


if __name__ == "__main__":
    main()

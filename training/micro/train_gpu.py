"""One prepared GPU run of kontext-micro: a few minutes of an H100 instead of days of the 2-core CPU.

  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 PYTHONUNBUFFERED=1 python3 -m training.micro.train_gpu \
      --out training/runs/gpu1 --seed 11 --budget-s 470

Inside one wall-clock budget:
 1. every spare CPU core makes procedural samples (SampleStream) for the whole run;
 2. the AE is fine-tuned from the committed checkpoint on the images made so far (cosine lr), then frozen, and
    its latent shift/scale are fitted;
 3. DiT + T5 + CLIP (config.DIT) train from scratch on the frozen AE's tokens with the rectified-flow objective
    of train_dit.py (logit-normal t, target tokens only), the pool growing as samples arrive; bf16 autocast, EMA;
 4. the first chunks, never trained on, score the EMA and the raw weights by batched 12-step edits; the better
    one is exported; KontextBench-micro is scored for the report only (it chooses nothing).
Writes to --out: ae.safetensors (official AE file, fitted shift/scale in its config), dit_ema.safetensors and
dit_raw.safetensors (fp16 KontextMicro state dicts), log.jsonl, summary.json. Export with
`training.micro.export --gpu-run <out>`. Not bit-reproducible: how many samples exist at each step depends on
the machine's speed; the samples themselves are fixed by --seed.
"""
import argparse
import copy
import json
import math
import os
import time

import numpy as np
import torch

from training.domain import CATEGORIES
from training.kontext_ref.autoencoder import AutoEncoder
from training.kontext_ref.sampling import mu_for, pack, unpack
from training.kontext_ref.safetensors_io import save_file
from training.kontext_ref.util import AE_FILE, load_ae
from training.micro.common import RunLog, load_bench_cases, psnr
from training.micro.config import AE, CHECKPOINT_DIR, DEFAULT_STEPS, TRAIN_GUIDANCE
from training.micro.export import fp16, load_official
from training.micro.make_data import pad_ids
from training.micro.model import TOKENS_PER_IMAGE, KontextMicro, sample_tokens
from training.micro.sample_stream import SampleStream
from training.micro.train_ae import train_step

SUCCESS_DB = 24.0


def to_float(u8: torch.Tensor) -> torch.Tensor:
    """[N, H, W, 3] uint8 (any device) -> [N, 3, H, W] float in [-1, 1]."""
    return u8.permute(0, 3, 1, 2).float() / 127.5 - 1


def to_u8(x: torch.Tensor) -> np.ndarray:
    return ((x.float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).permute(0, 2, 3, 1).cpu().numpy()


def cosine_lr(peak: float, frac: float, floor: float = 0.05) -> float:
    return peak * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * min(1.0, frac))))


def chunk_images(chunk: dict) -> np.ndarray:
    return np.concatenate([chunk["input"], chunk["target"], chunk["reference"][chunk["has_ref"]]])


class ImagePool:
    """uint8 images on the device: a ring of fixed capacity the AE samples its batches from."""

    def __init__(self, capacity: int, device: torch.device):
        self.data = torch.empty((capacity, 64, 64, 3), dtype=torch.uint8, device=device)
        self.n = self.pos = 0

    def add(self, images: np.ndarray) -> None:
        x = torch.from_numpy(images).to(self.data.device)
        while len(x):
            k = min(len(x), len(self.data) - self.pos)
            self.data[self.pos:self.pos + k] = x[:k]
            self.pos, self.n, x = (self.pos + k) % len(self.data), min(len(self.data), self.n + k), x[k:]

    def sample(self, count: int, gen: torch.Generator) -> torch.Tensor:
        return self.data[torch.randint(0, self.n, (count,), device=self.data.device, generator=gen)]


class TokenStore:
    """Packed AE tokens of every training sample, on the device, growing as chunks arrive."""

    def __init__(self, capacity: int, text_len: int, device: torch.device):
        shape = (capacity, TOKENS_PER_IMAGE, 4 * AE.z_channels)
        self.tokens = {k: torch.zeros(shape, dtype=torch.float16, device=device)
                       for k in ("input", "target", "reference")}
        self.ids = torch.zeros((capacity, text_len), dtype=torch.long, device=device)
        self.has_ref = torch.zeros(capacity, dtype=torch.bool, device=device)
        self.n = 0
        self.groups = {False: torch.zeros(0, dtype=torch.long, device=device),
                       True: torch.zeros(0, dtype=torch.long, device=device)}

    def add(self, tokens: dict) -> None:
        k = min(len(tokens["ids"]), len(self.ids) - self.n)
        sl = slice(self.n, self.n + k)
        for key in self.tokens:
            self.tokens[key][sl] = tokens[key][:k]
        self.ids[sl], self.has_ref[sl] = tokens["ids"][:k], tokens["has_ref"][:k]
        new = torch.arange(self.n, self.n + k, device=self.ids.device)
        for r in (False, True):
            self.groups[r] = torch.cat([self.groups[r], new[self.has_ref[sl] == r]])
        self.n += k

    def p_ref(self) -> float:
        return len(self.groups[True]) / max(1, self.n)

    def batch(self, with_ref: bool, count: int, gen: torch.Generator) -> dict:
        group = self.groups[with_ref]
        idx = group[torch.randint(0, len(group), (count,), device=group.device, generator=gen)]
        return {"input": self.tokens["input"][idx].float(), "target": self.tokens["target"][idx].float(),
                "reference": self.tokens["reference"][idx].float() if with_ref else None, "ids": self.ids[idx]}


@torch.no_grad()
def encode_chunk(ae: AutoEncoder, chunk: dict, device: torch.device, batch: int = 1024) -> dict:
    def tokens(images: np.ndarray) -> torch.Tensor:
        x = torch.from_numpy(images).to(device)
        return torch.cat([pack(ae.encode(to_float(x[i:i + batch]))) for i in range(0, len(x), batch)]).half()

    has_ref = torch.from_numpy(chunk["has_ref"]).to(device)
    out = {"input": tokens(chunk["input"]), "target": tokens(chunk["target"]),
           "ids": torch.from_numpy(chunk["ids"].astype(np.int64)).to(device), "has_ref": has_ref}
    ref = torch.zeros_like(out["input"])
    if has_ref.any():
        ref[has_ref] = tokens(chunk["reference"][chunk["has_ref"]])
    out["reference"] = ref
    return out


def concat_chunks(chunks: list[dict]) -> dict:
    return {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0] if k != "skipped"}


def gather_until(stream: SampleStream, raw: list, end: float) -> None:
    while time.time() < end:
        raw.extend(stream.take())
        time.sleep(0.2)


def train_ae(args, stream: SampleStream, raw: list, log: RunLog, device: torch.device, bench: np.ndarray,
             end: float) -> AutoEncoder:
    """Fine-tune the committed AE on the pool until `end`; returns it frozen with fitted shift/scale."""
    ae = AutoEncoder(AE).to(device)
    ae.load_state_dict(load_ae(CHECKPOINT_DIR).state_dict())
    opt = torch.optim.AdamW(ae.parameters(), lr=args.ae_lr, weight_decay=0.0)
    pool = ImagePool(args.pool, device)
    gen = torch.Generator(device=device).manual_seed(args.seed)
    bench_x = to_float(torch.from_numpy(bench).to(device))

    def absorb(chunks: list[dict]) -> None:
        raw.extend(chunks)
        for c in chunks:
            pool.add(chunk_images(c))

    def bench_psnr() -> float:
        ae.eval()
        with torch.no_grad():
            score = float(psnr(to_u8(ae.decode(ae.encode(bench_x))), bench).mean())
        ae.train()
        return score

    log.write(phase="ae", event="start", bench_psnr=bench_psnr())
    while pool.n < 4 * args.ae_batch:
        absorb(stream.take(block=True))
    start, step, next_log, losses = time.time(), 0, time.time() + args.eval_s, []
    while (now := time.time()) < end:
        if step % 20 == 0:
            absorb(stream.take())
        lr = cosine_lr(args.ae_lr, (now - start) / max(1e-6, end - start))
        for group in opt.param_groups:
            group["lr"] = lr
        x = to_float(pool.sample(args.ae_batch, gen))
        if step % 2:  # the domain is left-right symmetric
            x = x.flip(3)
        losses.append(train_step(ae, opt, x))
        step += 1
        if now >= next_log:
            log.write(phase="ae", step=step, images=step * args.ae_batch, pool=pool.n, samples_made=len(raw) *
                      stream.chunk, loss=float(torch.stack(losses).mean()), lr=lr, bench_psnr=bench_psnr(),
                      time_s=round(now - start, 1))
            losses, next_log = [], now + args.eval_s
    ae.eval().requires_grad_(False)
    with torch.no_grad():
        means = torch.cat([ae.encoder(to_float(pool.data[i:i + 1024])).chunk(2, dim=1)[0]
                           for i in range(0, min(pool.n, 8192), 1024)])
    ae.params.shift_factor = round(float(means.mean()), 6)
    ae.params.scale_factor = round(float(1 / means.std()), 6)
    score = bench_psnr()
    log.write(phase="ae", event="done", step=step, images=step * args.ae_batch, bench_psnr=score,
              shift=ae.params.shift_factor, scale=ae.params.scale_factor)
    save_file(fp16(ae.state_dict()), os.path.join(args.out, AE_FILE),
              {"format": "pt", "config": json.dumps(ae.params.to_dict())})
    return ae


def lerp_all(targets: list, sources: list, weight: float) -> None:
    if hasattr(torch, "_foreach_lerp_"):  # one kernel launch per group on torch 2 (the GPU machine)
        torch._foreach_lerp_(targets, sources, weight)
    else:
        for t, s in zip(targets, sources):
            t.lerp_(s, weight)


def rf_loss(model: KontextMicro, batch: dict, gen: torch.Generator, mu: float, autocast: bool) -> torch.Tensor:
    x = batch["target"]
    eps = torch.randn(x.shape, device=x.device, generator=gen)
    t = torch.sigmoid(mu + torch.randn(len(x), device=x.device, generator=gen))
    x_t = (1 - t[:, None, None]) * x + t[:, None, None] * eps
    with torch.autocast(device_type=x.device.type, dtype=torch.bfloat16, enabled=autocast):
        v = model.velocity(x_t, t, batch["ids"], batch["input"], batch["reference"], TRAIN_GUIDANCE)
    return ((v.float() - (eps - x)) ** 2).mean()


@torch.no_grad()
def edit_images(model: KontextMicro, ae: AutoEncoder, cases: dict, seed: int, batch: int = 256) -> np.ndarray:
    """Batched 12-step edits of cases {input, reference, has_ref (numpy), ids}: uint8 outputs in case order."""
    device = next(model.parameters()).device
    tokens = encode_chunk(ae, cases, device)
    gen = torch.Generator(device=device).manual_seed(seed)
    noise = torch.randn(tokens["input"].shape, device=device, generator=gen)
    out = torch.zeros(len(noise), 3, 64, 64, device=device)
    for with_ref in (False, True):
        idx = torch.nonzero(tokens["has_ref"] == with_ref).flatten()
        for part in idx.split(batch) if len(idx) else ():
            ref = tokens["reference"][part].float() if with_ref else None
            x = sample_tokens(model, tokens["ids"][part], tokens["input"][part].float(), ref, noise[part],
                              DEFAULT_STEPS, TRAIN_GUIDANCE)
            out[part] = ae.decode(unpack(x, 8, 8))
    return to_u8(out)


def score_edits(outputs: np.ndarray, cases: dict) -> dict:
    model, ident = psnr(outputs, cases["target"]), psnr(cases["input"], cases["target"])
    rows = {}
    for i, cat in enumerate(CATEGORIES):
        sel = cases["category"] == i
        if not sel.any():
            continue
        rows[cat] = {"n": int(sel.sum()), "success": float((model[sel] >= SUCCESS_DB).mean()),
                     "psnr": float(model[sel].mean()), "identity_success": float((ident[sel] >= SUCCESS_DB).mean()),
                     "identity_psnr": float(ident[sel].mean())}
    rows["overall"] = {"n": len(model), "success": float((model >= SUCCESS_DB).mean()), "psnr": float(model.mean()),
                       "identity_success": float((ident >= SUCCESS_DB).mean()),
                       "identity_psnr": float(ident.mean())}
    return rows


def bench_as_cases(count: int, text_len: int) -> dict:
    cases = load_bench_cases()[:count]
    zeros = np.zeros_like(cases[0]["input_image"])
    return {"input": np.stack([c["input_image"] for c in cases]),
            "target": np.stack([c["target_image"] for c in cases]),
            "reference": np.stack([c["reference_image"] if c["reference_image"] is not None else zeros
                                   for c in cases]),
            "has_ref": np.array([c["reference_image"] is not None for c in cases]),
            "ids": np.stack([pad_ids(c["instruction"], text_len) for c in cases]),
            "category": np.array([CATEGORIES.index(c["category"]) for c in cases], dtype=np.int8)}


def train_dit(args, stream: SampleStream, ae: AutoEncoder, raw: list, val: dict, log: RunLog,
              device: torch.device, end: float) -> dict:
    text_len = raw[0]["ids"].shape[1]
    store = TokenStore(args.capacity, text_len, device)
    t0 = time.time()
    for c in raw:
        store.add(encode_chunk(ae, c, device))
    raw.clear()
    log.write(phase="dit", event="encoded", samples=store.n, seconds=round(time.time() - t0, 1))
    model = KontextMicro().to(device)
    if args.resume:  # optimizer state is not part of an official folder: AdamW restarts
        load_official(model, args.resume)
        log.write(phase="dit", event="resumed", folder=args.resume)
    ema = copy.deepcopy(model).requires_grad_(False)
    fused = {"fused": True} if device.type == "cuda" else {}
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.0, betas=(0.9, 0.99), **fused)
    counts = {k: sum(p.numel() for p in getattr(model, k).parameters()) for k in ("dit", "t5", "clip")}
    log.write(phase="dit", event="start", params=counts)
    gen = torch.Generator(device=device).manual_seed(args.seed + 1)
    rng = np.random.default_rng(args.seed)
    mu, autocast = mu_for(TOKENS_PER_IMAGE), device.type == "cuda"
    val_tokens = encode_chunk(ae, val, device)
    start, step, samples, losses = time.time(), 0, 0, []
    next_log, next_save = start + args.eval_s, start + args.save_s
    ema_params, model_params = list(ema.parameters()), list(model.parameters())
    while (now := time.time()) < end:
        if step % 10 == 0:
            for c in stream.take():
                store.add(encode_chunk(ae, c, device))
        lr = args.lr * min(1.0, (step + 1) / args.warmup) * cosine_lr(1.0, (now - start) / (end - start))
        for group in opt.param_groups:
            group["lr"] = lr
        loss = rf_loss(model, store.batch(bool(rng.random() < store.p_ref()), args.batch, gen), gen, mu, autocast)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        with torch.no_grad():
            decay = min(args.ema, (1 + step) / (10 + step))
            lerp_all(ema_params, model_params, 1 - decay)
        losses.append(loss.detach())
        step += 1
        samples += args.batch
        if now >= next_log:
            log.write(phase="dit", step=step, samples=samples, pool=store.n, loss=float(torch.stack(losses).mean()),
                      val_loss_ema=validate(ema, val_tokens, mu, autocast), lr=lr, time_s=round(now - start, 1),
                      samples_per_s=round(samples / (now - start), 1))
            losses, next_log = [], now + args.eval_s
        if now >= next_save:  # a run cut short still leaves weights behind
            save_file(fp16(ema.state_dict()), os.path.join(args.out, "dit_ema.safetensors"))
            next_save = now + args.save_s
    state = {"steps": step, "samples": samples, "unique_samples": store.n, "seconds": round(time.time() - start, 1)}
    log.write(phase="dit", event="done", **state)
    for name, weights in (("ema", ema), ("raw", model)):
        save_file(fp16(weights.state_dict()), os.path.join(args.out, f"dit_{name}.safetensors"))
    return {"ema": ema, "raw": model, "state": state}


@torch.no_grad()
def validate(model: KontextMicro, tokens: dict, mu: float, autocast: bool) -> float:
    gen = torch.Generator(device=tokens["ids"].device).manual_seed(1234)
    total, n = 0.0, 0
    for with_ref in (False, True):
        idx = torch.nonzero(tokens["has_ref"] == with_ref).flatten()
        if len(idx):
            batch = {k: tokens[k][idx].float() for k in ("input", "target", "reference")}
            batch["reference"] = batch["reference"] if with_ref else None
            total += rf_loss(model, {**batch, "ids": tokens["ids"][idx]}, gen, mu, autocast).item() * len(idx)
            n += len(idx)
    return total / n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--resume", help="an official kontext-micro folder (e.g. training/checkpoints/kontext-micro): "
                                     "keep its AE frozen, continue its DiT (--ae-s then only gathers samples)")
    ap.add_argument("--seed", type=int, default=11, help="train seed of the samples (and of the noise)")
    ap.add_argument("--budget-s", type=float, default=470, help="whole run, from start to written results")
    ap.add_argument("--ae-s", type=float, default=120, help="AE fine-tuning time")
    ap.add_argument("--final-s", type=float, default=40, help="kept at the end for scoring and saving")
    ap.add_argument("--workers", type=int, default=max(1, (os.cpu_count() or 2) - 2))
    ap.add_argument("--chunk", type=int, default=256)
    ap.add_argument("--val-chunks", type=int, default=2)
    ap.add_argument("--ae-batch", type=int, default=64)
    ap.add_argument("--ae-lr", type=float, default=3e-4)
    ap.add_argument("--pool", type=int, default=1_500_000, help="AE image pool capacity")
    ap.add_argument("--capacity", type=int, default=4_000_000, help="DiT token store capacity (samples)")
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--warmup", type=int, default=300)
    ap.add_argument("--ema", type=float, default=0.999)
    ap.add_argument("--eval-s", type=float, default=30)
    ap.add_argument("--save-s", type=float, default=90)
    ap.add_argument("--bench-count", type=int, default=500)
    args = ap.parse_args()
    t_start = time.time()
    os.makedirs(args.out, exist_ok=True)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
    torch.manual_seed(args.seed)
    log = RunLog(args.out)
    log.write(event="start", device=str(device), gpu=torch.cuda.get_device_name() if device.type == "cuda" else "",
              torch=torch.__version__, workers=args.workers, seed=args.seed, budget_s=args.budget_s)
    stream = SampleStream(args.seed, args.workers, args.chunk)
    try:
        first: list = []
        while len(first) < args.val_chunks:
            first += stream.take(block=True)
        val, raw = concat_chunks(first[:args.val_chunks]), first[args.val_chunks:]
        bench = bench_as_cases(args.bench_count, val["ids"].shape[1])
        if args.resume:
            ae = load_ae(args.resume).to(device).requires_grad_(False)
            gather_until(stream, raw, t_start + args.ae_s)
        else:
            ae = train_ae(args, stream, raw, log, device, bench["input"][::5][:100], t_start + args.ae_s)
        run = train_dit(args, stream, ae, raw, val, log, device, t_start + args.budget_s - args.final_s)
    finally:
        stream.close()
    summary = {"dit": run["state"], "val": {}, "bench": {}}
    for name in ("ema", "raw"):
        summary["val"][name] = score_edits(edit_images(run[name], ae, val, args.seed), val)
        log.write(phase="final", weights=name, val_success=summary["val"][name]["overall"]["success"],
                  val_psnr=summary["val"][name]["overall"]["psnr"])
    best = max(("ema", "raw"), key=lambda k: (summary["val"][k]["overall"]["success"],
                                              summary["val"][k]["overall"]["psnr"]))
    summary["chosen"] = best
    summary["bench"] = score_edits(edit_images(run[best], ae, bench, args.seed), bench)
    for cat, row in summary["bench"].items():
        log.write(phase="bench", weights=best, category=cat, **row)
    summary["total_s"] = round(time.time() - t_start, 1)
    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(f"done in {summary['total_s']} s; chosen {best}", flush=True)


if __name__ == "__main__":
    main()

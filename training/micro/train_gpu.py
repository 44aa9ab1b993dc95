"""One prepared GPU run of kontext-micro: a few minutes of an H100 instead of days of the 2-core CPU.

  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 PYTHONUNBUFFERED=1 python3 -m training.micro.train_gpu \
      --out training/runs/gpu1 --seed 11 --budget-s 470

Inside one wall-clock budget:
 1. every spare CPU core makes procedural samples (SampleStream) for the whole run;
 2. the AE is fine-tuned from the committed checkpoint (or, with --ae-config gen3, trained from scratch in a new
    configuration) on the images made so far (cosine lr), then frozen, and its latent shift/scale are fitted;
    a new AE that does not beat the committed one on bench inputs by --ae-min-gain dB is dropped, and the run
    continues the committed DiT on the committed AE instead (as --resume does), so the run never ends worse;
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
import os
import shutil
import time

import numpy as np
import torch

from training.kontext_ref.autoencoder import AutoEncoder
from training.kontext_ref.sampling import mu_for
from training.kontext_ref.safetensors_io import save_file
from training.kontext_ref.util import AE_FILE, load_ae
from training.micro.batch_eval import bench_as_cases, edit_images, score_edits
from training.micro.common import RunLog, psnr, to_float
from training.micro.config import AE_CONFIGS, CHECKPOINT_DIR
from training.micro.export import fp16, load_official
from training.micro.gpu_stores import ImagePool, TokenStore, chunk_images, concat_chunks, encode_chunk
from training.micro.model import TOKENS_PER_IMAGE, KontextMicro
from training.micro.objective import cosine_lr, dit_step, validate
from training.micro.sample_stream import SampleStream
from training.micro.train_ae import reconstruct, train_step


def gather_until(stream: SampleStream, raw: list, end: float) -> None:
    while time.time() < end:
        raw.extend(stream.take())
        time.sleep(0.2)


def train_ae(args, stream: SampleStream, raw: list, log: RunLog, device: torch.device, bench: np.ndarray,
             end: float) -> AutoEncoder:
    """Fine-tune the committed AE (or train --ae-config from scratch) on the pool until `end`; returns it frozen
    with fitted shift/scale."""
    config = AE_CONFIGS[args.ae_config]
    ae = AutoEncoder(config).to(device) if config else load_ae(CHECKPOINT_DIR).to(device).train()
    opt = torch.optim.AdamW(ae.parameters(), lr=args.ae_lr, weight_decay=0.0)
    pool = ImagePool(args.pool, device)
    gen = torch.Generator(device=device).manual_seed(args.seed)

    def absorb(chunks: list[dict]) -> None:
        raw.extend(chunks)
        for c in chunks:
            pool.add(chunk_images(c))

    def bench_psnr() -> float:
        return float(psnr(reconstruct(ae, bench), bench).mean())

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


def beats_committed(ae: AutoEncoder, images: np.ndarray, args, log: RunLog, device: torch.device) -> bool:
    """Whether the new AE reconstructs `images` at least --ae-min-gain dB better than the committed AE."""
    new = float(psnr(reconstruct(ae, images), images).mean())
    old = float(psnr(reconstruct(load_ae(CHECKPOINT_DIR).to(device), images), images).mean())
    keep = new >= old + args.ae_min_gain
    log.write(phase="ae", event="kept" if keep else "dropped", new_psnr=new, committed_psnr=old,
              min_gain=args.ae_min_gain)
    return keep


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
    ema_params = list(ema.parameters())
    while (now := time.time()) < end:
        if step % 10 == 0:
            for c in stream.take():
                store.add(encode_chunk(ae, c, device))
        lr = args.lr * min(1.0, (step + 1) / args.warmup) * cosine_lr(1.0, (now - start) / (end - start))
        batch = store.batch(bool(rng.random() < store.p_ref()), args.batch, gen)
        losses.append(dit_step(model, ema_params, opt, batch, gen, mu, lr, step, args.ema, autocast))
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--resume", help="an official kontext-micro folder (e.g. training/checkpoints/kontext-micro): "
                                     "keep its AE frozen, continue its DiT (--ae-s then only gathers samples)")
    ap.add_argument("--seed", type=int, default=11, help="train seed of the samples (and of the noise)")
    ap.add_argument("--budget-s", type=float, default=470, help="whole run, from start to written results")
    ap.add_argument("--ae-s", type=float, default=120, help="AE fine-tuning time")
    ap.add_argument("--ae-config", choices=sorted(AE_CONFIGS), default="committed",
                    help="committed: fine-tune the checkpoint's AE; gen3: a new AE from scratch (config.AE_GEN3)")
    ap.add_argument("--ae-min-gain", type=float, default=0.5,
                    help="dB on bench inputs a new AE must gain over the committed one to be kept")
    ap.add_argument("--fallback-lr", type=float, default=3e-4, help="DiT lr when a dropped AE means resuming")
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
            if AE_CONFIGS[args.ae_config] and not beats_committed(ae, bench["input"][::5][:100], args, log, device):
                args.resume, args.lr = CHECKPOINT_DIR, args.fallback_lr
                shutil.copyfile(os.path.join(CHECKPOINT_DIR, AE_FILE), os.path.join(args.out, AE_FILE))
                ae = load_ae(CHECKPOINT_DIR).to(device).requires_grad_(False)
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

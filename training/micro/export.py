"""Write kontext-micro in the official FLUX.1-Kontext-dev folder layout (fp16) and read it back for training.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -m training.micro.export --ae-run ae1 --dit-run dit1 \
      --out training/checkpoints/kontext-micro
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -m training.micro.export --gpu-run training/runs/gpu1

Folder: flux1-kontext-dev.safetensors (config in __metadata__), ae.safetensors (config incl. scale/shift),
text_encoder/ (CLIP, HF names), text_encoder_2/ (T5, HF names), tokenizer/ + tokenizer_2/ (the domain's
tokenizer.json + tokenizer_config.json in both), kontext_bundle.json (sidecar for the converter).
"""
import argparse
import json
import os
import shutil

import numpy as np
import torch

from training.domain import write_tokenizer_config_json, write_tokenizer_json
from training.kontext_ref.autoencoder import AutoEncoder
from training.kontext_ref.safetensors_io import load_file, save_file
from training.kontext_ref.util import AE_FILE, DIT_FILE, load_ae, load_clip, load_dit, load_t5
from training.micro.common import load_chunks, to_tensor
from training.micro.config import AE, CHECKPOINT_DIR, CLIP, DEFAULT_AVERAGE, DEFAULT_STEPS, DIT, RUNS_DIR, T5, \
    TEXT_LEN, TRAIN_GUIDANCE
from training.micro.model import KontextMicro


def fp16(sd: dict) -> dict:
    return {k: v.detach().to(torch.float16).contiguous() for k, v in sorted(sd.items())}


def write_json(path: str, obj) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


@torch.no_grad()
def fit_latent_stats(ae: AutoEncoder, images: np.ndarray) -> tuple[float, float]:
    """shift = mean of the encoder means, scale = 1 / their std (over all channels and positions)."""
    means = torch.cat([ae.encoder(to_tensor(images[i:i + 100])).chunk(2, dim=1)[0]
                       for i in range(0, len(images), 100)])
    return float(means.mean()), float(1 / means.std())


def write_ae(ae_state: dict, out: str, n_images: int = 2000, stats_from: str | None = None) -> dict:
    """Fits scale/shift on training images (or keeps those of the folder `stats_from`, for a decoder-only run whose
    latents must not move), then writes ae.safetensors; returns the config written."""
    ae = AutoEncoder(AE)
    ae.load_state_dict(ae_state)
    ae.eval()
    if stats_from:
        kept = load_ae(stats_from).params
        shift, scale = kept.shift_factor, kept.scale_factor
    else:
        data = load_chunks(limit=1)
        shift, scale = fit_latent_stats(ae, np.concatenate([data["input"], data["target"]])[:n_images])
    params = AutoEncoder(AE).params
    params.shift_factor, params.scale_factor = round(shift, 6), round(scale, 6)
    save_file(fp16(ae.state_dict()), os.path.join(out, AE_FILE),
              {"format": "pt", "config": json.dumps(params.to_dict())})
    return params.to_dict()


def write_tokenizers(out: str) -> None:
    for sub in ("tokenizer", "tokenizer_2"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
        write_tokenizer_json(os.path.join(out, sub, "tokenizer.json"))
        write_tokenizer_config_json(os.path.join(out, sub, "tokenizer_config.json"))


def write_text_and_dit(model_state: dict, out: str) -> None:
    """model_state: KontextMicro state dict (keys dit.*, t5.*, clip.*)."""
    part = lambda prefix: {k[len(prefix):]: v for k, v in model_state.items() if k.startswith(prefix)}
    save_file(fp16(part("dit.")), os.path.join(out, DIT_FILE), {"format": "pt", "config": json.dumps(DIT.to_dict())})
    for sub, cfg, prefix in (("text_encoder", CLIP, "clip."), ("text_encoder_2", T5, "t5.")):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
        write_json(os.path.join(out, sub, "config.json"), {**cfg.to_hf(), "torch_dtype": "float16"})
        save_file(fp16(part(prefix)), os.path.join(out, sub, "model.safetensors"), {"format": "pt"})


def write_sidecar(out: str) -> None:
    write_json(os.path.join(out, "kontext_bundle.json"), {
        "id": "kontext-micro", "name": "kontext-micro", "default_steps": DEFAULT_STEPS,
        "default_average": DEFAULT_AVERAGE, "default_guidance": TRAIN_GUIDANCE, "t5_max_length": TEXT_LEN,
        "clip_max_length": TEXT_LEN, "resolutions": [[64, 64]],
        # What the app warns about: an image shrunk to 64x64 where under 60 % of pixels share their right or lower
        # neighbour's colour is not a drawing (src/lib/imageDomain.ts: KontextBench-micro >= 0.82, photos <= 0.24).
        "domain": {"description": "simple drawings, 64×64", "min_flat_share": 0.6}})


def load_official(model, folder: str) -> None:
    """Load DiT/T5/CLIP of an official folder into a KontextMicro (fp16 stored -> fp32)."""
    model.dit.load_state_dict(load_dit(folder).state_dict())
    model.t5.load_state_dict(load_t5(folder).state_dict())
    model.clip.load_state_dict(load_clip(folder).state_dict())


def load_for_inference(folder: str) -> tuple:
    """(KontextMicro in eval mode, AutoEncoder) of an official folder, for edits."""
    model = KontextMicro()
    load_official(model, folder)
    return model.eval(), load_ae(folder)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ae-run", help="write ae.safetensors from training/runs/<run>/best.pt")
    ap.add_argument("--dit-run", help="write DiT + text encoders from training/runs/<run>/best_ema.pt")
    ap.add_argument("--ae-stats-from", help="keep this folder's AE shift/scale (after a --decoder-only AE run)")
    ap.add_argument("--gpu-run", help="folder written by train_gpu: its ae.safetensors and the DiT weights its "
                                      "summary.json chose")
    ap.add_argument("--out", default=CHECKPOINT_DIR)
    args = ap.parse_args()
    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)
    if args.ae_run:
        cfg = write_ae(torch.load(os.path.join(RUNS_DIR, args.ae_run, "best.pt")), args.out,
                       stats_from=args.ae_stats_from)
        print(f"ae: shift {cfg['shift_factor']} scale {cfg['scale_factor']}")
    if args.dit_run:
        write_text_and_dit(torch.load(os.path.join(RUNS_DIR, args.dit_run, "best_ema.pt")), args.out)
    if args.gpu_run:
        shutil.copyfile(os.path.join(args.gpu_run, AE_FILE), os.path.join(args.out, AE_FILE))
        with open(os.path.join(args.gpu_run, "summary.json")) as f:
            chosen = json.load(f)["chosen"]
        write_text_and_dit(load_file(os.path.join(args.gpu_run, f"dit_{chosen}.safetensors")), args.out)
        print(f"from {args.gpu_run}: ae.safetensors, DiT + text encoders ({chosen} weights)")
    write_tokenizers(args.out)
    write_sidecar(args.out)


if __name__ == "__main__":
    main()

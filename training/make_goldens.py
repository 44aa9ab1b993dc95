"""Golden input/output fixtures for every graph of docs/graph-contract.md, from the tiny model as stored.

  /usr/bin/python3 training/make_goldens.py --model training/fixtures/tiny/model \
      --taef1 training/fixtures/tiny/taef1 --seed 1 --out training/fixtures/tiny/goldens

Everything is computed in float64 from the stored (bf16/fp16/fp32) weights and saved as fp32; token ids are
int32. Tensor names are the contract's input/output names, so a converted graph can be fed one file and
compared against the rest of it. index.json lists every file's tensors, shapes and dtypes.
"""
import argparse
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kontext_ref.model import run_dit  # noqa: E402
from kontext_ref.safetensors_io import read_header, save_file  # noqa: E402
from kontext_ref.sampling import get_schedule, kontext_edit, make_ids, pack  # noqa: E402
from kontext_ref.taef1 import TAEF1, TAEParams  # noqa: E402
from kontext_ref.tokenizer import ClipBPE, UnigramTokenizer  # noqa: E402
from kontext_ref.util import load_model_folder, load_strict, upcast  # noqa: E402
from kontext_ref.safetensors_io import load_file, load_metadata  # noqa: E402

F64 = torch.float64
T5_LEN = 16  # the tiny bundle's text length (FLUX.1 uses 512)
PROMPT_TEXT = "turn the sky into night and make the cats blue"  # "cats" exercises sub-word pieces in both vocabs
PROMPT_EDIT = "make the cat blue and add a red hat"
# (steps, target tokens) pairs written to schedule.safetensors; 28 @ 4096 is the spec §5 test vector.
SCHEDULES = [(28, 4096), (30, 4096), (28, 4116), (28, 1024), (4, 16)]


def fp32_exact(x: torch.Tensor) -> torch.Tensor:
    """Round an input to fp32 (kept as f64) before computing, so the stored fp32 input is exactly what made the
    stored output."""
    return x.to(torch.float32).to(F64)


def smooth_image(gen: torch.Generator, h: int, w: int) -> torch.Tensor:
    """[1,3,h,w] in [-1,1]: a few random low-frequency waves per channel, more photo-like than white noise."""
    y, x = torch.meshgrid(torch.linspace(0, 1, h, dtype=F64), torch.linspace(0, 1, w, dtype=F64), indexing="ij")
    chans = []
    for _ in range(3):
        a = torch.rand(4, 4, generator=gen, dtype=F64)
        c = sum(a[k, 0] * torch.sin(2 * math.pi * (a[k, 1] * 2 * x + a[k, 2] * 2 * y) + 6 * a[k, 3]) for k in range(4))
        chans.append(c / 2)
    return fp32_exact(torch.stack(chans)[None].clamp(-1, 1))


def load_taef1(folder: str) -> TAEF1:
    enc, dec = (os.path.join(folder, f"taef1_{p}.safetensors") for p in ("encoder", "decoder"))
    model = TAEF1(TAEParams(**json.loads(load_metadata(enc)["config"])))
    load_strict(model.encoder, upcast(load_file(enc), F64))
    load_strict(model.decoder, upcast(load_file(dec), F64))
    return model.to(F64).eval()


def as_stored(tensors: dict) -> dict:
    """Floats -> fp32, integers -> int32 (the contract's dtypes)."""
    return {k: (v.to(torch.float32) if v.is_floating_point() else v.to(torch.int32)).contiguous()
            for k, v in tensors.items()}


@torch.no_grad()
def make_goldens(model_dir: str, taef1_dir: str, seed: int, out: str) -> None:
    gen = torch.Generator().manual_seed(seed)
    randn = lambda *shape: fp32_exact(torch.randn(*shape, generator=gen, dtype=F64))
    m = load_model_folder(model_dir, F64)
    clip_tok = ClipBPE.from_files(os.path.join(model_dir, "tokenizer", "vocab.json"),
                                  os.path.join(model_dir, "tokenizer", "merges.txt"))
    t5_tok = UnigramTokenizer.from_file(os.path.join(model_dir, "tokenizer_2", "tokenizer.json"))
    os.makedirs(out, exist_ok=True)
    files = {}

    def write(name: str, tensors: dict, **meta) -> None:
        path = os.path.join(out, f"{name}.safetensors")
        save_file(as_stored(tensors), path, {"seed": seed, **meta})
        header = read_header(path)
        files[name] = {"tensors": {k: [v["dtype"], v["shape"]] for k, v in header.items() if k != "__metadata__"},
                       "metadata": header["__metadata__"]}

    # DiT: 4x4 target tokens then one 4x6 reference, random token features and text/pooled inputs.
    img_ids = torch.cat([make_ids(0, 4, 4), make_ids(1, 4, 6)]).to(F64)
    dit_in = {"hidden_states": randn(1, 40, 64), "encoder_hidden_states": randn(1, T5_LEN, 32),
              "pooled_projections": randn(1, 32), "timestep": fp32_exact(torch.tensor([0.6180339887], dtype=F64)),
              "img_ids": img_ids, "txt_ids": torch.zeros(T5_LEN, 3, dtype=F64),
              "guidance": torch.tensor([2.5], dtype=F64)}
    write("dit", {**dit_in, "velocity": run_dit(m["dit"], **dit_in)}, target_tokens="16", reference_tokens="24")

    t5_ids = torch.tensor([t5_tok.encode(PROMPT_TEXT, T5_LEN)])
    write("t5", {"input_ids": t5_ids, "text_embeddings": m["t5"](t5_ids)}, prompt=PROMPT_TEXT)
    clip_ids = torch.tensor([clip_tok.encode(PROMPT_TEXT, 77)])
    hidden, pooled = m["clip"](clip_ids)
    write("clip", {"input_ids": clip_ids, "pooled_embeddings": pooled, "last_hidden_state": hidden}, prompt=PROMPT_TEXT)

    image = smooth_image(gen, 32, 48)
    latent = m["ae"].encode(image)
    write("ae_encoder", {"image": image, "latent": latent})
    dec_latent = randn(1, 16, 4, 6)
    write("ae_decoder", {"latent": dec_latent, "image": m["ae"].decode(dec_latent)})
    write("pack", {"latent": latent, "tokens": pack(latent)}, order="token R*(w/2)+C, feature c*4+py*2+px")

    taef1 = load_taef1(taef1_dir)
    write("preview_encoder", {"image": image, "latent": taef1.encode_contract(image)})
    write("preview_decoder", {"latent": dec_latent, "image": taef1.decode_contract(dec_latent)})

    write("schedule", {f"steps{n}_len{n_tok}": torch.tensor(get_schedule(n, n_tok), dtype=F64)
                       for n, n_tok in SCHEDULES})

    # Full edit: reference 1 (64x64) is the edited image, reference 2 (48x64) another context; mask at latent size.
    refs = [smooth_image(gen, 64, 64), smooth_image(gen, 48, 64)]
    mask = torch.zeros(1, 1, 8, 8, dtype=F64)
    mask[..., 2:6, 3:8] = 1.0
    noise = randn(1, 16, 8, 8)
    steps, guidance = 4, 2.5
    t5_ids = torch.tensor([t5_tok.encode(PROMPT_EDIT, T5_LEN)])
    clip_ids = torch.tensor([clip_tok.encode(PROMPT_EDIT, 77)])
    res = kontext_edit(m["dit"], m["ae"], m["t5"], m["clip"], t5_ids, clip_ids, refs, noise, steps, guidance, mask)
    write("pipeline", {"t5_input_ids": t5_ids, "clip_input_ids": clip_ids, "reference_image_1": refs[0],
                       "reference_image_2": refs[1], "mask": mask, "noise": noise,
                       "guidance": torch.tensor([guidance], dtype=F64), **res},
          prompt=PROMPT_EDIT, num_steps=str(steps),
          note="reference i gets ids (i,r,c); mask 1 = repaint, kept area from reference_image_1")

    write_index(os.path.join(out, "index.json"), files)


def write_index(path: str, files: dict) -> None:
    """index.json: {file: {"tensors": {name: [dtype, shape]}, "metadata": {...}}}, one tensor per line."""
    lines = ["{"]
    for i, (name, info) in enumerate(files.items()):
        lines.append(f'  "{name}": {{')
        lines.append('    "tensors": {')
        items = list(info["tensors"].items())
        lines += [f'      "{k}": {json.dumps(v)}' + ("," if j < len(items) - 1 else "")
                  for j, (k, v) in enumerate(items)]
        lines.append("    },")
        lines.append(f'    "metadata": {json.dumps(info["metadata"])}')
        lines.append("  }" + ("," if i < len(files) - 1 else ""))
    lines.append("}")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--taef1", required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.set_num_threads(2)
    make_goldens(args.model, args.taef1, args.seed, args.out)


if __name__ == "__main__":
    main()

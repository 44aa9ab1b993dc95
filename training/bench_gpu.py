"""PyTorch bf16 on the shapes `npm run bench:gpu` times (tools/bench/gpuTorch.ts starts it): T5, one DiT step per
size with one input image, the AE decode at the largest size, with training/kontext_ref's modules and random weights
(timing does not depend on the values). Attention runs through F.scaled_dot_product_attention (flash on CUDA): the
reference's own explicit softmax materialises [L, L] per head, which no fast PyTorch path does, so the ratio
compares against PyTorch at its usual speed. Prints one JSON line per result as it is measured, so a run cut off by
its deadline still leaves numbers.

    /usr/bin/python3 training/bench_gpu.py '<json: dit (the manifest's DitConfig), t5 (HF config), sizes, t5_length, budget_s, device>'
"""
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kontext_ref import layers  # noqa: E402
from kontext_ref.autoencoder import AutoEncoder, AutoEncoderParams  # noqa: E402
from kontext_ref.math import apply_rope  # noqa: E402
from kontext_ref.model import Flux, FluxParams  # noqa: E402
from kontext_ref.t5 import T5Config, T5Encoder  # noqa: E402


def sdpa_attention(q, k, v, pe):
    """kontext_ref.math.attention with PyTorch's fused kernel in place of the explicit softmax."""
    q, k = apply_rope(q, pe), apply_rope(k, pe)
    out = F.scaled_dot_product_attention(q, k, v)
    b, h, l, d = out.shape
    return out.transpose(1, 2).reshape(b, l, h * d)


def emit(key, value):
    """One result line in the bench's protocol (tools/bench/gpuChild.ts)."""
    print("bench:gpu " + json.dumps({"key": key, "value": value}), flush=True)


def timed(device, fn):
    """Milliseconds of one call of fn after a warm-up call."""
    with torch.inference_mode():
        fn()
        if device == "cuda":
            torch.cuda.synchronize()
        t = time.perf_counter()
        fn()
        if device == "cuda":
            torch.cuda.synchronize()
        return 1000 * (time.perf_counter() - t)


def main():
    args = json.loads(sys.argv[1])
    device = args["device"]
    deadline = time.time() + args["budget_s"]
    if device == "cuda" and not torch.cuda.is_available():
        emit("skipped", "PyTorch has no CUDA device here")
        return
    if device == "cpu":
        torch.set_num_threads(max(1, (os.cpu_count() or 2) // 2))
    fused = hasattr(F, "scaled_dot_product_attention")  # PyTorch 2; 1.x keeps the reference's softmax
    if fused:
        layers.attention = sdpa_attention
    torch.manual_seed(0)
    if hasattr(torch, "set_default_device"):  # PyTorch 2: 12 B parameters made on the GPU, in bf16, in seconds
        torch.set_default_device(device)
        torch.set_default_dtype(torch.bfloat16)

    def build(module):
        return module.to(device=device, dtype=torch.bfloat16).eval()

    def rand(*shape):
        return torch.randn(*shape, device=device, dtype=torch.bfloat16)

    def floats(values):
        return torch.tensor(values, device=device, dtype=torch.bfloat16)
    emit("torch", {"version": torch.__version__, "device": torch.cuda.get_device_name() if device == "cuda" else "cpu",
                   "attention": "scaled_dot_product_attention" if fused else "explicit softmax (kontext_ref)"})

    t5_len = args["t5_length"]
    d = args["dit"]
    params = FluxParams(hidden_size=d["hiddenSize"], num_heads=d["numHeads"], depth=d["depth"],
                        depth_single_blocks=d["depthSingleBlocks"], axes_dim=list(d["axesDim"]), theta=d["theta"],
                        in_channels=d["inChannels"], out_channels=d["inChannels"], context_in_dim=d["contextInDim"],
                        vec_in_dim=d["vecInDim"], mlp_ratio=d["mlpRatio"], guidance_embed=d["guidanceEmbed"])
    t5_cfg = T5Config.from_hf(args["t5"])  # the HF config.json the model folder has

    def left():
        return deadline - time.time()

    if left() > 10:
        t5 = build(T5Encoder(t5_cfg))
        ids = torch.randint(1, t5_cfg.vocab_size, (1, t5_len), device=device)
        emit("text", {"warmMs": timed(device, lambda: t5(ids)), "t5Tokens": t5_len})
        t5 = None  # frees its memory for the DiT
    else:
        emit("text", {"skipped": f"{left():.0f} s left"})

    dit = build(Flux(params))
    last = None
    for size in args["sizes"]:
        side = size // 16
        image = 2 * side * side
        total = image + t5_len
        need = 2 * last[0] * (total / last[1]) ** 2 / 1000 if last else 10
        if left() < need:
            emit(f"dit {size}", {"skipped": f"{left():.0f} s left, needs about {need:.0f} s"})
            continue
        img = rand(1, image, params.in_channels)
        grid = floats([[0.0, r, c] for r in range(side) for c in range(side)])
        img_ids = torch.cat([grid, grid + floats([1.0, 0, 0])])[None]  # target, then the input image (index 1)
        txt = rand(1, t5_len, params.context_in_dim)
        txt_ids = torch.zeros(1, t5_len, 3, device=device, dtype=torch.bfloat16)
        y = rand(1, params.vec_in_dim)
        ts, g = floats([0.5]), floats([2.5])
        ms = timed(device, lambda: dit(img, img_ids, txt, txt_ids, ts, y, g))
        last = (ms, total)
        emit(f"dit {size}", {"warmMs": ms, "tokens": total})
    dit = None  # frees its memory for the AE

    size = max(args["sizes"])
    if left() > 10:
        ae = build(AutoEncoder(AutoEncoderParams()))
        z = rand(1, 16, size // 8, size // 8)
        emit(f"ae decode {size}", {"warmMs": timed(device, lambda: ae.decode(z))})
    else:
        emit(f"ae decode {size}", {"skipped": f"{left():.0f} s left"})
    if device == "cuda":
        emit("peak", {"cudaMaxAllocatedBytes": torch.cuda.max_memory_allocated()})


if __name__ == "__main__":
    main()

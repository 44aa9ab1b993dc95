"""The goldens are worth having only if plausible porting mistakes break them: each test makes one such mistake
on purpose and checks that the golden no longer matches."""
import copy
import os
import unittest
from unittest import mock

import torch
from torch import nn

import _paths
from kontext_ref import autoencoder, layers, math as kmath
from kontext_ref.model import run_dit
from kontext_ref.safetensors_io import load_file
from kontext_ref.util import load_model_folder

DIT_INPUTS = ["hidden_states", "encoder_hidden_states", "pooled_projections", "timestep", "img_ids", "txt_ids",
              "guidance"]


def golden(name: str) -> dict:
    g = load_file(os.path.join(_paths.GOLDENS, f"{name}.safetensors"))
    return {k: (v.double() if v.is_floating_point() else v) for k, v in g.items()}


def rel_err(got: torch.Tensor, want: torch.Tensor) -> float:
    return float((got - want).abs().max() / want.abs().max())


def rotate_half_rope(x, pe):
    # The GPT-NeoX layout (pairs (i, i + D/2)) instead of FLUX's interleaved pairs.
    cos, sin = pe
    cos, sin = torch.cat([cos, cos], -1), torch.cat([sin, sin], -1)
    x1, x2 = x.chunk(2, dim=-1)
    return x * cos + torch.cat([-x2, x1], -1) * sin


class SensitivityTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.m = load_model_folder(_paths.MODEL, torch.float64)

    def assertBroken(self, got: torch.Tensor, want: torch.Tensor, what: str):
        self.assertGreater(rel_err(got, want), 1e-3, f"golden does not catch: {what}")

    def dit(self, model=None, **override) -> tuple[torch.Tensor, torch.Tensor]:
        g = golden("dit")
        args = [override.get(k, g[k]) for k in DIT_INPUTS]
        return run_dit(model or self.m["dit"], *args), g["velocity"]

    def test_dit_mistakes(self):
        with mock.patch.object(kmath, "apply_rope", rotate_half_rope):
            self.assertBroken(*self.dit(), "rotate-half RoPE")
        g = golden("dit")
        ref_as_target = g["img_ids"].clone()
        ref_as_target[:, 0] = 0
        self.assertBroken(*self.dit(img_ids=ref_as_target), "reference ids with index 0")
        self.assertBroken(*self.dit(timestep=g["timestep"] * 1000), "timestep passed as 0..1000")
        self.assertBroken(*self.dit(guidance=g["guidance"] * 0), "guidance ignored")
        swapped = copy.deepcopy(self.m["dit"])
        lin = swapped.final_layer.adaLN_modulation[1]
        with torch.no_grad():
            lin.weight.copy_(torch.cat(lin.weight.chunk(2, 0)[::-1]))
            lin.bias.copy_(torch.cat(lin.bias.chunk(2, 0)[::-1]))
        self.assertBroken(*self.dit(model=swapped), "final adaLN (scale, shift) order")
        sin_first = lambda t, dim=256: torch.cat(kmath.timestep_embedding(t, dim).chunk(2, -1)[::-1], -1)
        with mock.patch("kontext_ref.model.timestep_embedding", sin_first):
            self.assertBroken(*self.dit(), "sin-first timestep embedding")
        no_qk_scale = copy.deepcopy(self.m["dit"])
        for mod in no_qk_scale.modules():
            if isinstance(mod, layers.RMSNorm):
                nn.init.ones_(mod.scale)
        self.assertBroken(*self.dit(model=no_qk_scale), "QK-norm scale ignored")

    def test_t5_mistakes(self):
        g, t5 = golden("t5"), self.m["t5"]
        scaled = copy.deepcopy(t5)
        for block in scaled.encoder.block:
            block.layer[0].SelfAttention.q.weight.data /= t5.cfg.d_kv ** 0.5
        self.assertBroken(scaled(g["input_ids"]), g["text_embeddings"], "1/sqrt(d_kv) score scaling")
        # relative bias only in layer 0 instead of shared by every layer
        x = t5.shared(g["input_ids"].long())
        bias = t5.encoder.block[0].layer[0].SelfAttention.compute_bias(x.shape[1])
        for i, block in enumerate(t5.encoder.block):
            x = block(x, bias if i == 0 else torch.zeros_like(bias))
        self.assertBroken(t5.encoder.final_layer_norm(x), g["text_embeddings"], "relative bias only in layer 0")

    def test_clip_pooling_position(self):
        g = golden("clip")
        hidden, _ = self.m["clip"](g["input_ids"])
        self.assertBroken(hidden[:, -1], g["pooled_embeddings"], "pooling the last position")
        self.assertBroken(hidden[:, 0], g["pooled_embeddings"], "pooling BOS")

    def test_ae_symmetric_downsample_padding(self):
        g = golden("ae_encoder")
        sym = lambda self_, x: self_.conv(nn.functional.pad(x, (1, 1, 1, 1)))  # same output size, other values
        with mock.patch.object(autoencoder.Downsample, "forward", sym):
            self.assertBroken(self.m["ae"].encode(g["image"]), g["latent"], "symmetric downsample padding")


if __name__ == "__main__":
    unittest.main()

"""The tiny LoRA fixture: regenerating gives the committed bytes, and the reference's unmerged adapters compute
what merged weights W + strength·alpha/rank·B·A compute."""
import os
import tempfile
import unittest

import torch

import _paths
from kontext_ref.lora import apply_lora, group_bfl_lora
from kontext_ref.model import run_dit
from kontext_ref.safetensors_io import load_file
from kontext_ref.util import load_dit
import make_tiny_lora

LORA = os.path.join(_paths.TINY, "lora")
INPUTS = ["hidden_states", "encoder_hidden_states", "pooled_projections", "timestep", "img_ids", "txt_ids",
          "guidance"]


def dit_inputs() -> list:
    g = load_file(os.path.join(_paths.GOLDENS, "dit.safetensors"))
    return [g[k].double() for k in INPUTS]


class LoraFixtureTest(unittest.TestCase):
    def test_regenerating_reproduces_the_fixture(self):
        with tempfile.TemporaryDirectory() as d:
            make_tiny_lora.make_lora(_paths.MODEL, _paths.GOLDENS, 2, d)
            self.assertEqual(sorted(os.listdir(d)), sorted(os.listdir(LORA)))
            for f in os.listdir(d):
                with open(os.path.join(LORA, f), "rb") as a, open(os.path.join(d, f), "rb") as b:
                    self.assertEqual(a.read(), b.read(), f"{f} differs from a fresh seed-2 LoRA")

    @torch.no_grad()
    def test_unmerged_adapters_equal_merged_weights(self):
        sd = load_file(os.path.join(LORA, "lora_bfl.safetensors"))
        strength = make_tiny_lora.STRENGTH
        merged = load_dit(_paths.MODEL, torch.float64)
        params = dict(merged.named_parameters())
        for name, g in group_bfl_lora(sd).items():
            a, b = g["A"].double(), g["B"].double()
            params[f"{name}.weight"].add_(strength * (b @ a))  # no alpha in the BFL file: scale = strength
        want = load_file(os.path.join(LORA, "goldens.safetensors"))["velocity_lora"].double()
        got = run_dit(merged, *dit_inputs())
        self.assertLess(float((got - want).abs().max() / want.abs().max()), 1e-6)

    @torch.no_grad()
    def test_the_lora_changes_the_output_and_strength_zero_does_not(self):
        base = load_file(os.path.join(_paths.GOLDENS, "dit.safetensors"))["velocity"].double()
        lora = load_file(os.path.join(LORA, "goldens.safetensors"))["velocity_lora"].double()
        self.assertGreater(float((lora - base).abs().max() / base.abs().max()), 0.1)
        dit = load_dit(_paths.MODEL, torch.float64)
        apply_lora(dit, load_file(os.path.join(LORA, "lora_bfl.safetensors")), 0.0)
        got = run_dit(dit, *dit_inputs())
        self.assertLess(float((got - base).abs().max() / base.abs().max()), 1e-6)


if __name__ == "__main__":
    unittest.main()

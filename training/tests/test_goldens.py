"""The committed tiny model reloads into the reference modules and reproduces the committed goldens."""
import json
import os
import tempfile
import unittest

import torch

import _paths
from kontext_ref.model import run_dit
from kontext_ref.safetensors_io import load_file
from kontext_ref.sampling import get_schedule, kontext_edit, pack
from kontext_ref.tokenizer import ClipBPE, UnigramTokenizer
from kontext_ref.util import load_model_folder
import make_goldens
import make_tiny_model


def golden(name: str) -> dict:
    return load_file(os.path.join(_paths.GOLDENS, f"{name}.safetensors"))


def max_rel_err(got: torch.Tensor, want: torch.Tensor) -> float:
    return float((got.double() - want.double()).abs().max() / want.double().abs().max().clamp(min=1e-12))


class GoldensTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.m64 = load_model_folder(_paths.MODEL, torch.float64)
        cls.m32 = load_model_folder(_paths.MODEL, torch.float32)

    def check(self, name: str, fn, inputs: list[str], output: str, tol32: float):
        g = golden(name)
        got64 = fn(self.m64, *[g[k].double() if g[k].is_floating_point() else g[k] for k in inputs])
        # float64 recompute: only the fp32 rounding of the stored golden remains
        self.assertLess(max_rel_err(got64, g[output]), 1e-6, f"{name}: float64 recompute")
        got32 = fn(self.m32, *[g[k] for k in inputs])
        self.assertLess(max_rel_err(got32, g[output]), tol32, f"{name}: float32 compute")

    def test_dit(self):
        names = ["hidden_states", "encoder_hidden_states", "pooled_projections", "timestep", "img_ids", "txt_ids",
                 "guidance"]
        self.check("dit", lambda m, *a: run_dit(m["dit"], *a), names, "velocity", 2e-5)

    def test_t5(self):
        self.check("t5", lambda m, ids: m["t5"](ids), ["input_ids"], "text_embeddings", 2e-5)

    def test_clip(self):
        self.check("clip", lambda m, ids: m["clip"](ids)[1], ["input_ids"], "pooled_embeddings", 2e-5)

    def test_ae(self):
        self.check("ae_encoder", lambda m, x: m["ae"].encode(x), ["image"], "latent", 2e-5)
        self.check("ae_decoder", lambda m, z: m["ae"].decode(z), ["latent"], "image", 2e-5)

    def test_pack_and_schedule(self):
        g = golden("pack")
        self.assertTrue(torch.equal(pack(g["latent"]), g["tokens"]))
        for name, ts in golden("schedule").items():
            n, n_tok = (int(s) for s in name.removeprefix("steps").split("_len"))
            self.assertTrue(torch.allclose(torch.tensor(get_schedule(n, n_tok), dtype=torch.float32), ts, atol=0))

    def test_tokenizers_give_golden_ids(self):
        clip = ClipBPE.from_files(os.path.join(_paths.MODEL, "tokenizer", "vocab.json"),
                                  os.path.join(_paths.MODEL, "tokenizer", "merges.txt"))
        t5 = UnigramTokenizer.from_file(os.path.join(_paths.MODEL, "tokenizer_2", "tokenizer.json"))
        g = golden("pipeline")
        self.assertEqual(clip.encode(make_goldens.PROMPT_EDIT, 77), g["clip_input_ids"][0].tolist())
        self.assertEqual(t5.encode(make_goldens.PROMPT_EDIT, 16), g["t5_input_ids"][0].tolist())

    def test_pipeline(self):
        g = golden("pipeline")
        for m, tol in ((self.m64, 1e-6), (self.m32, 2e-5)):
            dt = m["dit"].img_in.weight.dtype
            res = kontext_edit(m["dit"], m["ae"], m["t5"], m["clip"], g["t5_input_ids"], g["clip_input_ids"],
                               [g["reference_image_1"].to(dt), g["reference_image_2"].to(dt)], g["noise"].to(dt),
                               len(g["timesteps"]) - 1, float(g["guidance"]), g["mask"].to(dt))
            for k in ("text_embeddings", "pooled_embeddings", "reference_tokens", "latents", "image"):
                self.assertLess(max_rel_err(res[k], g[k]), tol, f"pipeline {k} ({dt})")
        # the mask really blends: outside it the result is reference 1's latent
        keep = g["mask"].expand_as(g["latents"]) == 0
        ref1 = self.m64["ae"].encode(g["reference_image_1"].double()).float()
        self.assertTrue(torch.allclose(g["latents"][keep], ref1[keep], atol=1e-5))

    def test_regenerating_reproduces_the_fixtures(self):
        with tempfile.TemporaryDirectory() as d:
            make_tiny_model.make_model(make_tiny_model.PRESETS["tiny"], 0, os.path.join(d, "model"),
                                       os.path.join(d, "taef1"))
            for root, _, files in os.walk(_paths.MODEL):
                for f in files:
                    committed = os.path.join(root, f)
                    fresh = os.path.join(d, "model", os.path.relpath(committed, _paths.MODEL))
                    with open(committed, "rb") as a, open(fresh, "rb") as b:
                        self.assertEqual(a.read(), b.read(), f"{f} differs from a fresh seed-0 model")
            make_goldens.make_goldens(os.path.join(d, "model"), os.path.join(d, "taef1"), 1, os.path.join(d, "g"))
            with open(os.path.join(_paths.GOLDENS, "index.json")) as a, open(os.path.join(d, "g", "index.json")) as b:
                self.assertEqual(json.load(a), json.load(b))
            with open(os.path.join(d, "g", "index.json")) as f:
                names = list(json.load(f))
            for name in names:
                fresh = load_file(os.path.join(d, "g", f"{name}.safetensors"))
                for k, v in golden(name).items():
                    self.assertTrue(torch.equal(v, fresh[k]), f"{name}.{k}")


if __name__ == "__main__":
    unittest.main()

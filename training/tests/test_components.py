"""Checkpoint names, T5 buckets, and the real TAEF1 weights (test-only vendor data) against the reference modules."""
import math
import os
import unittest

import torch

import _paths
from kontext_ref.autoencoder import AutoEncoder, AutoEncoderParams
from kontext_ref.clip import CLIPTextModel
from kontext_ref.model import Flux
from kontext_ref.safetensors_io import load_file
from kontext_ref.t5 import T5Encoder, relative_position_bucket
from kontext_ref.taef1 import TAEF1, TAEParams
from kontext_ref.util import TINY, infer_ae_params, infer_flux_params, load_strict, upcast
from make_goldens import smooth_image


class NamesTest(unittest.TestCase):
    def test_dit_names(self):
        p = TINY["dit"]
        keys = set(Flux(p).state_dict())
        self.assertEqual(len(keys), 20 + 24 * p.depth + 8 * p.depth_single_blocks)  # §8: 780 for 19 + 38 blocks
        for k in ["img_in.weight", "txt_in.bias", "time_in.in_layer.weight", "guidance_in.out_layer.bias",
                  "vector_in.in_layer.weight", "double_blocks.1.img_mod.lin.weight", "double_blocks.0.txt_mod.lin.bias",
                  "double_blocks.0.img_attn.qkv.bias", "double_blocks.0.txt_attn.norm.key_norm.scale",
                  "double_blocks.0.img_attn.proj.weight", "double_blocks.0.img_mlp.0.weight",
                  "double_blocks.0.txt_mlp.2.bias", "single_blocks.1.linear1.weight", "single_blocks.0.linear2.bias",
                  "single_blocks.0.norm.query_norm.scale", "single_blocks.0.modulation.lin.weight",
                  "final_layer.linear.weight", "final_layer.adaLN_modulation.1.bias"]:
            self.assertIn(k, keys)
        sd = Flux(p).state_dict()
        self.assertEqual(tuple(sd["single_blocks.0.linear1.weight"].shape), (64 * 3 + 256, 64))
        self.assertEqual(tuple(sd["final_layer.adaLN_modulation.1.weight"].shape), (128, 64))

    def test_ae_names(self):
        sd = AutoEncoder(AutoEncoderParams(ch=32, ch_mult=[1, 2, 4, 4], num_groups=32)).state_dict()
        for k in ["encoder.conv_in.weight", "encoder.down.0.block.1.norm2.bias",
                  "encoder.down.1.block.0.nin_shortcut.weight", "encoder.down.2.downsample.conv.weight",
                  "encoder.mid.attn_1.proj_out.weight",
                  "encoder.mid.block_2.conv1.bias", "encoder.norm_out.weight", "encoder.conv_out.bias",
                  "decoder.conv_in.weight", "decoder.mid.attn_1.q.weight", "decoder.up.0.block.2.conv2.weight",
                  "decoder.up.0.block.0.nin_shortcut.weight", "decoder.up.3.upsample.conv.weight",
                  "decoder.norm_out.bias", "decoder.conv_out.weight"]:
            self.assertIn(k, sd)
        self.assertNotIn("encoder.down.3.downsample.conv.weight", sd)
        self.assertNotIn("decoder.up.0.upsample.conv.weight", sd)
        self.assertEqual(tuple(sd["encoder.conv_out.weight"].shape[:2]), (32, 128))  # mean + logvar
        # the 16x AE is one more level
        ae16 = AutoEncoder(AutoEncoderParams(ch=32, ch_mult=[1, 1, 2, 2, 2], num_groups=32)).double().eval()
        with torch.no_grad():
            z = ae16.encode(torch.zeros(1, 3, 64, 32, dtype=torch.float64))
            self.assertEqual(tuple(z.shape), (1, 16, 4, 2))
            self.assertEqual(tuple(ae16.decode(z).shape), (1, 3, 64, 32))

    def test_text_encoder_names(self):
        t5 = set(T5Encoder(TINY["t5"]).state_dict())
        self.assertIn("shared.weight", t5)
        self.assertIn("encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight", t5)
        self.assertNotIn("encoder.block.1.layer.0.SelfAttention.relative_attention_bias.weight", t5)
        self.assertIn("encoder.block.1.layer.1.DenseReluDense.wi_1.weight", t5)
        self.assertIn("encoder.final_layer_norm.weight", t5)
        self.assertEqual(len(t5), 1 + 1 + 9 * TINY["t5"].num_layers + 1)
        clip = set(CLIPTextModel(TINY["clip"]).state_dict())
        for k in ["text_model.embeddings.token_embedding.weight", "text_model.embeddings.position_embedding.weight",
                  "text_model.encoder.layers.1.self_attn.out_proj.bias",
                  "text_model.encoder.layers.0.layer_norm2.weight", "text_model.encoder.layers.0.mlp.fc1.weight",
                  "text_model.final_layer_norm.bias"]:
            self.assertIn(k, clip)


class InferConfigTest(unittest.TestCase):
    def test_config_from_shapes(self):
        # The official files carry no config; everything but RoPE axes/theta and AE groups/scale comes from shapes.
        p = TINY["dit"]
        got = infer_flux_params(Flux(p).state_dict(), {})
        for f in ("in_channels", "out_channels", "vec_in_dim", "context_in_dim", "hidden_size", "mlp_ratio",
                  "num_heads", "depth", "depth_single_blocks", "qkv_bias", "guidance_embed"):
            self.assertEqual(getattr(got, f), getattr(p, f), f)
        a = TINY["ae"]
        got = infer_ae_params(AutoEncoder(a).state_dict(), {})
        self.assertEqual((got.ch, got.ch_mult, got.num_res_blocks, got.z_channels),
                         (a.ch, a.ch_mult, a.num_res_blocks, a.z_channels))


class T5BucketTest(unittest.TestCase):
    def test_t5_xxl_buckets(self):
        # (key − query, bucket) for 32 buckets / max distance 128, bidirectional
        cases = [(0, 0), (-1, 1), (1, 17), (-7, 7), (7, 23), (-8, 8), (-16, 10), (-127, 15), (-1000, 15), (1000, 31)]
        rel = torch.tensor([c for c, _ in cases])
        self.assertEqual(relative_position_bucket(rel, 32, 128).tolist(), [b for _, b in cases])


@unittest.skipUnless(os.path.isdir(_paths.VENDOR_TAEF1), "vendor TAEF1 weights not present")
class RealTAEF1Test(unittest.TestCase):
    def test_real_weights_load_and_reconstruct(self):
        tae = TAEF1(TAEParams())
        for part in ("encoder", "decoder"):
            sd = load_file(os.path.join(_paths.VENDOR_TAEF1, f"taef1_{part}.safetensors"))
            load_strict(getattr(tae, part), upcast(sd, torch.float32))
        x = smooth_image(torch.Generator().manual_seed(3), 128, 128).float()
        with torch.no_grad():
            z = tae.encode_contract(x)
            y = tae.decode_contract(z).clamp(-1, 1)
        self.assertEqual(tuple(z.shape), (1, 16, 16, 16))
        psnr = 10 * math.log10(4 / float(((y - x) ** 2).mean()))
        self.assertGreater(psnr, 28.0)  # about 33 dB on this smooth image; a wiring mistake gives < 20


if __name__ == "__main__":
    unittest.main()

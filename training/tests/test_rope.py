import unittest

import torch

import _paths  # noqa: F401
from kontext_ref.math import apply_rope, rope_nd, timestep_embedding

AXES = [8, 12, 12]


class RopeTest(unittest.TestCase):
    def test_zero_ids_are_identity(self):
        x = torch.randn(1, 2, 5, 32, dtype=torch.float64)
        pe = rope_nd(torch.zeros(1, 5, 3, dtype=torch.float64), AXES, 10_000)
        self.assertTrue(torch.allclose(apply_rope(x, pe), x, atol=0, rtol=0))

    def test_interleaved_pairs(self):
        # Only axis 1 (pairs 4..9) moves for ids (0, 1, 0); pair 4 = dims 8, 9 with omega = 1.
        x = torch.zeros(1, 1, 1, 32, dtype=torch.float64)
        x[..., 8] = 1.0
        y = apply_rope(x, rope_nd(torch.tensor([[[0.0, 1.0, 0.0]]], dtype=torch.float64), AXES, 10_000))
        expect = torch.zeros_like(x)
        expect[..., 8], expect[..., 9] = torch.cos(torch.tensor(1.0)), torch.sin(torch.tensor(1.0))
        self.assertTrue(torch.allclose(y, expect))

    def test_relative(self):
        # q(m)·k(n) depends on m − n only: the point of RoPE.
        q, k = torch.randn(32, dtype=torch.float64), torch.randn(32, dtype=torch.float64)
        def score(pq, pk):
            ids = torch.tensor([[pq, pk]], dtype=torch.float64)
            pe = rope_nd(ids, AXES, 10_000)
            x = apply_rope(torch.stack([q, k])[None, None], pe)[0, 0]
            return float(x[0] @ x[1])
        self.assertAlmostEqual(score([1, 2, 3], [0, 5, 1]), score([3, 7, 4], [2, 10, 2]), places=9)

    def test_timestep_embedding_cos_first(self):
        e = timestep_embedding(torch.tensor([0.0]), 256)
        self.assertTrue(torch.equal(e[0, :128], torch.ones(128)))
        self.assertTrue(torch.equal(e[0, 128:], torch.zeros(128)))


if __name__ == "__main__":
    unittest.main()

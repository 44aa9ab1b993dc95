import unittest

import torch

import _paths  # noqa: F401
from kontext_ref.sampling import make_ids, pack, pack_mask, unpack


class PackTest(unittest.TestCase):
    def test_round_trip(self):
        z = torch.randn(2, 16, 6, 10)
        x = pack(z)
        self.assertEqual(tuple(x.shape), (2, 15, 64))
        self.assertTrue(torch.equal(unpack(x, 6, 10), z))

    def test_exact_order(self):
        # tok[b, R*(w/2)+C, c*4 + py*2 + px] = lat[b, c, 2R+py, 2C+px]  (spec §4.2)
        b, c, h, w = 1, 3, 4, 6
        z = torch.arange(b * c * h * w, dtype=torch.float32).reshape(b, c, h, w)
        x = pack(z)
        for R in range(h // 2):
            for C in range(w // 2):
                for ch in range(c):
                    for py in range(2):
                        for px in range(2):
                            tok, feat = R * (w // 2) + C, ch * 4 + py * 2 + px
                            self.assertEqual(x[0, tok, feat], z[0, ch, 2 * R + py, 2 * C + px])

    def test_mask_repeats_over_channels(self):
        m = (torch.rand(1, 1, 4, 4) > 0.5).float()
        pm = pack_mask(m, 16)
        self.assertEqual(tuple(pm.shape), (1, 4, 64))
        self.assertTrue(torch.equal(pm, pack(m.expand(1, 16, 4, 4))))

    def test_ids_row_major_from_zero(self):
        ids = make_ids(2, 3, 4)
        self.assertEqual(tuple(ids.shape), (12, 3))
        self.assertEqual(ids[0].tolist(), [2, 0, 0])
        self.assertEqual(ids[1].tolist(), [2, 0, 1])
        self.assertEqual(ids[4].tolist(), [2, 1, 0])
        self.assertEqual(ids[-1].tolist(), [2, 2, 3])


if __name__ == "__main__":
    unittest.main()

import json
import os
import struct
import tempfile
import unittest

import torch

import _paths  # noqa: F401
from kontext_ref.safetensors_io import load_file, load_metadata, read_header, save_file


class SafetensorsTest(unittest.TestCase):
    def test_round_trip_all_dtypes(self):
        src = {"f32": torch.randn(3, 4), "f16": torch.randn(5).half(), "bf16": torch.randn(2, 3).bfloat16(),
               "i32": torch.arange(7, dtype=torch.int32), "i64": torch.arange(3, dtype=torch.int64) - 1,
               "empty": torch.zeros(0, 4)}
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "x.safetensors")
            save_file(src, path, {"format": "pt"})
            back = load_file(path)
            self.assertEqual(load_metadata(path), {"format": "pt"})
            with open(path, "rb") as f:
                (n,) = struct.unpack("<Q", f.read(8))
            self.assertEqual(n % 8, 0)  # tensors start 8-byte aligned
            self.assertEqual(json.loads(json.dumps(read_header(path)))["bf16"]["dtype"], "BF16")
        self.assertEqual(set(back), set(src))
        for k in src:
            self.assertEqual(back[k].dtype, src[k].dtype, k)
            self.assertTrue(torch.equal(back[k], src[k]), k)


if __name__ == "__main__":
    unittest.main()

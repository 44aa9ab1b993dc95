"""Shared test setup: import path, thread count and fixture locations."""
import os
import sys

import torch

TRAINING = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if TRAINING not in sys.path:
    sys.path.insert(0, TRAINING)
torch.set_num_threads(2)  # OpenBLAS/torch oversubscription makes CPU runs several times slower here

TINY = os.path.join(TRAINING, "fixtures", "tiny")
MODEL, TAEF1_DIR, GOLDENS = (os.path.join(TINY, d) for d in ("model", "taef1", "goldens"))
VENDOR_TAEF1 = "/work/shared/vendor-data/taef1"  # test-only data, never copied into the repo

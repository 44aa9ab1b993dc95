"""PyTorch reference of FLUX.1 Kontext [dev] inference, written from docs/kontext-spec.md.

Read in the BFL order: math -> layers -> model (DiT); autoencoder, t5, clip, taef1; sampling; util (configs and
loading of the official folder layout). Checkpoint tensor names match the official files at any width.
"""

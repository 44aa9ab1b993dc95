"""T5 v1.1 encoder (spec §6), Hugging Face `T5EncoderModel` tensor names and config.json fields.

T5 specifics that differ from a textbook transformer: RMS LayerNorm (no mean subtraction, no bias), attention
scores are NOT divided by sqrt(d_kv), no biases anywhere, a learned relative-position bias that exists only in
layer 0 but is added in every layer, gated-GELU (tanh approximation) feed-forward. No attention mask: FLUX feeds
the padded sequence and every position attends to every other.
"""
import math
from dataclasses import asdict, dataclass

import torch
from torch import Tensor, nn


@dataclass
class T5Config:
    vocab_size: int = 32128
    d_model: int = 4096
    d_kv: int = 64
    d_ff: int = 10240
    num_layers: int = 24
    num_heads: int = 64
    relative_attention_num_buckets: int = 32
    relative_attention_max_distance: int = 128
    layer_norm_epsilon: float = 1e-6

    @classmethod
    def from_hf(cls, cfg: dict) -> "T5Config":
        if cfg.get("feed_forward_proj", "gated-gelu") != "gated-gelu":
            raise ValueError(f"only gated-gelu T5 (v1.1) is supported, got {cfg['feed_forward_proj']}")
        return cls(**{k: cfg[k] for k in cls.__dataclass_fields__ if k in cfg})

    def to_hf(self) -> dict:
        return {"architectures": ["T5EncoderModel"], **asdict(self), "dense_act_fn": "gelu_new",
                "feed_forward_proj": "gated-gelu", "is_gated_act": True, "model_type": "t5",
                "num_decoder_layers": self.num_layers, "pad_token_id": 0, "eos_token_id": 1,
                "decoder_start_token_id": 0, "dropout_rate": 0.1, "initializer_factor": 1.0,
                "is_encoder_decoder": True, "tie_word_embeddings": False, "torch_dtype": "float32"}


def relative_position_bucket(rel: Tensor, num_buckets: int, max_distance: int) -> Tensor:
    """Bidirectional buckets for rel = key_pos − query_pos: half the buckets for rel > 0; within a half, distances
    below num_buckets/4 are exact, larger ones are log-spaced up to max_distance and clamped to the last bucket."""
    half = num_buckets // 2
    bucket = (rel > 0).long() * half
    dist = rel.abs()
    max_exact = half // 2
    # fp32 log like the reference (bucket edges could move in another precision); the clamp only avoids log(0),
    # the short-distance branch wins for dist < max_exact anyway. .long() truncates, as the reference does.
    far = max_exact + (torch.log(dist.clamp(min=1).float() / max_exact) / math.log(max_distance / max_exact)
                       * (half - max_exact)).long()
    far = torch.clamp(far, max=half - 1)
    return bucket + torch.where(dist < max_exact, dist, far)


class T5LayerNorm(nn.Module):
    def __init__(self, dim: int, eps: float):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x: Tensor) -> Tensor:
        work = torch.promote_types(x.dtype, torch.float32)
        var = x.to(work).pow(2).mean(-1, keepdim=True)
        return self.weight * (x.to(work) * torch.rsqrt(var + self.eps)).to(x.dtype)


class T5Attention(nn.Module):
    def __init__(self, cfg: T5Config, has_relative_bias: bool):
        super().__init__()
        self.cfg = cfg
        inner = cfg.num_heads * cfg.d_kv
        self.q = nn.Linear(cfg.d_model, inner, bias=False)
        self.k = nn.Linear(cfg.d_model, inner, bias=False)
        self.v = nn.Linear(cfg.d_model, inner, bias=False)
        self.o = nn.Linear(inner, cfg.d_model, bias=False)
        if has_relative_bias:
            self.relative_attention_bias = nn.Embedding(cfg.relative_attention_num_buckets, cfg.num_heads)

    def compute_bias(self, length: int) -> Tensor:
        """[1, H, L, L] additive bias, from this (layer-0) module's table."""
        pos = torch.arange(length, device=self.relative_attention_bias.weight.device)
        buckets = relative_position_bucket(pos[None, :] - pos[:, None], self.cfg.relative_attention_num_buckets,
                                           self.cfg.relative_attention_max_distance)
        return self.relative_attention_bias(buckets).permute(2, 0, 1)[None]

    def forward(self, x: Tensor, bias: Tensor) -> Tensor:
        b, l, _ = x.shape
        h, d = self.cfg.num_heads, self.cfg.d_kv
        q, k, v = (m(x).reshape(b, l, h, d).transpose(1, 2) for m in (self.q, self.k, self.v))
        scores = q @ k.transpose(-1, -2) + bias  # no 1/sqrt(d_kv): T5 folds it into the init
        out = torch.softmax(scores.to(torch.promote_types(scores.dtype, torch.float32)), -1).to(v.dtype) @ v
        return self.o(out.transpose(1, 2).reshape(b, l, h * d))


class T5LayerSelfAttention(nn.Module):
    def __init__(self, cfg: T5Config, has_relative_bias: bool):
        super().__init__()
        self.SelfAttention = T5Attention(cfg, has_relative_bias)
        self.layer_norm = T5LayerNorm(cfg.d_model, cfg.layer_norm_epsilon)

    def forward(self, x: Tensor, bias: Tensor) -> Tensor:
        return x + self.SelfAttention(self.layer_norm(x), bias)


class T5DenseGatedActDense(nn.Module):
    def __init__(self, cfg: T5Config):
        super().__init__()
        self.wi_0 = nn.Linear(cfg.d_model, cfg.d_ff, bias=False)
        self.wi_1 = nn.Linear(cfg.d_model, cfg.d_ff, bias=False)
        self.wo = nn.Linear(cfg.d_ff, cfg.d_model, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        # gelu_new is the tanh approximation; wi_0 is the gated (activated) branch, wi_1 the linear one.
        return self.wo(nn.functional.gelu(self.wi_0(x), approximate="tanh") * self.wi_1(x))


class T5LayerFF(nn.Module):
    def __init__(self, cfg: T5Config):
        super().__init__()
        self.DenseReluDense = T5DenseGatedActDense(cfg)
        self.layer_norm = T5LayerNorm(cfg.d_model, cfg.layer_norm_epsilon)

    def forward(self, x: Tensor) -> Tensor:
        return x + self.DenseReluDense(self.layer_norm(x))


class T5Block(nn.Module):
    def __init__(self, cfg: T5Config, has_relative_bias: bool):
        super().__init__()
        self.layer = nn.ModuleList([T5LayerSelfAttention(cfg, has_relative_bias), T5LayerFF(cfg)])

    def forward(self, x: Tensor, bias: Tensor) -> Tensor:
        return self.layer[1](self.layer[0](x, bias))


class T5Stack(nn.Module):
    def __init__(self, cfg: T5Config):
        super().__init__()
        self.block = nn.ModuleList(T5Block(cfg, has_relative_bias=(i == 0)) for i in range(cfg.num_layers))
        self.final_layer_norm = T5LayerNorm(cfg.d_model, cfg.layer_norm_epsilon)


class T5Encoder(nn.Module):
    """input_ids [B, L] -> last_hidden_state [B, L, d_model]. `shared` is the token embedding; HF also lists it
    as encoder.embed_tokens.weight (tied), which the loader folds into shared.weight."""

    def __init__(self, cfg: T5Config):
        super().__init__()
        self.cfg = cfg
        self.shared = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.encoder = T5Stack(cfg)

    def forward(self, input_ids: Tensor) -> Tensor:
        x = self.shared(input_ids.long())
        bias = self.encoder.block[0].layer[0].SelfAttention.compute_bias(x.shape[1]).to(x.dtype)
        for block in self.encoder.block:
            x = block(x, bias)
        return self.encoder.final_layer_norm(x)

"""CLIP text transformer (spec §6), Hugging Face `CLIPTextModel` tensor names and config.json fields.

Pre-LN blocks with a causal mask, quick_gelu MLP, final LayerNorm; FLUX uses only the pooled output: the
final-LN state at the first EOS token.
"""
from dataclasses import asdict, dataclass

import torch
from torch import Tensor, nn


@dataclass
class CLIPTextConfig:
    vocab_size: int = 49408
    hidden_size: int = 768
    intermediate_size: int = 3072
    num_attention_heads: int = 12
    num_hidden_layers: int = 12
    max_position_embeddings: int = 77
    layer_norm_eps: float = 1e-5
    bos_token_id: int = 49406
    eos_token_id: int = 49407
    pad_token_id: int = 49407

    @classmethod
    def from_hf(cls, cfg: dict) -> "CLIPTextConfig":
        if cfg.get("hidden_act", "quick_gelu") != "quick_gelu":
            raise ValueError(f"only quick_gelu CLIP text models are supported, got {cfg['hidden_act']}")
        return cls(**{k: cfg[k] for k in cls.__dataclass_fields__ if k in cfg})

    def to_hf(self) -> dict:
        return {"architectures": ["CLIPTextModel"], **asdict(self), "hidden_act": "quick_gelu",
                "model_type": "clip_text_model", "attention_dropout": 0.0, "dropout": 0.0,
                "initializer_factor": 1.0, "initializer_range": 0.02, "projection_dim": self.hidden_size,
                "torch_dtype": "float32"}


def quick_gelu(x: Tensor) -> Tensor:
    return x * torch.sigmoid(1.702 * x)


class CLIPAttention(nn.Module):
    def __init__(self, cfg: CLIPTextConfig):
        super().__init__()
        self.heads = cfg.num_attention_heads
        d = cfg.hidden_size
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (nn.Linear(d, d) for _ in range(4))

    def forward(self, x: Tensor) -> Tensor:
        b, l, d = x.shape
        hd = d // self.heads
        q, k, v = (m(x).reshape(b, l, self.heads, hd).transpose(1, 2) for m in (self.q_proj, self.k_proj, self.v_proj))
        scores = (q @ k.transpose(-1, -2)) * hd**-0.5
        future = torch.ones(l, l, dtype=torch.bool, device=x.device).triu(1)  # causal: no looking right
        out = torch.softmax(scores.masked_fill(future, float("-inf")), dim=-1) @ v
        return self.out_proj(out.transpose(1, 2).reshape(b, l, d))


class CLIPMLP(nn.Module):
    def __init__(self, cfg: CLIPTextConfig):
        super().__init__()
        self.fc1 = nn.Linear(cfg.hidden_size, cfg.intermediate_size)
        self.fc2 = nn.Linear(cfg.intermediate_size, cfg.hidden_size)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc2(quick_gelu(self.fc1(x)))


class CLIPEncoderLayer(nn.Module):
    def __init__(self, cfg: CLIPTextConfig):
        super().__init__()
        self.self_attn = CLIPAttention(cfg)
        self.layer_norm1 = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.mlp = CLIPMLP(cfg)
        self.layer_norm2 = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)

    def forward(self, x: Tensor) -> Tensor:
        x = x + self.self_attn(self.layer_norm1(x))
        return x + self.mlp(self.layer_norm2(x))


class CLIPEmbeddings(nn.Module):
    def __init__(self, cfg: CLIPTextConfig):
        super().__init__()
        self.token_embedding = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.position_embedding = nn.Embedding(cfg.max_position_embeddings, cfg.hidden_size)

    def forward(self, ids: Tensor) -> Tensor:
        return self.token_embedding(ids) + self.position_embedding.weight[: ids.shape[1]][None]


class CLIPEncoder(nn.Module):
    def __init__(self, cfg: CLIPTextConfig):
        super().__init__()
        self.layers = nn.ModuleList(CLIPEncoderLayer(cfg) for _ in range(cfg.num_hidden_layers))


class CLIPTextTransformer(nn.Module):
    def __init__(self, cfg: CLIPTextConfig):
        super().__init__()
        self.embeddings = CLIPEmbeddings(cfg)
        self.encoder = CLIPEncoder(cfg)
        self.final_layer_norm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)


class CLIPTextModel(nn.Module):
    def __init__(self, cfg: CLIPTextConfig):
        super().__init__()
        self.cfg = cfg
        self.text_model = CLIPTextTransformer(cfg)

    def forward(self, input_ids: Tensor) -> tuple[Tensor, Tensor]:
        """input_ids [B, L] -> (last_hidden_state [B, L, D] after the final LN, pooled [B, D])."""
        ids = input_ids.long()
        tm = self.text_model
        x = tm.embeddings(ids)
        for layer in tm.encoder.layers:
            x = layer(x)
        x = tm.final_layer_norm(x)
        # Pool at the FIRST position holding eos_token_id (HF's rule when the config carries the real EOS id).
        # A config saying eos_token_id == 2 (openai's CLIP-L config does; FLUX's text_encoder/config.json is
        # expected to be a copy, not verified here) gets HF's legacy rule: argmax(ids), the first position of the
        # largest id. For CLIP-L, EOS 49407 is the largest id and the padding is 49407 too, so both rules pick the
        # first EOS. The tiny vocab keeps EOS as its largest id so the two rules agree there as well.
        if self.cfg.eos_token_id == 2:
            eos_pos = ids.argmax(dim=-1)
        else:
            eos_pos = (ids == self.cfg.eos_token_id).int().argmax(dim=-1)
        return x, x[torch.arange(x.shape[0], device=x.device), eos_pos]

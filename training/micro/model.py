"""Assembly of kontext-micro: DiT + T5 + CLIP trained jointly (the AE is trained first and frozen).

`KontextMicro.velocity` is exactly what kontext_ref.sampling.denoise computes per step:
sequence [text][target tokens (0,r,c)][context tokens (1,r,c)][reference tokens (2,r,c)]; the loss only reads
the target tokens' outputs.
"""
import torch
from torch import Tensor, nn

from training.kontext_ref.clip import CLIPTextModel
from training.kontext_ref.model import Flux
from training.kontext_ref.sampling import get_schedule, make_ids
from training.kontext_ref.t5 import T5Encoder
from training.micro.config import CLIP, DIT, T5

TOKENS_PER_IMAGE = 16  # 64x64 image -> 8x8 latent -> 4x4 tokens
GRID = 4


class KontextMicro(nn.Module):
    def __init__(self):
        super().__init__()
        self.dit, self.t5, self.clip = Flux(DIT), T5Encoder(T5), CLIPTextModel(CLIP)
        self.register_buffer("img_ids", torch.cat([make_ids(i, GRID, GRID) for i in range(3)]), persistent=False)
        init_weights(self)

    def velocity(self, x_t: Tensor, t: Tensor, ids: Tensor, context: Tensor, reference: Tensor | None,
                 guidance: float) -> Tensor:
        """x_t [B,16,64] noisy target tokens, t [B], ids [B,L] text ids, context/reference [B,16,64] clean
        tokens -> velocity of the target tokens [B,16,64]."""
        b = x_t.shape[0]
        txt = self.t5(ids)
        _, pooled = self.clip(ids)
        parts = [x_t, context] + ([reference] if reference is not None else [])
        img = torch.cat(parts, dim=1)
        img_ids = self.img_ids[: img.shape[1]][None].expand(b, -1, -1)
        txt_ids = torch.zeros(b, txt.shape[1], 3, device=x_t.device)
        g = torch.full((b,), guidance, device=x_t.device)
        return self.dit(img=img, img_ids=img_ids, txt=txt, txt_ids=txt_ids, timesteps=t, y=pooled,
                        guidance=g)[:, :TOKENS_PER_IMAGE]


@torch.no_grad()
def init_weights(model: KontextMicro) -> None:
    """adaLN-Zero (DiT): every modulation and the final projection start at zero, so each block starts as the
    identity and the first output is 0. T5's q carries 1/sqrt(d_kv) (T5 does not scale scores)."""
    dit = model.dit
    for name, module in dit.named_modules():
        if isinstance(module, nn.Linear) and (name.endswith("_mod.lin") or "modulation" in name):
            nn.init.zeros_(module.weight)
            nn.init.zeros_(module.bias)
    nn.init.zeros_(dit.final_layer.linear.weight)
    nn.init.zeros_(dit.final_layer.linear.bias)
    for block in model.t5.encoder.block:
        block.layer[0].SelfAttention.q.weight.mul_(model.t5.cfg.d_kv**-0.5)
    nn.init.normal_(model.t5.shared.weight, std=1.0)
    nn.init.normal_(model.clip.text_model.embeddings.token_embedding.weight, std=0.02)
    nn.init.normal_(model.clip.text_model.embeddings.position_embedding.weight, std=0.01)


@torch.no_grad()
def sample_tokens(model: KontextMicro, ids: Tensor, context: Tensor, reference: Tensor | None, noise: Tensor,
                  steps: int, guidance: float) -> Tensor:
    """Batched Euler edit in token space: kontext_ref.sampling.denoise over the shifted schedule (no mask).
    noise [B,16,64] -> clean target tokens [B,16,64]."""
    x = noise
    timesteps = get_schedule(steps, TOKENS_PER_IMAGE)
    for t_curr, t_next in zip(timesteps[:-1], timesteps[1:]):
        t = torch.full((x.shape[0],), t_curr, device=x.device)
        x = x + (t_next - t_curr) * model.velocity(x, t, ids, context, reference, guidance)
    return x

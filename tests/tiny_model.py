"""A tiny randomly initialised Llama for generation tests.

Random weights make the model's choices arbitrary (long strings of unrelated
tokens, odd escapes), which is what the generation loop must survive: its
output has to be valid whatever the model prefers. Import it like conftest:
``from tiny_model import tiny_llama``.
"""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def tiny_llama(vocab_size: int = 32_000, seed: int = 0) -> Any:
    """A 2-layer, 2-head Llama with hidden size 32 over ``vocab_size`` tokens (eval mode)."""
    import torch
    import transformers

    torch.manual_seed(seed)
    config = transformers.LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=1024,
    )
    return transformers.LlamaForCausalLM(config).eval()

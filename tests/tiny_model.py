"""A tiny randomly initialised Llama for generation tests.

Random weights make the model's choices arbitrary (long strings of unrelated
tokens, odd escapes), which is what the generation loop must survive: its
output has to be valid whatever the model prefers. Import it like conftest:
``from tiny_model import tiny_llama``.

``LMPARSEC_TEST_DEVICE`` (default ``cpu``) puts the tiny models and their inputs
on another torch device -- ``cuda`` on a machine with a GPU runs the integration
tests with logits on the GPU, where a mask made on the CPU must be moved to them.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

TEST_DEVICE = os.environ.get("LMPARSEC_TEST_DEVICE", "cpu")


def model_device() -> Any:
    """The torch device the integration tests run models on; skips the calling test
    when ``LMPARSEC_TEST_DEVICE`` names one this machine does not have."""
    import pytest
    import torch

    device = torch.device(TEST_DEVICE)
    if device.type == "cuda" and not torch.cuda.is_available():
        pytest.skip(f"LMPARSEC_TEST_DEVICE={TEST_DEVICE} but torch sees no CUDA device")
    return device


@cache
def tiny_llama(vocab_size: int = 32_000, seed: int = 0) -> Any:
    """A 2-layer, 2-head Llama with hidden size 32 over ``vocab_size`` tokens (eval
    mode, on the test device)."""
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
    return transformers.LlamaForCausalLM(config).eval().to(model_device())

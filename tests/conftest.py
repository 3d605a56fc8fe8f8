"""Shared test fixtures.

Tokenizer section: the three real tokenizers in ``../shared/tokenizers`` and the
helpers that encode text the way it appears mid-generation. Test modules import
the helpers with ``from conftest import encode_mid, hf_tokenizer, ...``; tests
that need the tokenizers skip with a reason when ``../shared`` is absent (a
fresh clone has no such folder).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from lmparsec.tokens.vocabulary import Vocabulary

if TYPE_CHECKING:
    import tokenizers
    import transformers

# --- tokenizers ---------------------------------------------------------------

SHARED_DIR = Path(__file__).parents[1].parent / "shared"
TOKENIZERS_DIR = SHARED_DIR / "tokenizers"
TOKENIZER_NAMES = ("mistral-7b", "llama-3", "qwen3")


def tokenizer_dir(name: str) -> Path:
    """The folder of one shared tokenizer; skips the calling test if it is absent."""
    folder = TOKENIZERS_DIR / name
    if not (folder / "tokenizer.json").is_file():
        pytest.skip(f"{folder / 'tokenizer.json'} is absent (../shared is not checked out)")
    return folder


@cache
def load_vocabulary(name: str) -> Vocabulary:
    """The ``Vocabulary`` of a shared tokenizer, built once per test session."""
    return Vocabulary.from_file(tokenizer_dir(name) / "tokenizer.json")


@cache
def hf_tokenizer(name: str) -> transformers.PreTrainedTokenizerFast:
    """A transformers fast tokenizer for a shared tokenizer, with its configured eos token."""
    import transformers

    folder = tokenizer_dir(name)
    config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    eos = config.get("eos_token")
    if isinstance(eos, dict):
        eos = eos["content"]
    return transformers.PreTrainedTokenizerFast(tokenizer_file=str(folder / "tokenizer.json"), eos_token=eos)


@cache
def mid_tokenizer(name: str) -> tokenizers.Tokenizer:
    """A ``tokenizers.Tokenizer`` that encodes text as it appears after a prompt.

    SentencePiece "legacy" tokenizers (mistral-7b) prepend ``▁`` to the first
    piece of every encode; generated text is not tokenized that way, so the
    ``Prepend`` normalizer is dropped. Byte-level tokenizers are used as is.
    """
    import tokenizers

    data: dict[str, Any] = json.loads((tokenizer_dir(name) / "tokenizer.json").read_text(encoding="utf-8"))
    normalizer = data.get("normalizer")
    if isinstance(normalizer, dict):
        if normalizer.get("type") == "Prepend":
            data["normalizer"] = None
        elif normalizer.get("type") == "Sequence":
            normalizer["normalizers"] = [n for n in normalizer["normalizers"] if n.get("type") != "Prepend"]
    tokenizer = tokenizers.Tokenizer.from_str(json.dumps(data))
    # Text that spells a special token ("<|im_end|>") is text here, as it is for
    # the masks, which never allow special tokens inside a format.
    tokenizer.encode_special_tokens = True
    return tokenizer


def encode_mid(name: str, text: str) -> list[int]:
    """The ids a tokenizer gives ``text`` mid-generation (no special tokens, no prefix space)."""
    ids: list[int] = mid_tokenizer(name).encode(text, add_special_tokens=False).ids
    return ids


@pytest.fixture(params=TOKENIZER_NAMES, scope="session")
def tokenizer_name(request: pytest.FixtureRequest) -> str:
    """Each shared tokenizer's name in turn (skips when ../shared is absent)."""
    name: str = request.param
    tokenizer_dir(name)
    return name


@pytest.fixture(scope="session")
def vocab(tokenizer_name: str) -> Vocabulary:
    """The ``Vocabulary`` of each shared tokenizer in turn; pair with ``tokenizer_name``."""
    return load_vocabulary(tokenizer_name)

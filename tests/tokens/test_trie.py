"""TokenTrie: the pruning walk admits exactly the tokens an independent byte
oracle admits, with and without an unfinished character pending."""

from __future__ import annotations

import random
from functools import cache

import pytest
from conftest import load_vocabulary
from strategies import JSONISH, motivating, oracle_allows

from lmparsec import CharSet, FreeText, Literal, Parser, Regex, until
from lmparsec.tokens.trie import TokenTrie


@cache
def sample_trie(name: str) -> tuple[TokenTrie, list[int]]:
    """A trie over a sample of the vocabulary: random ids plus every id whose
    bytes start or end mid-character."""
    vocab = load_vocabulary(name)
    rng = random.Random(3)
    ids = [t for t, b in enumerate(vocab.token_bytes) if b]
    hard = [t for t in ids if vocab.token_bytes[t][0] >= 0x80 and len(vocab.token_bytes[t]) <= 2]
    chosen = sorted(set(rng.sample(ids, 3000)) | set(hard))
    return TokenTrie((vocab.token_bytes[t], t) for t in chosen), chosen


STATES: list[tuple[str, Parser, bytes]] = [
    ("freetext", FreeText(), b""),
    ("freetext-pending", FreeText(), b"\xe4"),
    ("freetext-pending-2", FreeText(), b"\xf0\x9f"),
    ("no-cjk", FreeText(chars=~CharSet([(0x4E00, 0x9FFF)])), b""),
    ("no-cjk-pending", FreeText(chars=~CharSet([(0x4E00, 0x9FFF)])), b"\xe4"),
    ("literal", Literal("世界 hello"), b""),
    ("literal-pending", Literal("界"), "界".encode()[:2]),
    ("regex", Regex(JSONISH), b""),
    ("until", until("```json\n"), b""),
    ("motivating", motivating(), b""),
    ("overlong-pending", FreeText(), b"\xe0"),
    ("surrogate-pending", FreeText(), b"\xed"),
]


@pytest.mark.parametrize("case", range(len(STATES)), ids=[n for n, _, _ in STATES])
def test_walk_matches_byte_oracle(tokenizer_name: str, case: int) -> None:
    trie, chosen = sample_trie(tokenizer_name)
    vocab = load_vocabulary(tokenizer_name)
    _, state, pending = STATES[case]
    got = set(trie.walk(state, pending))
    want = {t for t in chosen if oracle_allows(state, pending, vocab.token_bytes[t])}
    assert got == want, sorted((vocab.token_bytes[t], t in got) for t in got ^ want)[:8]


@pytest.mark.parametrize(
    "first", [CharSet.of("a"), CharSet.range("a", "z"), ~CharSet.of("`"), CharSet([(0x4E00, 0x9FFF)])]
)
def test_walk_with_first_filters_by_first_character(tokenizer_name: str, first: CharSet) -> None:
    trie, chosen = sample_trie(tokenizer_name)
    vocab = load_vocabulary(tokenizer_name)
    state = until("```")
    got = set(trie.walk(state, first=first))
    want = set()
    for t in chosen:
        data = vocab.token_bytes[t]
        width = 1 if data[0] < 0x80 else 2 if data[0] < 0xE0 else 3 if data[0] < 0xF0 else 4
        try:
            head = data[:width].decode("utf-8")
        except UnicodeDecodeError:
            continue
        if head in first and oracle_allows(state, b"", data):
            want.add(t)
    assert want <= got
    for t in got - want:  # only tokens whose first character is unfinished may be extra
        data = vocab.token_bytes[t]
        assert data[0] >= 0x80 and oracle_allows(state, b"", data)


def test_trie_layout() -> None:
    trie = TokenTrie([(b"b", 1), (b"ab", 2), (b"a", 3), (b"", 4), (b"\xe4\xb8", 5)])
    assert trie.keys == sorted(trie.keys) and len(trie) == 4  # the empty token is dropped
    assert sorted(trie.walk(FreeText())) == [1, 2, 3, 5]
    assert sorted(trie.walk(Literal("ab"))) == [2, 3]
    assert trie.walk(Literal("中")) == [5]
    assert trie.walk(Literal("x")) == []

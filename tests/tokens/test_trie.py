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
    assert list(trie.keys) == sorted(trie.keys) and len(trie) == 4  # the empty token is dropped
    assert sorted(trie.walk(FreeText())) == [1, 2, 3, 5]
    assert sorted(trie.walk(Literal("ab"))) == [2, 3]
    assert trie.walk(Literal("中")) == [5]
    assert trie.walk(Literal("x")) == []


def test_probe_notes_where_tokens_leave_the_head_and_walks_resume_there() -> None:
    # head: a number; past its end a "," or "}" goes to the container. The probe
    # admits what stays in the number and notes the nodes where tokens go on past it.
    from lmparsec.tokens.segment import Probe, noting

    tokens = [b"1", b"12", b"1,", b"12,", b"12}", b"1x", b",", b"1, ", b"123,\n", b"7}}"]
    trie = TokenTrie((t, i) for i, t in enumerate(tokens))
    head = Regex(r"[0-9]+")
    with noting() as notes:
        inside = sorted(trie.walk(Probe(head, CharSet.of(",}"))))
    assert [tokens[i] for i in inside] == [b"1", b"12"]
    # a note is a node: the tokens under it all go on past the number there
    noted = sorted(key for _, lo, hi, _, _, _, _, _ in notes for key in trie.keys[lo:hi])
    assert noted == sorted([b"1,", b"1, ", b"12,", b"12}", b"123,\n", b"7}}"])
    assert all(trie.keys[lo][:depth] == prefix for _, lo, _, depth, prefix, _, _, _ in notes)
    assert all(prefix[-1:] == char.encode() for _, _, _, _, prefix, _, char, _ in notes)
    # resumed from a continuation that takes "," then a space (and nothing after "}"),
    # the notes give exactly the tokens a walk of the whole state admits
    after = Regex(r", ?")
    whole = Regex(r"[0-9]+, ?")
    resumed = []
    for node, lo, hi, depth, prefix, chars, char, _ in notes:
        nxt = after.advance(char)
        if nxt is not None:
            resumed += node.walk_node(lo, hi, depth, prefix, chars, nxt)
    assert sorted(inside + resumed) == sorted(trie.walk(whole))
    assert sorted(tokens[i] for i in resumed) == [b"1,", b"1, ", b"12,"]


def test_marks_outside_noting_are_an_error() -> None:
    from lmparsec.tokens.segment import Probe

    trie = TokenTrie([(b"1,", 0)])
    with pytest.raises(RuntimeError, match="noting"):
        trie.walk(Probe(Regex(r"[0-9]+"), CharSet.of(",")))


def test_along_finds_the_tokens_inside_a_text_and_those_going_past_it(tokenizer_name: str) -> None:
    """The tokens inside a known text (a key's name), and the range of those that
    start with all of it, found by one narrowing search of the sorted keys,
    against the definition; texts that go on past any token, and bytes at the
    edges of the order (0x00, 0xFF) included."""
    vocab = load_vocabulary(tokenizer_name)
    trie = TokenTrie((b, i) for i, b in enumerate(vocab.token_bytes) if b)
    by_bytes: dict[bytes, list[int]] = {}
    for key, tid in zip(trie.keys, trie.ids, strict=True):
        by_bytes.setdefault(key, []).append(tid)
    rng = random.Random(11)
    for _ in range(3000):
        if rng.random() < 0.7:
            data = rng.choice(trie.keys) + rng.choice(trie.keys)[: rng.randint(0, 6)]
        else:
            data = bytes(rng.choice([0x00, 0xFF, 0x61, 0xC3, 0x22]) for _ in range(rng.randint(1, 5)))
        want = sorted(t for n in range(1, len(data) + 1) for t in by_bytes.get(data[:n], []))
        inside, lo, hi = trie.along(data)
        assert sorted(inside) == want, data
        # the entries starting with ``data`` are contiguous: all inside, none next to it
        keys = trie.keys
        assert all(k.startswith(data) for k in keys[lo:hi]), data
        assert lo == 0 or not keys[lo - 1].startswith(data), data
        assert hi == len(keys) or not keys[hi].startswith(data), data

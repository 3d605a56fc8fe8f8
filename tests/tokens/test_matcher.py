"""Matcher on the real tokenizers: soundness of token walks, completeness on real
tokenizations, mask formats, EOS, errors, rollback and fork."""

from __future__ import annotations

import pytest
import torch
from conftest import encode_mid, load_vocabulary
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from strategies import TOKEN_GRAMMARS, language_texts, oracle_step, tokenizable

from lmparsec import FreeText, Literal, MaskCache, Matcher, Regex, Vocabulary, bitmask_words, until
from lmparsec.combinators.jsonschema import JsonSchema
from lmparsec.errors import GrammarError, TokenError
from lmparsec.testing import token_walks

GRAMMAR_IDS = [name for name, _, _ in TOKEN_GRAMMARS]
WALK_SETTINGS = settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.mark.parametrize("grammar", range(len(TOKEN_GRAMMARS)), ids=GRAMMAR_IDS)
@WALK_SETTINGS
@given(data=st.data())
def test_soundness_of_token_walks(vocab: Vocabulary, grammar: int, data: st.DataObject) -> None:
    _, make, oracle = TOKEN_GRAMMARS[grammar]
    parser = make()
    walk = data.draw(token_walks(vocab, parser, max_tokens=12))
    assert walk.ended
    text = walk.text
    assert parser.accepts(text), text
    assert oracle(text), text
    # the independent byte oracle agrees token by token
    state, pending = parser, b""
    for t in walk.ids:
        step = oracle_step(state, pending, vocab.token_bytes[t])
        assert step is not None, (t, vocab.token_bytes[t])
        state, pending = step
    assert not pending and state.can_end()


@pytest.mark.parametrize("grammar", range(len(TOKEN_GRAMMARS)), ids=GRAMMAR_IDS)
@WALK_SETTINGS
@given(data=st.data())
def test_completeness_on_real_tokenizations(
    tokenizer_name: str, vocab: Vocabulary, grammar: int, data: st.DataObject
) -> None:
    _, make, oracle = TOKEN_GRAMMARS[grammar]
    parser = make()
    text = data.draw(language_texts(parser, max_length=30))
    assume(tokenizable(tokenizer_name)(text))
    assert oracle(text), text
    ids = encode_mid(tokenizer_name, text)
    assert vocab.decode(ids) == text.encode("utf-8")
    matcher = Matcher(vocab, parser)
    for i, t in enumerate(ids):
        assert matcher.is_allowed(t), (text, i, vocab.token_bytes[t])
        assert matcher.accept(t), (text, i, vocab.token_bytes[t])
    assert matcher.can_end()
    assert all(matcher.is_allowed(e) for e in vocab.eos_ids)
    assert matcher.accept(min(vocab.eos_ids)) and matcher.is_finished()


SPLIT_TEXTS = ["日本語のテキスト", "🎉🚀👍🏽", "naïve café", "中文字符", "한국어 문장"]


@pytest.mark.parametrize("text", SPLIT_TEXTS)
def test_tokens_that_split_characters(tokenizer_name: str, vocab: Vocabulary, text: str) -> None:
    """Byte-fallback and byte-level pieces of one character are each allowed."""
    ids = encode_mid(tokenizer_name, text)
    for parser in (
        Literal(text),
        Regex("[^a-z]*" if text.isascii() else r"[^\x00-\x1f]+"),
        until(text[-1]),
        FreeText(max_length=len(text)),
    ):
        matcher = Matcher(vocab, parser)
        for t in ids:
            assert matcher.accept(t), (parser, vocab.token_bytes[t])
        assert matcher.can_end()
    # and a literal that differs in the last character rejects the last piece somewhere
    other = Matcher(vocab, Literal(text[:-1] + chr(ord(text[-1]) + 1)))
    assert not all(other.accept(t) for t in ids)


def test_transitions_are_kept_per_state_and_token_and_bounded(
        tokenizer_name: str, vocab: Vocabulary, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache keeps the state after each (state, token) once: matchers of equal
    states share it; a state with a character's first bytes pending is kept apart
    from the same state with none; at the bound the memo is emptied and the same
    states are made again."""
    from lmparsec.tokens import cache as cache_module

    cache = MaskCache(vocab, index_cache_dir=False)
    grammar = JsonSchema({"type": "object", "properties": {"a": {"type": "string"}}})
    text = '{"a": "naive cafe and more words"}'
    ids = encode_mid(tokenizer_name, text)
    first = Matcher(vocab, grammar, cache=cache)
    second = Matcher(vocab, grammar, cache=cache)
    states = []
    for t in ids:
        assert first.accept(t) and second.accept(t)
        assert second.state is first.state  # (the kept one, not one made again)
        states.append(first.state)
    kept = cache._transitions_kept
    assert kept == len(ids)
    # pending bytes: the same token taken with a character's first bytes pending
    # leads elsewhere (or nowhere), and is kept under its own entry
    data = "é".encode()
    lone = [t for t, b in enumerate(vocab.token_bytes) if b == data[:1]]
    rest = [t for t, b in enumerate(vocab.token_bytes) if b == data[1:]]
    if lone and rest:
        free = Matcher(vocab, FreeText(), cache=cache)
        assert free.accept(lone[0]) and free.pending == data[:1]
        plain = cache.transition(free.state, b"", rest[0])
        assert cache.transition(free.state, free.pending, rest[0]) != plain
    # at the bound, the next new transition empties the memo: the same path is
    # then made again (equal states, new objects)
    monkeypatch.setattr(cache_module, "_TRANSITIONS", cache._transitions_kept)
    refused = next(t for t, b in enumerate(vocab.token_bytes) if b == b"x")
    assert not Matcher(vocab, grammar, cache=cache).accept(refused)  # (a refusal is kept too)
    assert cache._transitions_kept == 1
    third = Matcher(vocab, grammar, cache=cache)
    for t, before in zip(ids, states, strict=True):
        assert third.accept(t)
        assert third.state.key() == before.key()
    assert third.state is not states[-1]


def test_pending_blocks_eos(vocab: Vocabulary) -> None:
    data = "中".encode()
    lone = [t for t, b in enumerate(vocab.token_bytes) if b and data.startswith(b) and b != data]
    if not lone:
        pytest.skip("no token holds part of 中 alone")
    matcher = Matcher(vocab, FreeText())
    assert matcher.accept(lone[0])
    assert matcher.pending and not matcher.can_end()
    assert not any(matcher.is_allowed(e) for e in vocab.eos_ids)
    assert matcher.forced() == ""


@pytest.mark.parametrize("grammar", [0, 1, 5, 12], ids=[GRAMMAR_IDS[i] for i in (0, 1, 5, 12)])
def test_mask_formats_agree(tokenizer_name: str, vocab: Vocabulary, grammar: int) -> None:
    _, make, _ = TOKEN_GRAMMARS[grammar]
    matcher = Matcher(vocab, make())
    ids = encode_mid(tokenizer_name, "Hello 世界 ```json\n")
    words = bitmask_words(vocab.size)
    for t in [None, *ids[:3]]:
        if t is not None and not matcher.accept(t):
            break
        mask = matcher.mask()
        assert mask.dtype == bool and mask.shape == (vocab.size,)
        assert torch.equal(matcher.mask(as_tensor=True), torch.from_numpy(mask))
        wide = matcher.mask(vocab.size + 70)
        assert wide.shape == (vocab.size + 70,) and not wide[vocab.size :].any()
        assert (wide[: vocab.size] == mask).all()
        allowed = set(matcher.allowed_token_ids())
        assert allowed == set(mask.nonzero()[0].tolist())
        arrays = [
            __import__("numpy").full(words, -1, dtype="int32"),
            __import__("numpy").full((3, words + 2), -1, dtype="int32"),
            torch.full((words,), -1, dtype=torch.int32),
            torch.full((3, words + 2), -1, dtype=torch.int32),
        ]
        for bitmask in arrays:
            matcher.fill_bitmask(bitmask, index=1)
            row = bitmask if bitmask.ndim == 1 else bitmask[1]
            flat = [int(x) for x in row.tolist()]
            assert all(x == 0 for x in flat[words:])  # padded words are cleared
            decoded = {j for j in range(vocab.size) if (flat[j >> 5] >> (j & 31)) & 1}
            assert decoded == allowed
            if bitmask.ndim == 2:  # other rows untouched
                assert all(int(x) == -1 for x in bitmask[0].tolist())


def test_eos_special_and_finished(vocab: Vocabulary) -> None:
    matcher = Matcher(vocab, Literal("ok"))
    eos = min(vocab.eos_ids)
    assert not matcher.can_end() and not matcher.is_allowed(eos) and not matcher.accept(eos)
    assert not any(matcher.is_allowed(s) for s in vocab.special_ids)
    assert matcher.accept_text("ok")
    assert matcher.can_end() and matcher.is_allowed(eos)
    assert not any(matcher.is_allowed(s) for s in vocab.special_ids - vocab.eos_ids)
    assert all(not matcher.accept(s) for s in vocab.special_ids - vocab.eos_ids)
    assert matcher.accept(eos) and matcher.is_finished()
    assert matcher.allowed_token_ids() == sorted(vocab.eos_ids)
    # a finished row keeps allowing (and accepting) EOS, so padded batch rows stay valid
    assert matcher.accept(eos) and matcher.is_finished()
    text_token = encode_mid_any(vocab)
    assert not matcher.accept(text_token)
    matcher.rollback(2)
    assert not matcher.is_finished() and matcher.can_end()


def test_rollback_through_pending_bytes(vocab: Vocabulary) -> None:
    # a character split over byte tokens: each step back restores the bytes that
    # were pending there, and the masks with them
    data = "中".encode()
    byte_tokens = {b: t for t, b in enumerate(vocab.token_bytes) if len(b) == 1}
    pieces = [byte_tokens.get(data[i : i + 1]) for i in range(3)]
    if None in pieces:
        pytest.skip("no byte tokens for 中")
    matcher = Matcher(vocab, FreeText())
    masks, pendings = [matcher.bitmask().copy()], [b""]
    for t in pieces:
        assert matcher.accept(t)  # type: ignore[arg-type]
        masks.append(matcher.bitmask().copy())
        pendings.append(matcher.pending)
    assert pendings == [b"", data[:1], data[:2], b""]
    for back in (1, 1, 1):
        matcher.rollback(back)
        k = matcher.num_accepted
        assert matcher.pending == pendings[k] and (matcher.bitmask() == masks[k]).all()
        assert matcher.can_end() == (not pendings[k])
    assert matcher.num_accepted == 0 and matcher.state is matcher.fork().state


def encode_mid_any(vocab: Vocabulary) -> int:
    return next(t for t, b in enumerate(vocab.token_bytes) if b == b"a")


def test_unknown_ids_raise(vocab: Vocabulary) -> None:
    matcher = Matcher(vocab, FreeText())
    for bad in (vocab.size, -1, 2**40, 1.5, "3"):
        with pytest.raises(TokenError) as info:
            matcher.accept(bad)  # type: ignore[arg-type]
        assert str(vocab.size) in str(info.value)
        with pytest.raises(TokenError):
            matcher.is_allowed(bad)  # type: ignore[arg-type]
    assert matcher.num_accepted == 0
    with pytest.raises(GrammarError):
        Matcher(vocab, "not a parser")  # type: ignore[arg-type]
    with pytest.raises(GrammarError):
        matcher.rollback(1)


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_rollback_restores_masks(vocab: Vocabulary, data: st.DataObject) -> None:
    parser = TOKEN_GRAMMARS[-1][1]()
    walk = data.draw(token_walks(vocab, parser, max_tokens=10))
    matcher = Matcher(vocab, parser)
    masks = [matcher.bitmask().copy()]
    states = [(matcher.state.key(), matcher.pending)]
    for t in walk.ids:
        assert matcher.accept(t)
        masks.append(matcher.bitmask().copy())
        states.append((matcher.state.key(), matcher.pending))
    k = len(walk.ids)
    j = data.draw(st.integers(0, k))
    fork = matcher.fork()
    matcher.rollback(j)
    assert matcher.num_accepted == k - j
    assert (matcher.state.key(), matcher.pending) == states[k - j]
    assert (matcher.bitmask() == masks[k - j]).all()
    # the fork did not move, and moves on its own
    assert fork.num_accepted == k and (fork.bitmask() == masks[k]).all()
    if j:
        assert matcher.accept(walk.ids[k - j])
        assert (matcher.bitmask() == masks[k - j + 1]).all()
        assert fork.num_accepted == k
    matcher.reset()
    assert matcher.num_accepted == 0 and (matcher.bitmask() == masks[0]).all()


def test_fork_independence(vocab: Vocabulary) -> None:
    matcher = Matcher(vocab, Literal("abc") if True else None)
    a = encode_mid_any(vocab)
    fork = matcher.fork()
    assert matcher.accept(a)
    assert fork.num_accepted == 0 and fork.is_allowed(a)
    assert fork.accept(a) and fork.state.key() == matcher.state.key()
    fork.rollback(1)
    assert matcher.num_accepted == 1


def test_cache_of_another_vocabulary_is_refused() -> None:
    from lmparsec import MaskCache

    a, b = load_vocabulary("mistral-7b"), load_vocabulary("llama-3")
    with pytest.raises(GrammarError, match="different vocabulary"):
        Matcher(a, FreeText(), cache=MaskCache(b))

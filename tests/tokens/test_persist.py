"""The on-disk TokenIndex cache: a reloaded index must answer exactly like a built one."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from lmparsec.combinators import FreeText, Literal, Regex, Sequence
from lmparsec.errors import VocabularyError
from lmparsec.tokens import MaskCache, Vocabulary
from lmparsec.tokens.index import TokenIndex
from lmparsec.tokens.persist import (
    default_cache_dir,
    index_path,
    load_index,
    load_or_build_index,
    save_index,
)


def _small_vocab() -> Vocabulary:
    pieces = [b"", b"a", b"ab", b"abc", b"{", b'{"', b'"', b"1", b"12", b" ", b"\xc3", b"\xa9"]
    pieces += ["é".encode(), b"}"]
    return Vocabulary(pieces, eos_ids=[0])


def _formats() -> list[object]:
    return [
        Regex(r'\{"[a-z]+": [0-9]+\}'),
        Regex(r"(ab|é)*c?"),
        Sequence(Literal('{"'), Regex(r"[a-zé ]{0,5}"), Literal('"}')),
        FreeText(),
    ]


def _masks(cache: MaskCache, texts: list[str]) -> list[np.ndarray]:
    """Masks of each format after each prefix of each text that it admits."""
    out: list[np.ndarray] = []
    for parser in _formats():
        for text in texts:
            state = parser
            out.append(cache.bitmask(state).copy())
            for char in text:
                state = state.advance(char)
                if state is None:
                    break
                out.append(cache.bitmask(state).copy())
    return out


def _with_index(vocab: Vocabulary, index: TokenIndex) -> MaskCache:
    cache = MaskCache(vocab)
    cache.index = index
    return cache


def test_round_trip_gives_identical_masks(tmp_path: Path) -> None:
    vocab = _small_vocab()
    built = load_or_build_index(vocab, tmp_path)
    assert index_path(vocab, tmp_path).is_file()
    reloaded = load_index(vocab, tmp_path)
    assert reloaded is not None
    assert set(vars(reloaded)) == set(vars(built)), "persist.py must store every TokenIndex attribute"
    assert reloaded.trie.keys == built.trie.keys and reloaded.trie.ids == built.trie.ids
    texts = ['{"ab": 12}', "abé", '{"é a"}', "anything é goes"]
    fresh = _masks(MaskCache(vocab), texts)
    again = _masks(_with_index(vocab, reloaded), texts)
    assert len(fresh) == len(again)
    for a, b in zip(fresh, again, strict=True):
        assert np.array_equal(a, b)


def test_common_loop_tables_come_with_the_index_built_or_reloaded(tmp_path: Path) -> None:
    """The loop tables of the classes strings most often loop on are made with the
    index (a first mask inside such a string does not pay for one), also when the
    index is reloaded, and are the tables a first use would build."""
    from lmparsec.tokens.index import COMMON_LOOPS, LoopTable

    vocab = _small_vocab()
    built = load_or_build_index(vocab, tmp_path)
    reloaded = load_index(vocab, tmp_path)
    assert reloaded is not None
    for ix in (built, reloaded):
        for chars in COMMON_LOOPS:
            table = ix._loops.get(chars)
            assert table is not None and table._first_out is not None, chars
            fresh = LoopTable(ix, chars)
            assert np.array_equal(table.first_out, fresh.first_out)
            assert np.array_equal(table.inside, fresh.inside)
            assert table.groups == fresh.groups and table.units == fresh.units
        # (the string class's tokens by length too, which every counted string reads)
        strings = ix._loops[COMMON_LOOPS[0]]
        assert strings._by_length is not None
        made = LoopTable(ix, COMMON_LOOPS[0]).by_length()
        assert all(np.array_equal(a, b) for a, b in zip(strings._by_length, made, strict=True))


def _facts(view: object) -> tuple[object, ...]:
    names = ("closed_strings", "opened_strings", "indent_reach", "closers", "closers_after_value",
             "last_texts", "closing_texts", "colon_rests", "quoted_strings")
    return tuple(getattr(view, name)() for name in names)


def test_reloaded_index_has_the_built_ones_facts_and_units(tmp_path: Path, tokenizer_name: str,
                                                           vocab: Vocabulary) -> None:
    """What the index makes before a first mask and stores with its arrays (the JSON
    string facts of the tokens, also after a comma and a brace, and the units by
    code point) comes back equal, with a process's own serial and lock."""
    built = load_or_build_index(vocab, tmp_path)
    reloaded = load_index(vocab, tmp_path)
    assert reloaded is not None
    for one, two in ((built._facts, reloaded._facts), (built.after_comma(), reloaded.after_comma()),
                     (built.after_brace(), reloaded.after_brace())):
        assert _facts(one) == _facts(two)
        assert one.serial != two.serial
        assert one.opened_prefixes("name") == two.opened_prefixes("name")
    for a, b in zip(built._unit_kinds(), reloaded._unit_kinds(), strict=True):
        assert np.array_equal(a, b)
    assert np.array_equal(built._unit_code, reloaded._unit_code)


def test_missing_file_is_none_and_build_stores_it(tmp_path: Path) -> None:
    vocab = _small_vocab()
    assert load_index(vocab, tmp_path) is None
    load_or_build_index(vocab, tmp_path)
    assert load_index(vocab, tmp_path) is not None


def test_saving_removes_older_formats_of_the_same_vocabulary(tmp_path: Path) -> None:
    vocab = _small_vocab()
    stale = tmp_path / f"{vocab.fingerprint}.v1.pkl"
    other = tmp_path / "another-vocabulary.v1.pkl"
    stale.write_bytes(b"old")
    other.write_bytes(b"old")
    path = save_index(TokenIndex(vocab), tmp_path)
    assert path.exists() and not stale.exists() and other.exists()


def test_default_dir_follows_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / "lmparsec" / "index"
    vocab = _small_vocab()
    load_or_build_index(vocab)
    stored = index_path(vocab)
    assert stored.parent == tmp_path / "lmparsec" / "index"
    assert stored.name.startswith(vocab.fingerprint) and stored.is_file()


def test_other_vocabulary_file_is_refused(tmp_path: Path) -> None:
    vocab = _small_vocab()
    other = Vocabulary([b"", b"x", b"y"], eos_ids=[0])
    save_index(TokenIndex(other), tmp_path)
    index_path(other, tmp_path).rename(index_path(vocab, tmp_path))
    with pytest.raises(VocabularyError, match="another vocabulary"):
        load_index(vocab, tmp_path)


@pytest.mark.parametrize("content", [b"not a pickle", pickle.dumps({"format": "something else"})])
def test_broken_file_is_an_error_naming_it(tmp_path: Path, content: bytes) -> None:
    vocab = _small_vocab()
    path = index_path(vocab, tmp_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    with pytest.raises(VocabularyError, match=vocab.fingerprint):
        load_index(vocab, tmp_path)


def test_unwritable_cache_still_returns_the_index(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where a folder should be")
    vocab = _small_vocab()
    index = load_or_build_index(vocab, blocker / "sub")
    assert isinstance(index, TokenIndex) and len(index.trie) == len(TokenIndex(vocab).trie)


def test_real_tokenizer_round_trip(tmp_path: Path, tokenizer_name: str, vocab: Vocabulary) -> None:
    built = load_or_build_index(vocab, tmp_path)
    reloaded = load_index(vocab, tmp_path)
    assert reloaded is not None
    assert set(vars(reloaded)) == set(vars(built))
    for name, value in vars(built).items():
        if isinstance(value, np.ndarray):
            again = getattr(reloaded, name)
            if again is None and name == "_left_at_once":
                # (made on first use: building the common loop tables used it, reloading them does not)
                again = reloaded.left_at_once()
            assert np.array_equal(value, again), name
    texts = ['{"name": "Zoë", "age": 31}', "plain words, é and 日本"]
    fresh = _masks(MaskCache(vocab), texts)
    again = _masks(_with_index(vocab, reloaded), texts)
    for a, b in zip(fresh, again, strict=True):
        assert np.array_equal(a, b)

"""Text to tokens for the generation loop: the tokenizer's own split of forced
text, and the fewest tokens that can spell a text (for token budgets)."""

from __future__ import annotations

import threading
import weakref
from typing import Any

from ..combinators.base import Parser
from ..memo import remember
from ..tokens.matcher import Matcher
from ..tokens.utf8 import partial_range, sequence_length
from ..tokens.vocabulary import Vocabulary

__all__ = ["TextTokenizer", "vocabulary_for"]

_VOCABS: weakref.WeakKeyDictionary[Any, Vocabulary] = weakref.WeakKeyDictionary()
_VOCABS_LOCK = threading.Lock()


def vocabulary_for(tokenizer: Any) -> Vocabulary:
    """The :class:`Vocabulary` of a Hugging Face tokenizer, built once per tokenizer object."""
    if isinstance(tokenizer, Vocabulary):
        return tokenizer
    try:
        vocab = _VOCABS.get(tokenizer)
    except TypeError:  # not weak-referenceable
        return Vocabulary.from_hf(tokenizer)
    if vocab is None:
        vocab = Vocabulary.from_hf(tokenizer)
        with _VOCABS_LOCK:
            _VOCABS[tokenizer] = vocab
    return vocab


_MEMO_SIZE = 4096


class _Spelling:
    """All token byte strings of a vocabulary, for minimum-token spelling."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.token_bytes = vocab.token_bytes
        self.by_bytes: dict[bytes, int] = {}
        for tid, data in enumerate(vocab.token_bytes):
            if data and tid not in vocab.special_ids:
                self.by_bytes.setdefault(data, tid)
        self.max_len = max((len(b) for b in self.by_bytes), default=1)
        self._memo: dict[bytes, list[int] | None] = {}

    def fewest(self, data: bytes) -> list[int] | None:
        """A shortest token sequence spelling ``data`` exactly (dynamic programming).

        Memoized: the budget check asks for the same shortest completion at
        nearly every step (inside a string it stays ``"}`` and the like). On the
        mistral-7b vocabulary (``max_len`` 48) one car-schema completion costs
        ~6 ms, and the memo took ``generate`` from ~68 to ~25 ms per token on a
        tiny model (2-core CPU).
        """
        memo = self._memo
        found = memo.get(data, memo)
        if found is not memo:
            return None if found is None else list(found)  # type: ignore[arg-type]
        spelled = remember(memo, data, self._fewest(data), _MEMO_SIZE)
        return None if spelled is None else list(spelled)

    def _fewest(self, data: bytes) -> list[int] | None:
        n = len(data)
        best: list[int | None] = [None] * (n + 1)
        step: list[int] = [0] * (n + 1)
        best[n] = 0
        for i in range(n - 1, -1, -1):
            top = min(n, i + self.max_len)
            for j in range(i + 1, top + 1):
                rest = best[j]
                if rest is None:
                    continue
                tid = self.by_bytes.get(data[i:j])
                if tid is not None and (best[i] is None or rest + 1 < best[i]):  # type: ignore[operator]
                    best[i] = rest + 1
                    step[i] = tid
        if best[0] is None:
            return None
        out = []
        i = 0
        while i < n:
            tid = step[i]
            out.append(tid)
            i += len(self.token_bytes[tid])
        return out


_SPELLINGS: dict[str, _Spelling] = {}


class TextTokenizer:
    """Tokenizes text as it appears mid-generation and counts budget costs."""

    def __init__(self, tokenizer: Any, vocab: Vocabulary) -> None:
        self.tokenizer = tokenizer
        self.vocab = vocab
        spelling = _SPELLINGS.get(vocab.fingerprint)
        if spelling is None:
            spelling = _Spelling(vocab)
            _SPELLINGS[vocab.fingerprint] = spelling
        self.spelling = spelling

    def encode(self, text: str) -> list[int] | None:
        """The tokenizer's ids for ``text`` in the middle of a generation, or ``None``
        when they cannot be recovered exactly (then nothing is fast-forwarded).

        SentencePiece "legacy" tokenizers prepend a space to every encode; the
        text is then encoded after a newline and the newline's tokens dropped.
        """
        data = text.encode("utf-8")
        encode = getattr(self.tokenizer, "encode", None)
        if encode is None:
            return None
        ids = [int(i) for i in encode(text, add_special_tokens=False)]
        if self.vocab.decode(ids) == data:
            return ids
        ids = [int(i) for i in encode("\n" + text, add_special_tokens=False)]
        for k in range(1, min(4, len(ids)) + 1):
            if self.vocab.decode(ids[:k]).endswith(b"\n") and self.vocab.decode(ids[k:]) == data:
                return ids[k:]
        return None

    def min_tokens(self, text: str | None, *, pending: bytes = b"",
                   state: Parser | None = None) -> int | None:
        """Fewest tokens that spell a completion: ``text`` after finishing the
        unfinished character in ``pending`` (the smallest allowed one)."""
        if pending:
            if state is None:
                return None
            completion = _finish_char(state, pending)
            if completion is None:
                return None
            rest_bytes, after = completion
            tail = after.shortest()
            if tail is None:
                return None
            data = rest_bytes + tail.encode("utf-8")
        else:
            if text is None:
                return None
            data = text.encode("utf-8")
        if not data:
            return 0
        spelled = self.spelling.fewest(data)
        return None if spelled is None else len(spelled)

    def first_token_of_shortest(self, matcher: Matcher) -> int | None:
        """The first token of a fewest-token spelling of a shortest completion."""
        if matcher.can_end():
            return min(matcher.vocabulary.eos_ids)
        if matcher.pending:
            completion = _finish_char(matcher.state, matcher.pending)
            if completion is None:
                return None
            rest_bytes, after = completion
            tail = after.shortest()
            data = None if tail is None else rest_bytes + tail.encode("utf-8")
        else:
            tail = matcher.state.shortest()
            data = None if tail is None else tail.encode("utf-8")
        if not data:
            return None
        spelled = self.spelling.fewest(data)
        return spelled[0] if spelled else None


def _finish_char(state: Parser, pending: bytes) -> tuple[bytes, Parser] | None:
    """The missing bytes of the smallest allowed character starting with
    ``pending``, and the state after it."""
    rng = partial_range(pending)
    if rng is None:
        return None
    lo, hi = rng
    for a, b in state.allowed().ranges:
        start, end = max(a, lo), min(b, hi)
        for cp in range(start, min(end, start + 64) + 1):
            char = chr(cp)
            nxt = state.advance(char)
            if nxt is not None:
                full = char.encode("utf-8")
                assert len(full) == sequence_length(full[0])
                return full[len(pending) :], nxt
    return None

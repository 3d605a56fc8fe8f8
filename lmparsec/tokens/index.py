"""Per-vocabulary precomputation: everything about the tokens that does not
depend on a parser state, built once and shared by every matcher.

Besides the trie, the index can answer, for any character set ``L``, which
tokens consist only of characters in ``L``. A parser state that loops on ``L``
(inside a JSON string, free text) admits all of those without a walk; only the
tokens that leave ``L`` are walked, starting at the first character outside it.
That turns a walk over the whole vocabulary into a walk over a few thousand
suffixes, and the per-``L`` tables are computed with numpy in milliseconds.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

import numpy as np

from ..combinators.charset import CharSet
from .trie import TokenTrie
from .utf8 import partial_range, sequence_length

if TYPE_CHECKING:
    from .vocabulary import Vocabulary

__all__ = ["TokenIndex", "LoopTable"]


class LoopTable:
    """For one character set: the tokens entirely inside it (with their length in
    characters), and, for every other valid token, the rest of it from its first
    character outside the set, in one trie per number of characters before it."""

    __slots__ = ("escapes", "inside", "lengths")

    def __init__(self, inside: np.ndarray, lengths: np.ndarray, escapes: dict[int, TokenTrie]) -> None:
        self.inside = inside
        self.lengths = lengths
        self.escapes = escapes


class TokenIndex:
    """The trie and character tables of one vocabulary."""

    def __init__(self, vocabulary: Vocabulary, *, max_loop_tables: int = 64) -> None:
        self.vocabulary = vocabulary
        self.size = vocabulary.size
        token_bytes = vocabulary.token_bytes
        special = vocabulary.special_ids
        text_ids = [i for i in range(len(token_bytes)) if i not in special and token_bytes[i]]
        self.trie = TokenTrie((token_bytes[i], i) for i in text_ids)
        self._build_units(token_bytes, text_ids)
        self._loops: OrderedDict[CharSet, LoopTable] = OrderedDict()
        self._max_loops = max_loop_tables
        self._lock = threading.Lock()

    def _build_units(self, token_bytes: tuple[bytes, ...], text_ids: list[int]) -> None:
        """Decode every token into units: complete characters ``(cp, cp)`` and, at
        the end, an unfinished character as its code-point range."""
        lo: list[int] = []
        hi: list[int] = []
        tok: list[int] = []
        off: list[int] = []
        starts_ok = np.zeros(self.size, dtype=bool)
        for t in text_ids:
            data = token_bytes[t]
            pos = 0
            n = len(data)
            ok = sequence_length(data[0]) > 0
            while pos < n and ok:
                need = sequence_length(data[pos])
                if need == 0:
                    ok = False
                    break
                if pos + need <= n:
                    try:
                        cp = ord(data[pos : pos + need].decode("utf-8"))
                    except UnicodeDecodeError:
                        ok = False
                        break
                    lo.append(cp)
                    hi.append(cp)
                else:
                    rng = partial_range(data[pos:])
                    if rng is None:
                        ok = False
                        break
                    lo.append(rng[0])
                    hi.append(rng[1])
                tok.append(t)
                off.append(pos)
                pos += need
            if ok:
                starts_ok[t] = True
            else:
                # drop the units of a token that can never start a character
                while tok and tok[-1] == t:
                    tok.pop()
                    lo.pop()
                    hi.pop()
                    off.pop()
        self._unit_lo = np.asarray(lo, dtype=np.int64)
        self._unit_hi = np.asarray(hi, dtype=np.int64)
        self._unit_tok = np.asarray(tok, dtype=np.int64)
        self._unit_off = np.asarray(off, dtype=np.int64)
        self._starts_ok = starts_ok
        # first character of each token (-1 when it has none or starts mid-character)
        self.first_cp = np.full(self.size, -1, dtype=np.int64)
        if len(tok):
            starts_at = np.concatenate(([0], np.nonzero(np.diff(self._unit_tok))[0] + 1))
            whole = self._unit_lo[starts_at] == self._unit_hi[starts_at]
            self.first_cp[self._unit_tok[starts_at][whole]] = self._unit_lo[starts_at][whole]
        self._lengths = np.bincount(self._unit_tok, minlength=self.size).astype(np.int64)
        # the code points an unfinished last character can become (-1 when the
        # token ends on a character boundary or is never valid)
        self.tail_lo = np.full(self.size, -1, dtype=np.int64)
        self.tail_hi = np.full(self.size, -1, dtype=np.int64)
        if len(tok):
            ends_at = np.concatenate((np.nonzero(np.diff(self._unit_tok))[0], [len(tok) - 1]))
            partial = self._unit_lo[ends_at] != self._unit_hi[ends_at]
            self.tail_lo[self._unit_tok[ends_at][partial]] = self._unit_lo[ends_at][partial]
            self.tail_hi[self._unit_tok[ends_at][partial]] = self._unit_hi[ends_at][partial]
        # index of each unit within its token
        first_unit = np.zeros(self.size, dtype=np.int64)
        if len(tok):
            change = np.concatenate(([0], np.nonzero(np.diff(self._unit_tok))[0] + 1))
            first_unit[self._unit_tok[change]] = change
        self._unit_pos = np.arange(len(tok), dtype=np.int64) - first_unit[self._unit_tok]

    @property
    def lengths(self) -> np.ndarray:
        """Characters in each token, an unfinished last one included."""
        return self._lengths

    @property
    def max_units(self) -> int:
        """Characters in the longest token (an unfinished last one included)."""
        return int(self._lengths.max()) if len(self._lengths) else 0

    def tails_allowed(self, candidates: np.ndarray, chars: CharSet) -> np.ndarray:
        """Which of ``candidates`` (token ids ending in an unfinished character)
        end in a character that can still become one of ``chars``."""
        if not chars or not len(candidates):
            return candidates[:0]
        starts = np.asarray([a for a, _ in chars.ranges], dtype=np.int64)
        ends = np.asarray([b for _, b in chars.ranges], dtype=np.int64)
        lo, hi = self.tail_lo[candidates], self.tail_hi[candidates]
        idx = np.searchsorted(starts, hi, side="right") - 1
        ok = (idx >= 0) & (ends[np.maximum(idx, 0)] >= lo) & (lo >= 0)
        chosen: np.ndarray = candidates[ok]
        return chosen

    def loop_table(self, chars: CharSet) -> LoopTable:
        """The (cached) loop table of ``chars``."""
        table = self._loops.get(chars)
        if table is not None:
            return table
        table = self._build_loop(chars)
        with self._lock:
            self._loops[chars] = table
            while len(self._loops) > self._max_loops:
                self._loops.popitem(last=False)
        return table

    def _build_loop(self, chars: CharSet) -> LoopTable:
        starts = np.asarray([a for a, _ in chars.ranges], dtype=np.int64)
        ends = np.asarray([b for _, b in chars.ranges], dtype=np.int64)
        idx = np.searchsorted(starts, self._unit_hi, side="right") - 1
        good = (idx >= 0) & (ends[np.maximum(idx, 0)] >= self._unit_lo)
        bad_units = np.nonzero(~good)[0]
        bad_tokens, first = np.unique(self._unit_tok[bad_units], return_index=True)
        inside = self._starts_ok.copy()
        inside[bad_tokens] = False
        token_bytes = self.vocabulary.token_bytes
        offsets = self._unit_off[bad_units[first]]
        before = self._unit_pos[bad_units[first]]
        groups: dict[int, list[tuple[bytes, int]]] = {}
        for t, o, j in zip(bad_tokens.tolist(), offsets.tolist(), before.tolist(), strict=True):
            groups.setdefault(j, []).append((token_bytes[t][o:], t))
        escapes = {j: TokenTrie(items) for j, items in sorted(groups.items())}
        return LoopTable(inside, self._lengths, escapes)

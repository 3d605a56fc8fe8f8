"""Per-vocabulary precomputation: everything about the tokens that does not
depend on a parser state, built once and shared by every matcher.

Besides the trie, the index can answer, for any character set ``L``, which
tokens consist only of characters in ``L``. A parser state that loops on ``L``
(inside a JSON string, free text) admits all of those without a walk; only the
tokens that leave ``L`` are walked, starting at the first character outside it.
That turns a walk over the whole vocabulary into a walk over a few thousand
suffixes, and the per-``L`` tables are computed with numpy in milliseconds.

The same tables work from any position inside a token (each unit knows how
many characters from it on stay in ``L``), so a state met deep in a walk --
a JSON key after ``"n``, a hostname label after ``.`` -- has its whole
subtree answered at once (:meth:`TokenIndex.subtree_shortcut`).
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from ..combinators.base import Parser
from ..combinators.charset import CharSet
from ..memo import remember
from .trie import Shortcut, Spans, SplitTrie, TokenTrie, widest_sample
from .utf8 import partial_range, sequence_length

if TYPE_CHECKING:
    from .vocabulary import Vocabulary

__all__ = ["TokenIndex", "LoopTable"]


class LoopTable:
    """For one character set: which tokens lie entirely inside it (with their
    length in characters), where each token first leaves it (``first_out``),
    and -- for a state met inside a token -- how many characters from any
    position on stay inside it (:meth:`run_at`), which is all a state looping
    on the set needs to answer a token from any position.

    ``escape(j)`` holds the tokens whose first character outside the set is
    their ``j``-th, each from that character on (a trie per such character,
    see :class:`~lmparsec.tokens.trie.SplitTrie`); ``escape_from(j)`` merges
    those of ``j`` and every later position, for a state that loops exactly
    (it meets every escape in the same state, so one walk serves them all and
    shared suffixes such as ``":`` are visited once, not once per position).
    Both are built on first use (most walks need only a few of them) and kept.

    The per-token columns (``first_out``, ``inside``, ``groups``) are built on
    first use: a state met inside the trie -- a pattern string after ``"id":`` --
    asks only :meth:`run_at` of a subtree's units, which membership by code
    point answers for those units alone, while the columns take one pass over
    every unit of the vocabulary (~740k for 128k tokens, ~4 ms for a set of
    letters). Units sorted by code point (:meth:`TokenIndex.units_by_code`)
    make that pass a few slices for a small set or one with a small complement,
    and a set a few characters away from one whose table exists (a pattern's
    ``[0-9a-z:]``) has its columns patched from that table's.
    """

    __slots__ = ("_by_length", "_chars", "_escapes", "_first_out", "_groups", "_index", "_inside", "_merged",
                 "_table", "lengths", "units")

    def __init__(self, index: TokenIndex, chars: CharSet) -> None:
        self._index = index
        self._chars = chars
        #: units that are one BMP character of the set (how near two sets are; set
        #: with the columns, the only tables :meth:`TokenIndex.nearest_loop` compares)
        self.units = 0
        self._table = _code_table(chars)
        self.lengths = index.lengths
        self._first_out: np.ndarray | None = None
        self._inside: np.ndarray | None = None
        self._groups: tuple[int, ...] = ()
        self._escapes: dict[int, SplitTrie] = {}
        self._merged: dict[int, SplitTrie] = {}
        self._by_length: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None

    @property
    def first_out(self) -> np.ndarray:
        """Per token: characters before its first one outside the set, or -1 when
        it has none (or is not text starting on a character boundary)."""
        got = self._first_out
        if got is None:
            got = self._columns()
        return got

    @property
    def inside(self) -> np.ndarray:
        """Per token: text made only of characters in the set."""
        got = self._inside
        if got is None:
            self._columns()
            got = self._inside
            assert got is not None
        return got

    def inside_upto(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """For a loop counted to ``n`` more characters: which tokens lie inside the
        set and are at most ``n`` long, and the tokens ``n + 1`` long that end in
        an unfinished character (which may become one the state after the count
        allows). Long tokens are few: the inside column loses only those, picked
        from the tokens sorted by length, not a comparison over every token."""
        toks, lens, tails, tail_lens = self.by_length()
        cut = int(np.searchsorted(lens, n, side="right"))
        if cut * 2 >= len(lens):
            inside = self.inside.copy()
            inside[toks[cut:]] = False
        else:
            inside = self.inside & (self.lengths <= n)
        return inside, tails[tail_lens == n + 1]

    def by_length(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The tokens inside the set sorted by length, with their lengths, and those
        of them that end in an unfinished character, with theirs (made once)."""
        got = self._by_length
        if got is None:
            toks = np.flatnonzero(self.inside)
            lens = self.lengths[toks]
            # (16-bit keys sort by radix: a fifth of the time of 64-bit ones)
            short = self._index.max_units < 0x7FFF
            order = np.argsort(lens.astype(np.int16) if short else lens, kind="stable")
            tails = toks[self._index.tail_lo[toks] >= 0]
            got = self._by_length = (toks[order], lens[order], tails, self.lengths[tails])
        return got

    def stored(self) -> tuple[Any, ...]:
        """The table's columns, made now if not yet, and its tokens by length if
        made (what a persisted index keeps of the tables made with it)."""
        return self.first_out, self.inside, self.groups, self.units, self._by_length

    def restore(self, stored: tuple[Any, ...]) -> None:
        """Takes the columns :meth:`stored` gave (of this set, on this vocabulary)."""
        first_out, self._inside, self._groups, self.units, self._by_length = stored
        self._first_out = first_out  # (last: the other columns are set when it is)

    @property
    def groups(self) -> tuple[int, ...]:
        """The positions at which some token first leaves the set, ascending."""
        if self._first_out is None:
            self._columns()
        return self._groups

    def _columns(self) -> np.ndarray:
        index = self._index
        self.units = index.bmp_units(self._chars)
        near = index.nearest_loop(self._chars, self.units)
        columns = self._scratch() if near is None else self._read_off(self._patched(*near))
        first_out, self._inside, self._groups = columns
        self._first_out = first_out  # (last: the other columns are set when it is)
        return first_out

    def _scratch(self) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
        """``first_out``, ``inside`` and ``groups`` from the units inside the set or
        those outside it, whichever are fewer (no table made before)."""
        index = self._index
        inside, outside = index.units_by_code(self._chars)
        if outside is None:
            assert inside is not None
            return self._few(inside)
        return self._read_off(self._counted(outside))

    def _read_off(self, first_out: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
        """``first_out`` (tokens that are not text from a character boundary set to
        -1), and the ``inside`` and ``groups`` read from it."""
        ok = self._index._starts_ok
        first_out[~ok] = -1
        return first_out, ok & (first_out < 0), _values_present(first_out)

    def _few(self, units: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
        """The columns of a set with fewer ``units`` inside it than outside (digits,
        a number bound's ``[0-4]``): every token that does not start inside it
        leaves it at once, so only those that do are counted, and the columns
        are the vocabulary's "leaves at once" ones with those set -- no pass
        over every token (~1 ms on a 128k vocabulary amid a cold pass, for a set
        of a few hundred units)."""
        index = self._index
        ok = index._starts_ok
        starting = np.take(units, np.flatnonzero(np.take(index._unit_pos, units) == 0))
        toks = np.take(index._unit_tok, starting)
        keep = np.flatnonzero(np.take(ok, toks))
        toks, starting = np.take(toks, keep), np.take(starting, keep)
        lead = self._count(starting)
        whole = lead == np.take(index.lengths, toks)
        first_out = index.left_at_once()
        first_out[toks] = np.where(whole, -1, lead)
        inside = np.zeros(index.size, dtype=bool)
        inside[toks[whole]] = True
        left = set(lead[~whole].tolist())
        if len(toks) < index.text_tokens:
            left.add(0)  # (every other text token leaves the set at once)
        return first_out, inside, tuple(sorted(left))

    def _patched(self, base: LoopTable, gone: np.ndarray, new: np.ndarray) -> np.ndarray:
        """``first_out`` from a table whose set differs from this one in a few
        characters (a pattern's class is a common one with a ``:`` or a ``+``
        more): ``gone`` and ``new`` are the units (sorted) that were inside that
        set and are not in this one, and the other way round. A token leaves
        this set no later than at its first unit gone; a token whose first
        unit outside is now inside is counted on from there. A new table
        otherwise passes over every unit of the vocabulary (~740k for 128k
        tokens): 3 ms alone, 10-15 ms amid a cold pass."""
        index = self._index
        first_out = base.first_out.copy()
        if len(gone):
            toks, pos = index.first_of_each_token(gone)
            cur = first_out[toks].astype(np.int64)
            cur = np.where(cur < 0, np.take(self.lengths, toks), cur)
            first_out[toks] = np.minimum(cur, pos)
        if len(new):
            tok = np.take(index._unit_tok, new)
            pos = np.take(index._unit_pos, new)
            hit = np.flatnonzero(first_out[tok] == pos)
            if len(hit):
                units = np.take(new, hit)
                toks = np.take(tok, hit)
                end = np.take(pos, hit) + self._count(units)
                first_out[toks] = np.where(end >= np.take(self.lengths, toks), -1, end)
        return first_out

    def _counted(self, outside: np.ndarray) -> np.ndarray:
        """``first_out`` from the units ``outside`` the set (sorted; units are
        grouped by token, so a token's first such unit is the first of its token
        in that list)."""
        index = self._index
        first_out: np.ndarray = np.full(index.size, -1, dtype=index.position_dtype)
        if len(outside):
            toks, pos = index.first_of_each_token(outside)
            first_out[toks] = pos
        return first_out

    def _member(self, units: np.ndarray) -> np.ndarray:
        """Whether each of ``units`` lies in the set (an unfinished character: when
        some character it can become does)."""
        index = self._index
        codes = np.take(index._unit_code, units)
        out: np.ndarray = np.take(self._table, codes)
        odd = np.flatnonzero(codes == 0)
        if len(odd):
            picked = np.take(units, odd)
            lo, hi = np.take(index._unit_lo, picked), np.take(index._unit_hi, picked)
            out[odd] = _in_ranges(lo, hi, self._chars)
        return out

    def run_at(self, units: np.ndarray) -> np.ndarray:
        """For each unit index: how many characters from it on, up to its token's
        end, lie inside the set. Once the per-token columns exist, a unit up to
        its token's first one outside the set is answered from ``first_out`` and
        only units past it are counted; before, every unit is counted."""
        index = self._index
        if not index.unit_count:
            return np.zeros(len(units), dtype=np.int64)
        if self._first_out is None:
            return self._count(units)
        toks = np.take(index._unit_tok, units)
        off = units - np.take(index._first_unit, toks)
        stop = np.take(self.first_out, toks)
        stop = np.where(stop < 0, np.take(self.lengths, toks), stop)
        out: np.ndarray = stop - off
        later = np.flatnonzero(out < 0)  # past the first unit outside: count
        if len(later):
            out[later] = self._count(np.take(units, later))
        return out

    def _count(self, units: np.ndarray) -> np.ndarray:
        """:meth:`run_at` for any units: each unit's rest of its token is gathered
        into one flat array (a subtree's tokens are short), and the first unit
        outside the set in each rest is a segmented minimum."""
        end = np.take(self._index._unit_end, units)
        lens = end - units
        out = np.zeros(len(units), dtype=np.int64)
        some = np.flatnonzero(lens > 0)
        if not len(some):
            return out
        lens = np.take(lens, some)
        first = np.zeros(len(lens), dtype=np.int64)
        np.cumsum(lens[:-1], out=first[1:])
        # flat position -> its unit: the segment's start unit plus the offset in it
        local = np.arange(int(first[-1] + lens[-1]), dtype=np.int64) - np.repeat(first, lens)
        flat = np.repeat(np.take(units, some), lens) + local
        marker = np.where(self._member(flat), np.int64(1) << 40, local)
        out[some] = np.minimum(np.minimum.reduceat(marker, first), lens)
        return out

    def escape_from(self, before: int) -> SplitTrie:
        trie = self._merged.get(before)
        if trie is None:
            trie = self._merged[before] = self._suffixes(self.first_out >= before)
        return trie

    def escape(self, before: int) -> SplitTrie:
        trie = self._escapes.get(before)
        if trie is None:
            trie = self._escapes[before] = self._suffixes(self.first_out == before)
        return trie

    def _suffixes(self, chosen: np.ndarray) -> SplitTrie:
        """The ``chosen`` tokens, each from its first character outside the set,
        split by that character."""
        index = self._index
        toks = np.nonzero(chosen)[0]
        at = self.first_out[toks].astype(np.int64)
        units = index._first_unit[toks] + at
        offs = index._unit_off[units]
        codes = index.unit_codes(units)
        token_bytes = index.vocabulary.token_bytes

        def suffixes(rows: np.ndarray) -> Iterable[tuple[bytes, int, int]]:
            triples = zip(toks[rows].tolist(), offs[rows].tolist(), at[rows].tolist(), strict=True)
            return ((token_bytes[t][o:], t, a) for t, o, a in triples)

        return SplitTrie(suffixes, codes)


class TokenIndex:
    """The trie and character tables of one vocabulary."""

    def __init__(self, vocabulary: Vocabulary, *, max_loop_tables: int = 64) -> None:
        self.vocabulary = vocabulary
        self.size = vocabulary.size
        token_bytes = vocabulary.token_bytes
        special = vocabulary.special_ids
        text_ids = [i for i in range(len(token_bytes)) if i not in special and token_bytes[i]]
        self.trie = TokenTrie((token_bytes[i], i) for i in text_ids)
        self.trie.id_array  # noqa: B018 - made now (a pass over 128k ids), not by the first mask
        self._build_units(token_bytes, text_ids)
        self._string_units, self._string_closes = _string_reads(token_bytes, self._lengths)
        self._max_loops = max_loop_tables
        self._init_caches()

    def _init_caches(self, made: dict[str, Any] | None = None) -> None:
        """The per-process caches (also called when an index is loaded from disk):
        empty, but for what is made with the index -- the units by code point, the
        vocabulary's string facts, the common loop tables -- which a reloaded index
        takes from ``made`` (:meth:`made_with_index`, stored beside its arrays)."""
        self._loops: OrderedDict[CharSet, LoopTable] = OrderedDict()
        self._plans: OrderedDict[tuple[object, ...], _Plan] = OrderedDict()
        self._plan_entries = 0
        self._nodes: OrderedDict[tuple[int, Spans, int], _Node] = OrderedDict()
        self._node_entries = 0
        self._kinds: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._unit_code = np.zeros(0, dtype=np.uint16)
        if made is not None:
            self._kinds, self._unit_code = made["kinds"], made["unit_code"]
        self._unit_kinds()  # (every loop table needs it: made with the index, not at a first mask)
        #: :func:`follow_chain`'s steps (vocabulary-free, but kept with the other
        #: per-index caches so that a fresh cache starts without them)
        self.chain_steps: StepMemo = {}
        self._lone_memo: dict[CharSet, tuple[int, ...]] = {}
        self._left_at_once: np.ndarray | None = None
        self._text_tokens: int | None = None
        self._cont_quote: bool | None = None
        self._lock = threading.Lock()
        self._lone = np.nonzero((self._lengths == 1) & (self.tail_lo >= 0))[0]
        self._max_units = int(self._lengths.max()) if len(self._lengths) else 0
        if made is not None:
            self._facts: StringFacts = made["facts"]
        else:
            self._facts = StringFacts(self.vocabulary.token_bytes, self._spaces_after_newline(),
                                      self._most_closers(), self._closers_after_value())
            # (passes over the tokens holding a quote, ~1-3 ms each: not at a first mask)
            self._facts.quoted_strings()
            self._facts.after_comma()
            self._facts.after_brace()
        self.serial = next(_SERIALS)
        # the loop tables of the classes most strings loop on, made with the index
        # (a pass over every character of the vocabulary each, 1-4 ms, that the
        # first mask of such a string would pay)
        for k, chars in enumerate(COMMON_LOOPS):
            table = self.loop_table(chars)
            if made is not None:
                table.restore(made["loops"][k])
            else:
                table.groups  # noqa: B018 - builds the table's columns
        # ... and the string class's tokens by length, which every counted string
        # (maxLength) reads (a sort of every token, ~2 ms on a 128k vocabulary)
        self.loop_table(COMMON_LOOPS[0]).by_length()

    def made_with_index(self) -> dict[str, Any]:
        """What :meth:`_init_caches` makes for every vocabulary alike, to be stored
        with the index: made anew on reload it took ~60 ms of a 128k vocabulary's
        ~100 ms (the string facts ~20, the common loop tables ~25, the units by
        code point ~15)."""
        return {"kinds": self._unit_kinds(), "unit_code": self._unit_code, "facts": self._facts,
                "loops": [self.loop_table(chars).stored() for chars in COMMON_LOOPS]}

    # -- the TokenView facts (see lmparsec.combinators.base.TokenView) ---------
    def closed_strings(self) -> tuple[frozenset[str], frozenset[str]]:
        """JSON strings that a token opens and closes after whitespace."""
        return self._facts.closed_strings()

    def opened_strings(self) -> frozenset[bytes]:
        """Raw texts of JSON strings a token opens after whitespace and ends in."""
        return self._facts.opened_strings()

    def opened_prefixes(self, text: str) -> frozenset[bytes]:
        """The prefixes of ``text`` among :meth:`opened_strings`."""
        return self._facts.opened_prefixes(text)

    def after_comma(self) -> StringFacts:
        """The same facts about the texts that follow a comma inside a token."""
        return self._facts.after_comma()

    def after_brace(self) -> StringFacts:
        """The same facts about the texts that follow an opening brace inside a token."""
        return self._facts.after_brace()

    def quoted_strings(self) -> tuple[frozenset[str], frozenset[bytes]]:
        """JSON strings a token opens at any of its quotes: closed texts, opened raw texts."""
        return self._facts.quoted_strings()

    def closing_texts(self) -> frozenset[str]:
        """Decoded texts a token spells inside a string before the quote that closes it."""
        return self._facts.closing_texts()

    def indent_reach(self) -> int:
        """The most spaces a token holds after a newline where they may be one slot
        of JSON whitespace (see :class:`~lmparsec.combinators.base.TokenView`)."""
        return self._facts.indent_reach()

    def _spaces_after_newline(self) -> int:
        # (the tokens that hold a newline, found by their units: a few thousand at most;
        # those that start inside a character have no units: read whole)
        marked = ~self._starts_ok
        marked[self._unit_tok[self._unit_lo == 0x0A]] = True
        token_bytes = self.vocabulary.token_bytes
        return max((len(run) for t in np.flatnonzero(marked).tolist()
                    for run in _AFTER_NEWLINE.findall(token_bytes[t])), default=0)

    def closers(self) -> tuple[int, int]:
        """The most closing brackets a token holds, anywhere and after its first quote."""
        return self._facts.closers()

    def closers_after_value(self) -> tuple[int, int]:
        """The most containers a token closes after a whole JSON value it starts
        with, and after a colon and a whole value (see
        :meth:`~lmparsec.combinators.base.TokenView.closers_after_value`)."""
        return self._facts.closers_after_value()

    def _closers_after_value(self) -> tuple[int, int]:
        # (only the tokens holding a closing bracket can close one: found by their
        # units, a few thousand; those that start inside a character start no value)
        units = (self._unit_lo == 0x7D) | (self._unit_lo == 0x5D)
        token_bytes = self.vocabulary.token_bytes
        return closers_after_value(token_bytes[t] for t in np.unique(self._unit_tok[units]).tolist())

    def last_texts(self) -> tuple[str, ...] | None:
        """What the tokens holding the most closing brackets hold after the last one."""
        return self._facts.last_texts()

    def _most_closers(self) -> tuple[int, frozenset[bytes]]:
        # (by the units: one count over the vocabulary's characters, then the few
        # tokens with the most read whole; the tokens that start inside a
        # character have no units: read whole)
        units = (self._unit_lo == 0x7D) | (self._unit_lo == 0x5D)
        counts = np.bincount(self._unit_tok[units], minlength=self.size)
        top = int(counts.max()) if len(counts) else 0
        token_bytes = self.vocabulary.token_bytes
        picked = (counts == top) | ~self._starts_ok if top else ~self._starts_ok
        return most_closers(token_bytes[t] for t in np.flatnonzero(picked).tolist())

    def continuations_quote(self) -> bool:
        """Whether some token that starts inside a character (finishing one that
        pending bytes began) holds a quote."""
        got = self._cont_quote
        if got is None:
            token_bytes = self.vocabulary.token_bytes
            got = self._cont_quote = any(
                0x80 <= token_bytes[t][0] < 0xC0 and b'"' in token_bytes[t]
                for t in np.flatnonzero(~self._starts_ok).tolist() if token_bytes[t])
        return got

    def colon_rests(self) -> tuple[str, ...] | None:
        """What those tokens hold after the closing quote and a colon."""
        return self._facts.colon_rests()

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
        self._ok_ids = np.flatnonzero(starts_ok)
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
        self._first_unit = first_unit
        # one past the last unit of each unit's token
        self._unit_end = first_unit[self._unit_tok] + self._lengths[self._unit_tok]
        # (the per-unit columns, ~740k long on a 128k vocabulary, in 32 bits: half the
        # index's memory, its file 41 -> 24 MB and its reload ~15 % faster)
        for name in ("_unit_lo", "_unit_hi", "_unit_tok", "_unit_off", "_unit_pos", "_unit_end"):
            setattr(self, name, getattr(self, name).astype(np.int32))

    @property
    def lengths(self) -> np.ndarray:
        """Characters in each token, an unfinished last one included."""
        return self._lengths

    @property
    def starts_ok(self) -> np.ndarray:
        """Which tokens are text that starts on a character boundary."""
        return self._starts_ok

    @property
    def position_dtype(self) -> type[np.signedinteger[Any]]:
        """The type of a column of positions in tokens (``first_out``): 16 bits hold
        them, a quarter of the memory a 64-bit column takes -- and new memory costs
        page faults, ~1 ms a table."""
        return np.int16 if self.max_units < 0x7FFF else np.int64

    @property
    def text_tokens(self) -> int:
        """How many tokens are text starting on a character boundary."""
        got = self._text_tokens
        if got is None:
            got = self._text_tokens = int(np.count_nonzero(self._starts_ok))
        return got

    def left_at_once(self) -> np.ndarray:
        """A new ``first_out`` column of the empty set: 0 for every token that is
        text starting on a character boundary, -1 for the others (copied from one
        made once: a small set's table starts from it)."""
        got = self._left_at_once
        if got is None:
            got = self._left_at_once = np.where(self._starts_ok, 0, -1).astype(self.position_dtype)
        out: np.ndarray = got.copy()
        return out

    def unit_codes(self, units: np.ndarray) -> np.ndarray:
        """The code point of each of ``units``, or -1 where it is an unfinished
        character (a range of code points it may still become)."""
        lo = self._unit_lo[units]
        out: np.ndarray = np.where(lo == self._unit_hi[units], lo, -1)
        return out

    def unit_offsets(self, tokens: np.ndarray, chars: np.ndarray) -> np.ndarray:
        """The byte offset of character ``chars[i]`` of each of ``tokens``."""
        out: np.ndarray = self._unit_off[self._first_unit[tokens] + chars]
        return out

    def string_reads(self) -> tuple[np.ndarray, np.ndarray]:
        """Per token, read from inside a JSON string's text (not in an escape):
        how many of the string's characters it writes -- an escape is one, an
        unfinished character or escape at its end one more -- up to the quote
        that closes the string, and whether it holds that quote. Facts of each
        token alone, whatever the string may take: what tells a count's states
        apart (see :meth:`~lmparsec.combinators.base.Parser.counted`). Of a
        token no string reads (broken UTF-8, a raw control character, a bad
        escape) the numbers mean nothing."""
        return self._string_units, self._string_closes

    @property
    def max_units(self) -> int:
        """Characters in the longest token (an unfinished last one included)."""
        return self._max_units

    def tails_allowed(self, candidates: np.ndarray, chars: CharSet) -> np.ndarray:
        """Which of ``candidates`` (token ids ending in an unfinished character)
        end in a character that can still become one of ``chars``."""
        if not chars or not len(candidates):
            return candidates[:0]
        lo, hi = self.tail_lo[candidates], self.tail_hi[candidates]
        chosen: np.ndarray = candidates[_in_ranges(lo, hi, chars) & (lo >= 0)]
        return chosen

    def lone_tails(self, chars: CharSet) -> tuple[int, ...]:
        """Tokens that are one unfinished character which can still become one of
        ``chars``: they have no first character to sort by, so walks that enter
        the trie by first character hand them here (kept per set: the same few
        sets ask at every first visit of a string)."""
        got = self._lone_memo.get(chars)
        if got is None:
            got = tuple(self.tails_allowed(self._lone, chars).tolist())
            with self._lock:
                remember(self._lone_memo, chars, got, 256)
        return got

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
        return LoopTable(self, chars)

    @property
    def unit_count(self) -> int:
        """Units (characters) in all tokens together."""
        return len(self._unit_lo)

    def units_by_code(self, chars: CharSet) -> tuple[np.ndarray | None, np.ndarray | None]:
        """The units in ``chars`` or those outside it, whichever are fewer, as sorted
        unit indices: ``(inside, None)`` or ``(None, outside)``."""
        order, bounds, odd = self._unit_kinds()
        spans = _bmp_spans(chars)
        count = sum(bounds[b + 1] - bounds[a] for a, b in spans)
        total = len(order)
        want = count * 3 < total
        if min(count, total - count) * 8 > total:
            # neither side is small (letters): one look-up per unit beats sorting either
            good = np.take(_code_table(chars), self._unit_code)
            if len(odd):
                good[odd] = _in_ranges(self._unit_lo[odd], self._unit_hi[odd], chars)
            return (np.flatnonzero(good), None) if want else (None, np.flatnonzero(~good))
        if want:
            parts = [order[bounds[a] : bounds[b + 1]] for a, b in spans]
        else:
            gaps: list[tuple[int, int]] = []
            at = 1
            for a, b in spans:
                if a > at:
                    gaps.append((at, a - 1))
                at = b + 1
            if at <= 0xFFFF:
                gaps.append((at, 0xFFFF))
            parts = [order[bounds[a] : bounds[b + 1]] for a, b in gaps]
        if len(odd):
            hit = _in_ranges(self._unit_lo[odd], self._unit_hi[odd], chars)
            parts.append(odd[hit if want else ~hit])
        units = _sorted_units(parts)
        return (units, None) if want else (None, units)

    def first_of_each_token(self, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For sorted ``units``: each token they hold a unit of, and the position in
        that token of its first such unit (units are grouped by token, so it is
        the first of its token in the list)."""
        tok = np.take(self._unit_tok, units)
        lead = np.ones(len(units), dtype=bool)
        np.not_equal(tok[1:], tok[:-1], out=lead[1:])
        at = np.flatnonzero(lead)  # (then take: boolean indexing is ~5x slower here)
        toks = np.take(tok, at)
        return toks, np.take(units, at) - np.take(self._first_unit, toks)

    def nearest_loop(self, chars: CharSet, count: int | None = None
                     ) -> tuple[LoopTable, np.ndarray, np.ndarray] | None:
        """A loop table made before whose set differs from ``chars`` in few units,
        with the units (sorted) inside its set and not in ``chars`` and those in
        ``chars`` and not in its set (see :meth:`LoopTable._patched`); ``None``
        when every such table differs in more units than a table made from
        scratch passes over. ``count``: :meth:`bmp_units` of ``chars``, if known."""
        order, bounds, odd = self._unit_kinds()
        total = len(order)
        if count is None:
            count = self.bmp_units(chars)
        if min(count, total - count) * _NEAR_SHARE <= total:
            return None  # a few slices of the units by code: cheaper than any patch
        best: tuple[int, LoopTable, CharSet, CharSet] | None = None
        bound = total // _NEAR_SHARE
        for table in list(self._loops.values()):
            # (two sets differ in at least the difference of their counts)
            if table._first_out is None or abs(table.units - count) >= bound:
                continue
            other = table._chars
            gone, new = other - chars, chars - other
            units = self.bmp_units(gone) + self.bmp_units(new)
            if units < bound:
                best, bound = (units, table, gone, new), units
        if best is None:
            return None
        _, table, gone, new = best
        gone_units = [order[bounds[a] : bounds[b + 1]] for a, b in _bmp_spans(gone)]
        new_units = [order[bounds[a] : bounds[b + 1]] for a, b in _bmp_spans(new)]
        if len(odd):
            lo, hi = self._unit_lo[odd], self._unit_hi[odd]
            now, before = _in_ranges(lo, hi, chars), _in_ranges(lo, hi, table._chars)
            gone_units.append(odd[before & ~now])
            new_units.append(odd[now & ~before])
        return table, _sorted_units(gone_units), _sorted_units(new_units)

    def bmp_units(self, chars: CharSet) -> int:
        """How many units are one BMP character (other than NUL) of ``chars``."""
        bounds = self._unit_kinds()[1]
        return sum(int(bounds[b + 1] - bounds[a]) for a, b in _bmp_spans(chars))

    def _unit_kinds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The units sorted by code point (units that are not one BMP character, and
        NUL, count as code 0), where each code's run starts in that order, and the
        code-0 units -- built with the index (every loop table needs them)."""
        got = self._kinds
        if got is None:
            simple = (self._unit_lo == self._unit_hi) & (self._unit_hi < 0x10000)
            self._unit_code = np.where(simple, self._unit_lo, 0).astype(np.uint16)
            # (a stable sort keeps each code's units in unit order; 16-bit keys sort by radix)
            order = np.argsort(self._unit_code, kind="stable")
            counts = np.bincount(self._unit_code, minlength=0x10000)
            bounds = np.zeros(0x10001, dtype=np.int64)
            np.cumsum(counts, out=bounds[1:])
            got = self._kinds = (order, bounds, np.sort(order[: bounds[1]]))
        return got

    def chain_answer(self, steps: list[Parser], tail_exact: bool, table: LoopTable,
                     select: Callable[[], tuple[np.ndarray, np.ndarray | int]],
                     shortcut: Shortcut | None = None,
                     memo: tuple[object, ...] | None = None, memo_owner: object = None) -> list[int]:
        """Which of the tokens ``select()`` names ``steps[0]`` admits from their
        ``start``-th character on (``select`` returns the tokens and their starts),
        where ``steps[k]`` is the state after any ``k`` characters of the table's
        set (and the last one loops on the set exactly when ``tail_exact``).

        A token that stays inside the set is admitted when its length has a state;
        one that leaves it after ``k`` characters is walked from ``steps[k]``.

        All of that but the walks depends on the tokens, not the states: with
        ``memo`` (a key naming the tokens and offsets, held by ``memo_owner``,
        such as a trie node) it is kept, so a subtree met again by another state
        (the ``" "`` subtree after every ``:``) costs only its walks, and
        ``select`` is not even called.
        """
        n = len(steps) - 1
        if memo is not None:
            plan = self._plans.get(memo)
            if plan is None or plan[0] is not memo_owner:
                plan = (memo_owner, *self._chain_plan(n, tail_exact, table, *select()))
                with self._lock:
                    self._plans[memo] = plan
                    self._plan_entries += plan[3]
                    while self._plan_entries > _PLAN_ENTRIES and len(self._plans) > 1:
                        self._plan_entries -= self._plans.popitem(last=False)[1][3]
            _, taken, groups, _ = plan
        else:
            taken, groups, _ = self._chain_plan(n, tail_exact, table, *select())
        out = list(taken)
        for k, sub in groups:
            out.extend(sub.walk(steps[k], shortcut=shortcut))
        return out

    def _chain_plan(self, n: int, tail_exact: bool, table: LoopTable, tokens: np.ndarray,
                    start: np.ndarray | int) -> tuple[tuple[int, ...], list[tuple[int, TokenTrie]], int]:
        """The state-independent part of :meth:`chain_answer`: the tokens admitted
        by length alone, and per count ``k`` the trie of the others' suffixes from
        where they leave the set (with the number of entries, for the memo's bound)."""
        if not self.unit_count or not len(tokens):
            return (), [], 0
        ok = self._starts_ok[tokens]
        unit0 = self._first_unit[tokens] + start
        inner = table.run_at(np.minimum(unit0, self.unit_count - 1))
        rest_len = self._lengths[tokens] - start  # 0: the token ended with the class character
        stays = inner >= rest_len
        if tail_exact:
            take = ok & stays
            leave = ok & ~stays
        else:
            take = ok & stays & (rest_len <= n)
            leave = ok & ~stays & (inner <= n)
        out = tuple(tokens[take].tolist())  # (kept in the plan memo: a tuple the collector can untrack)
        chosen = np.nonzero(leave)[0]
        if not len(chosen):
            return out, [], len(out)
        where = np.minimum(inner[chosen], n)
        units = unit0[chosen] + inner[chosen]
        toks = tokens[chosen].tolist()
        offs = self._unit_off[units].tolist()
        pos = self._unit_pos[units].tolist()
        token_bytes = self.vocabulary.token_bytes
        groups: list[tuple[int, TokenTrie]] = []
        for k in sorted(set(where.tolist())):  # (np.unique would import numpy.ma at its first call)
            picked = np.nonzero(where == k)[0].tolist()
            sub = TokenTrie.of_suffixes((token_bytes[toks[i]][offs[i]:], toks[i], pos[i]) for i in picked)
            groups.append((k, sub))
        return out, groups, len(out) + len(chosen)

    def subtree_shortcut(self, state: Parser, trie: TokenTrie, spans: Spans,
                         chars: int) -> tuple[list[int], CharSet] | None:
        """A :data:`~lmparsec.tokens.trie.Shortcut` with loop tables.

        A subtree reached in a state that loops exactly on a set of characters
        is answered by that set's table. A state that does not loop but has a
        large class of next characters that step alike -- into a state that
        loops on them all (an object key that has left every declared name), or
        along a chain of states (a hostname label, counted up to 63) -- has the
        entries going on with that class answered by the class's table, and only
        the others walked.

        ``spans`` are one subtree's entries, or several sibling subtrees whose
        characters all led to ``state`` (the hexadecimal digits that open a
        hash): answered as one node, they share one plan per class, not one per
        sibling.
        """
        loop = state.loop()
        node = (id(trie), spans, chars)
        if len(loop) >= _SUBTREE_LOOP and state.loop_limit() is None:
            table = self.loop_table(loop)
            found = self.chain_answer([state], True, table, lambda: self._node(trie, spans, chars)[1:3],
                                      self.subtree_shortcut, (*node, loop), trie)
            return found, CharSet.EMPTY
        allowed = state.allowed()
        remaining = allowed
        plans: list[tuple[CharSet, list[Parser], bool, CharSet, int]] = []
        info: _Node | None = None
        for _ in range(4):
            if len(remaining) < _SUBTREE_CLASS:
                break
            char = widest_sample(remaining)
            cls = state.step_class(char) & remaining
            if len(cls) < _SUBTREE_CLASS:
                break
            successor = state.advance(char)
            if successor is None:
                break
            loop = successor.loop()
            if successor.loop_limit() is None and len(cls & loop) >= _SUBTREE_CLASS:
                # (class characters the successor does not loop on stay to be walked)
                cls = cls & loop
                plans.append((cls, [successor], True, loop, 1))
            else:
                if info is None:
                    info = self._node(trie, spans, chars)
                chain = follow_chain(state, cls, char, info[4], self.chain_steps)
                if chain is None:
                    break
                plans.append((cls, chain[0], chain[1], cls, 0))
            remaining = remaining - cls
        if not plans:
            return None
        if info is None:
            info = self._node(trie, spans, chars)
        _, tokens, start, code, _, tails, picks = info
        # a token that goes on with one unfinished character has no next character
        # to sort by: it is admitted when that character can still become an
        # allowed one (the walk of the rest, filtered by class, might miss it)
        ids: list[int] = []
        if len(tails):
            got = picks.get(("tails", allowed))
            if got is None:
                got = picks[("tails", allowed)] = self.tails_allowed(tails, allowed).tolist()
            ids.extend(got)
        for cls, steps, tail_exact, table_set, skip in plans:
            chosen = picks.get(cls)
            if chosen is None:
                chosen = picks[cls] = np.nonzero(member(code, cls))[0]
            if len(chosen):
                ids.extend(self.chain_answer(
                    steps, tail_exact, self.loop_table(table_set), _picker(tokens, start, chosen, skip),
                    self.subtree_shortcut, (*node, cls, skip, table_set, len(steps), tail_exact), trie))
        return ids, remaining

    def _node(self, trie: TokenTrie, spans: Spans, chars: int) -> _Node:
        """What the shortcut needs to know about the trie entries in ``spans``
        whatever the state (kept per node: the same subtrees are met by state
        after state)."""
        key = (id(trie), spans, chars)
        info = self._nodes.get(key)
        if info is not None and info[0] is trie:
            return info
        starts = trie.starts
        if len(spans) == 1:
            (lo, hi), = spans
            tokens = trie.id_array[lo:hi]
            start = starts[lo:hi] + chars if isinstance(starts, np.ndarray) else starts + chars
        else:
            tokens = np.concatenate([trie.id_array[lo:hi] for lo, hi in spans])
            start = (np.concatenate([starts[lo:hi] for lo, hi in spans]) + chars
                     if isinstance(starts, np.ndarray) else starts + chars)
        unit = np.minimum(self._first_unit[tokens] + start, max(len(self._unit_lo) - 1, 0))
        code = self.unit_codes(unit)
        whole = code >= 0
        present = self._starts_ok[tokens] & (start < self._lengths[tokens])
        code[~present] = -1
        longest = int((self._lengths[tokens] - start).max()) if len(tokens) else 0
        info = (trie, tokens, start, code, longest, tokens[present & ~whole], {})
        with self._lock:
            self._nodes[key] = info
            self._node_entries += len(tokens)
            while self._node_entries > _PLAN_ENTRIES and len(self._nodes) > 1:
                old = self._nodes.popitem(last=False)[1]
                self._node_entries -= len(old[1])
        return info

    def walk(self, state: Parser, pending: bytes = b"", *, first: CharSet | None = None) -> list[int]:
        """The whole vocabulary's walk from ``state``, with loop tables for
        subtrees that need no walking."""
        return self.trie.walk(state, pending, first=first, shortcut=self.subtree_shortcut)


#: what a trie node holds whatever the state: (its trie, token ids, start characters,
#: next character codes (-1: none or unfinished), longest rest, tokens going on with
#: an unfinished character, {class: positions of the tokens going on with it,
#: ("tails", set): those unfinished ones that can become one of the set})
_Node = tuple[TokenTrie, np.ndarray, "np.ndarray | int", np.ndarray, int, np.ndarray,
              dict[Hashable, Any]]

#: a memoised chain plan: (its owner, tokens admitted by length, [(count, suffix trie)], entries)
_Plan = tuple[object, tuple[int, ...], list[tuple[int, TokenTrie]], int]

#: character sets larger than this are answered through loop tables at the root
_HUGE = 64

#: the character classes strings most often loop on, whose loop tables are made with
#: the index: a JSON string's raw characters -- all of them, those a pattern's ``.``
#: takes, its ``\S`` (and ``\S`` but ``@``, as in ``^\S+@\S+$``) -- digits,
#: hexadecimal digits, letters and the word, name and hostname-label classes of
#: formats and common patterns. (The first four a pass over every character of
#: the vocabulary each, 2-4 ms on a 128k vocabulary, that a first mask would pay.)
_NOT_SPACE = [(0x21, 0x21), (0x23, 0x5B), (0x5D, 0x84), (0x86, 0x9F), (0xA1, 0x167F), (0x1681, 0x1FFF),
              (0x200B, 0x2027), (0x202A, 0x202E), (0x2030, 0x205E), (0x2060, 0x2FFF), (0x3001, 0xFEFE),
              (0xFF00, 0x10FFFF)]
COMMON_LOOPS = tuple(CharSet(ranges) for ranges in (
    [(0x20, 0x21), (0x23, 0x5B), (0x5D, 0x10FFFF)],
    [(0x20, 0x21), (0x23, 0x5B), (0x5D, 0x2027), (0x202A, 0x10FFFF)],
    _NOT_SPACE,
    [(0x21, 0x21), (0x23, 0x3F), (0x41, 0x5B), *_NOT_SPACE[2:]],
    [(0x30, 0x39)],
    [(0x30, 0x39), (0x41, 0x46), (0x61, 0x66)],
    [(0x30, 0x39), (0x61, 0x66)],
    [(0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)],
    [(0x30, 0x39), (0x61, 0x7A)],
    [(0x41, 0x5A)],
    [(0x61, 0x7A)],
    [(0x41, 0x5A), (0x61, 0x7A)],
    [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)],
    [(0x2D, 0x2D), (0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)],
    [(0x2D, 0x2D), (0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)],
))


def _picker(tokens: np.ndarray, start: np.ndarray | int, chosen: np.ndarray,
            skip: int) -> Callable[[], tuple[np.ndarray, np.ndarray | int]]:
    """The ``select`` of :meth:`TokenIndex.chain_answer` for the ``chosen`` entries of
    a node, ``skip`` characters further on."""
    def pick() -> tuple[np.ndarray, np.ndarray | int]:
        at = start[chosen] + skip if isinstance(start, np.ndarray) else start + skip
        return tokens[chosen], at
    return pick


def follow_chain(state: Parser, chars: CharSet, sample: str, longest: int,
                 memo: StepMemo) -> tuple[list[Parser], bool] | None:
    """The states after 0, 1, 2, ... characters of ``chars`` from ``state``, when
    every character of ``chars`` steps alike at each of them (checked with
    ``step_class(sample)``), up to ``longest`` characters; and whether the last
    one loops on ``chars`` exactly. ``None`` when they do not step alike.

    The steps are kept in ``memo`` by state key: a counted class (a hostname
    label's ``{0,61}``) is followed from every trie node a walk meets inside
    it, each time along the same states."""
    steps: list[Parser] = [state]
    while len(steps) <= longest:
        how, nxt = _chain_step(steps[-1], chars, sample, memo)
        if how == _APART:
            return None
        if how == _CLOSED:
            return steps, False  # no character of the set is allowed any more
        if how == _LOOPS:
            return steps, True
        assert nxt is not None
        steps.append(nxt)
    return steps, False


_GO, _APART, _CLOSED, _LOOPS = range(4)
_STEP_MEMO = 16384  # chain steps kept per index
#: chain steps by (state key, class, sample): how the step went, and the next state
StepMemo = dict[tuple[Hashable, CharSet, str], tuple[int, "Parser | None"]]


def _chain_step(cur: Parser, chars: CharSet, sample: str, memo: StepMemo) -> tuple[int, Parser | None]:
    """One step of :func:`follow_chain`."""
    mkey = (cur.key(), chars, sample)
    got = memo.get(mkey)
    if got is not None:
        return got
    nxt: Parser | None = None
    if not chars & cur.allowed():
        # (asked first: a state past its head's end steps each character apart --
        # a probe marks each, see Probe.step_class -- which matters only where
        # some of them may come: a bounded number's last digit closes its chain)
        how = _CLOSED
    elif chars - cur.step_class(sample):
        how = _APART  # the set does not step alike here
    else:
        nxt = cur.advance(sample)
        if nxt is None:
            how = _APART if chars & cur.allowed() else _CLOSED
        elif nxt.key() == cur.key():
            how, nxt = _LOOPS, None
        else:
            how = _GO
    return remember(memo, mkey, (how, nxt), _STEP_MEMO)


def _bmp_spans(chars: CharSet) -> list[tuple[int, int]]:
    """The ranges of ``chars`` within the BMP, code 0 left out: the units sorted by
    code (:meth:`TokenIndex._unit_kinds`) put NUL with the units that are not one
    BMP character, each looked up by range."""
    return [(max(a, 1), min(b, 0xFFFF)) for a, b in chars.ranges if a <= 0xFFFF and b >= 1]


def _values_present(first_out: np.ndarray) -> tuple[int, ...]:
    """The values >= 0 in ``first_out``, ascending. Positions in a token are few:
    below 63, one bit each, OR-ed over the column in one pass -- a third of the
    time of counting them (``bincount`` copies the 16-bit column into 64 bits)."""
    top = int(first_out.max()) if len(first_out) else -1
    if top < 0:
        return ()
    if top >= 62:
        return tuple(np.flatnonzero(np.bincount(first_out + 1)[1:]).tolist())
    bits = int(np.bitwise_or.reduce(np.left_shift(np.int64(1), first_out + 1, dtype=np.int64))) >> 1
    return tuple(k for k in range(top + 1) if bits >> k & 1)


def _sorted_units(parts: list[np.ndarray]) -> np.ndarray:
    units = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    units.sort()
    return units


def _code_table(chars: CharSet) -> np.ndarray:
    """Membership in ``chars`` by code point, for units that are one BMP character;
    code 0 is left out: it also stands for the units that are not, looked up by
    range (:func:`_in_ranges`)."""
    table = np.zeros(0x10000, dtype=bool)
    for a, b in chars.ranges:
        if a > 0xFFFF:
            break
        table[a : min(b, 0xFFFF) + 1] = True
    table[0] = False
    return table


#: whitespace, then a JSON string opened and closed, and the rest of the token;
#: or opened and not closed (its raw text: a key's first bytes)
_CLOSED_STRING = re.compile(rb'[ \t\n\r]*"((?:[^"\\]|\\.)*)"(.*)', re.S)
_OPENED_STRING = re.compile(rb'[ \t\n\r]*"((?:[^"\\]|\\.)*\\?)', re.S)


#: numbers of TokenViews, never the same twice in a process (TokenView.serial)
_SERIALS = itertools.count()
#: a newline that may open a slot of JSON whitespace (at a token's start or after a
#: character that is not whitespace) and the spaces after it, where the token then
#: ends or goes on with a character that is not whitespace: a blank line, spaces
#: before the newline or a tab after the spaces are never one slot's
_AFTER_NEWLINE = re.compile(rb"(?:^|(?<=[^ \t\r\n]))\n( *)(?![ \t\r\n])")


class StringFacts:
    """The :class:`~lmparsec.combinators.base.TokenView` facts of some texts: the
    JSON strings they open after whitespace and close, or end inside. Of the
    vocabulary's tokens for a state the token starts at; of the rests after a
    comma inside a token for an object's next key, which the token that closes
    a value before it may reach (one pass over the texts holding a quote)."""

    def __init__(self, texts: Iterable[bytes], indent_reach: int = 1 << 30,
                 closers: tuple[int, frozenset[bytes]] | None = None,
                 after_value: tuple[int, int] | None = None) -> None:
        """``indent_reach``: the most spaces any of the texts holds after a newline
        where they may be one slot of JSON whitespace (see ``_AFTER_NEWLINE``; by
        default not known: no bound); ``closers``: the most closing brackets any
        of them holds, and what the texts holding that many hold after their
        last one; ``after_value``: :meth:`closers_after_value` (both by default
        counted here)."""
        texts = tuple(texts)
        if closers is None:
            closers = most_closers(texts)
        if after_value is None:
            after_value = closers_after_value(text for text in texts if b"}" in text or b"]" in text)
        self._after_value = after_value
        # (the facts are about strings: only texts holding a quote count, a few thousand)
        self._texts = tuple(text for text in texts if b'"' in text)
        self._indent = indent_reach
        after_quote = most_closers(text[text.index(b'"'):] for text in self._texts)
        self._closers = closers[0], after_quote[0]
        self._anywhere = closers
        # (where no text holds a bracket, the container a token reaches past none
        # is the one holding its start: it meets the token's whole rest, not a tail)
        self._last = _decoded(closers[1] | after_quote[1]) if closers[0] and after_quote[0] else None
        closed, deep, self._opened = _json_strings(self._texts)
        self._closed = closed, deep
        self._prefixes: dict[str, frozenset[bytes]] = {}
        self._rests: dict[bytes, StringFacts] = {}  # (after_comma, after_brace: by the mark)
        self._quoted: tuple[frozenset[str], frozenset[bytes]] | None = None
        # (made with the index, not at the first key's last character: ~2 ms on a 150k vocabulary)
        self._closing = _closing_texts(self._texts)
        self._lock = threading.Lock()
        self.serial = next(_SERIALS)

    def __getstate__(self) -> dict[str, Any]:
        # (stored with the index: the lock, the serial and the per-text memo are the process's)
        return {k: v for k, v in vars(self).items() if k not in ("_lock", "serial", "_prefixes")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._prefixes = {}
        self._lock = threading.Lock()
        self.serial = next(_SERIALS)

    def closed_strings(self) -> tuple[frozenset[str], frozenset[str]]:
        return self._closed

    def opened_strings(self) -> frozenset[bytes]:
        return self._opened

    def indent_reach(self) -> int:
        return self._indent

    def closers(self) -> tuple[int, int]:
        return self._closers

    def closers_after_value(self) -> tuple[int, int]:
        return self._after_value

    def last_texts(self) -> tuple[str, ...] | None:
        return self._last

    def opened_prefixes(self, text: str) -> frozenset[bytes]:
        # (kept per text: the same names come back in object after object)
        got = self._prefixes.get(text)
        if got is None:
            data = text.encode("utf-8", "surrogatepass")
            opened = self._opened
            got = frozenset(data[:k] for k in range(len(data) + 1) if data[:k] in opened)
            with self._lock:
                got = remember(self._prefixes, text, got, 16384)
        return got

    def closing_texts(self) -> frozenset[str]:
        return self._closing[0]

    def colon_rests(self) -> tuple[str, ...] | None:
        return self._closing[1]

    def after_comma(self) -> StringFacts:
        return self._after(b",")

    def after_brace(self) -> StringFacts:
        return self._after(b"{")

    def quoted_strings(self) -> tuple[frozenset[str], frozenset[bytes]]:
        got = self._quoted
        if got is None:
            closed, _, opened = _json_strings(tuple(_from_each(self._texts, b'"')))
            got = self._quoted = (closed, opened)
        return got

    def _after(self, mark: bytes) -> StringFacts:
        """The facts of the texts that follow each ``mark`` inside these texts (made
        once per mark)."""
        got = self._rests.get(mark)
        if got is not None:
            return got
        rests = [text[len(mark):] for text in _from_each(self._texts, mark)]
        # (rests of these texts: no more spaces or brackets than they hold -- but
        # a rest may start with a value where its text does not: counted anew)
        got = StringFacts(rests, self._indent, self._anywhere)
        with self._lock:
            return self._rests.setdefault(mark, got)


def _from_each(texts: Iterable[bytes], mark: bytes) -> list[bytes]:
    """Each of ``texts`` from each place ``mark`` is in it on (the mark included)."""
    out: list[bytes] = []
    for data in texts:
        k = data.find(mark)
        while k >= 0:
            out.append(data[k:])
            k = data.find(mark, k + 1)
    return out


def _string_reads(token_bytes: tuple[bytes, ...], lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:meth:`TokenIndex.string_reads`: a token without a quote or a backslash
    writes its characters (``lengths``); the few thousand others are read here."""
    units = lengths.astype(np.int32)
    closes = np.zeros(len(lengths), dtype=bool)
    for t, data in enumerate(token_bytes):
        if b'"' in data or b"\\" in data:
            units[t], closes[t] = _string_read(data)
    return units, closes


def _string_read(data: bytes) -> tuple[int, bool]:
    """One token's :meth:`TokenIndex.string_reads`."""
    n = len(data)
    count = 0
    i = 0
    high = False  # just past a high surrogate's escape: its low one adds no character
    while i < n:
        byte = data[i]
        if byte == 0x22:
            return count, True
        if byte != 0x5C:
            need = sequence_length(byte)
            if i + need > n:
                return count + 1, False  # an unfinished character
            count += 1
            i += max(need, 1)
            high = False
            continue
        if i + 1 >= n:
            return count + (not high), False  # an unfinished escape
        if data[i + 1] != 0x75:  # (a short escape, or a bad one no string reads)
            count += 1
            i += 2
            high = False
            continue
        digits = data[i + 2:i + 6]
        if len(digits) < 4:
            return count + (not high), False
        try:
            code = int(digits, 16)
        except ValueError:
            return count, False
        if not (high and 0xDC00 <= code <= 0xDFFF):
            count += 1
        high = 0xD800 <= code <= 0xDBFF
        i += 6
    return count, False


def most_closers(texts: Iterable[bytes]) -> tuple[int, frozenset[bytes]]:
    """The most closing brackets (``}`` and ``]``) one of ``texts`` holds, and
    what the texts holding that many hold after their last one."""
    most = 0
    tails: set[bytes] = set()
    for text in texts:
        count = text.count(b"}") + text.count(b"]")
        if count < most or not count:
            continue
        if count > most:
            most = count
            tails.clear()
        tails.add(text[max(text.rfind(b"}"), text.rfind(b"]")) + 1:])
    return most, frozenset(tails)


def closers_after_value(texts: Iterable[bytes]) -> tuple[int, int]:
    """The most containers one of ``texts`` closes after a whole JSON value it
    starts with (after whitespace), and after a colon and a whole value: each
    closing bracket outside a string that is not matched by an opening one
    after the value closes one (a text holding no whole value closes none)."""
    after_value = after_colon = 0
    for text in texts:
        at = _skip_space(text, 0)
        end = _value_end(text, at)
        if end is not None:
            after_value = max(after_value, _containers_closed(text, end))
        if text[at : at + 1] == b":":
            end = _value_end(text, _skip_space(text, at + 1))
            if end is not None:
                after_colon = max(after_colon, _containers_closed(text, end))
    return after_value, after_colon


def _skip_space(data: bytes, at: int) -> int:
    while at < len(data) and data[at] in b" \t\n\r":
        at += 1
    return at


_NUMBER = re.compile(rb"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")


def _value_end(data: bytes, at: int) -> int | None:
    """Where the whole JSON value starting at ``data[at]`` ends, or ``None`` where
    none does inside ``data`` (a string not closed, brackets not matched, a
    number the end of the text may still go on). Texts JSON does not read
    count as a value where their brackets and quotes would: an upper bound."""
    if at >= len(data):
        return None
    if data[at] == 0x22 or data[at] in b"{[":
        depth = 0
        for k, byte in _bare_bytes(data, at):
            if byte in b"{[":
                depth += 1
            elif byte in b"}]" or byte == 0x22:
                depth -= byte != 0x22
                if not depth:
                    return k + 1  # (the string, or the brackets, that were the value)
        return None
    for word in (b"true", b"false", b"null"):
        if data.startswith(word, at):
            return at + len(word)
    found = _NUMBER.match(data, at)
    return found.end() if found and found.end() < len(data) else None


def _containers_closed(data: bytes, at: int) -> int:
    """How many containers ``data[at:]`` closes: its closing brackets outside
    strings that no opening bracket after ``at`` matches."""
    depth = low = 0
    for _, byte in _bare_bytes(data, at):
        if byte in b"{[":
            depth += 1
        elif byte in b"}]":
            depth -= 1
            if depth < low:
                low = depth
    return -low


def _bare_bytes(data: bytes, at: int) -> Iterator[tuple[int, int]]:
    """The bytes of ``data[at:]`` outside JSON strings, with their positions, and
    each string's closing quote (where a string ends)."""
    quoted = escaped = False
    for k in range(at, len(data)):
        byte = data[k]
        if quoted:
            if escaped:
                escaped = False
            elif byte == 0x5C:
                escaped = True
            elif byte == 0x22:
                quoted = False
                yield k, byte
        elif byte == 0x22:
            quoted = True
        else:
            yield k, byte


def _decoded(texts: frozenset[bytes]) -> tuple[str, ...] | None:
    """``texts`` decoded and sorted; ``None`` where one ends inside a character."""
    try:
        return tuple(sorted(text.decode("utf-8") for text in texts))
    except UnicodeDecodeError:
        return None


def _json_strings(token_bytes: tuple[bytes, ...]) -> tuple[frozenset[str], frozenset[str], frozenset[bytes]]:
    """:meth:`TokenIndex.closed_strings` and :meth:`TokenIndex.opened_strings` of a
    vocabulary (one pass over the tokens that hold a quote: a few thousand). A
    closed string JSON does not read -- a raw control character, a bad escape,
    broken UTF-8 -- is no JSON state's either."""
    texts: set[str] = set()
    deep: set[str] = set()
    opened: set[bytes] = set()
    for data in token_bytes:
        quotes = data.count(b'"')
        if not quotes:
            continue
        found = _OPENED_STRING.fullmatch(data)
        if found is not None:
            opened.add(found.group(1))
            continue
        found = _CLOSED_STRING.fullmatch(data) if quotes >= 2 else None
        if found is None:
            continue
        try:
            text = json.loads(b'"' + found.group(1) + b'"')
        except ValueError:
            continue
        texts.add(text)
        tail = found.group(2)
        if tail.startswith(b":") and tail[1:].strip(b" \t\n\r"):
            deep.add(text)
    return frozenset(texts), frozenset(deep), frozenset(opened)


_RAW_CONTROL = re.compile(r"[\x00-\x1f]")


def _closing_texts(texts: tuple[bytes, ...]) -> tuple[frozenset[str], tuple[str, ...] | None]:
    """What each text spells before its first quote that no backslash escapes,
    read from inside a JSON string (not in an escape), where that spelling is
    complete JSON string content: the rests of a string that a token starting
    there can close; and, sorted, the texts after that quote and a colon
    (``None`` if one ends inside a character)."""
    found: set[str] = set()
    after_colon: set[str] = set()
    whole = True
    for data in texts:
        i, n = 0, len(data)
        while i < n:
            byte = data[i]
            if byte == 0x5C:  # (a backslash: the next byte is escaped)
                i += 2
                continue
            if byte == 0x22:
                break
            i += 1
        if i >= n:
            continue
        head = data[:i]
        try:
            if b"\\" in head:
                found.add(json.loads(b'"' + head + b'"'))
            else:  # (most: no escape to read, only the characters JSON refuses raw)
                text = head.decode("utf-8")
                if _RAW_CONTROL.search(text):
                    continue
                found.add(text)
        except ValueError:  # (a bad escape, a raw control character, broken UTF-8)
            continue
        if data[i + 1:i + 2] == b":":
            try:
                after_colon.add(data[i + 2:].decode("utf-8"))
            except UnicodeDecodeError:
                whole = False
    return frozenset(found), (tuple(sorted(after_colon)) if whole else None)


def _in_ranges(lo: np.ndarray, hi: np.ndarray, chars: CharSet) -> np.ndarray:
    """Vectorised: whether some code point of each ``[lo, hi]`` is in ``chars``."""
    if not chars:
        return np.zeros(lo.shape, dtype=bool)
    starts = np.asarray([a for a, _ in chars.ranges], dtype=np.int64)
    ends = np.asarray([b for _, b in chars.ranges], dtype=np.int64)
    idx = np.searchsorted(starts, hi, side="right") - 1
    return (idx >= 0) & (ends[np.maximum(idx, 0)] >= lo)


def member(codes: np.ndarray, chars: CharSet) -> np.ndarray:
    """Vectorised ``code in chars`` (codes < 0 are never members). A column over
    the vocabulary looks its BMP codes up in a table of the set (a quarter of
    the time of a search among the set's ranges, ~1 ms on 128k tokens)."""
    if len(codes) < _BY_TABLE:
        return _in_ranges(codes, codes, chars) & (codes >= 0)
    table = _code_table(chars)
    table[0] = chars.contains_code(0)
    bmp = (codes >= 0) & (codes <= 0xFFFF)
    out: np.ndarray = np.take(table, np.where(bmp, codes, 0)) & bmp
    astral = np.flatnonzero(codes > 0xFFFF)
    if len(astral):
        picked = codes[astral]
        out[astral] = _in_ranges(picked, picked, chars)
    return out


#: a loop table is patched from one made before (:meth:`TokenIndex.nearest_loop`) when
#: the units inside its set and those outside both exceed the vocabulary's units over
#: this, and the sets differ in fewer units than that
_NEAR_SHARE = 8
#: code columns at least this long are tested against a set by table (see :func:`member`)
_BY_TABLE = 4096
#: inside the trie, a subtree reached in a state looping on at least this many
#: characters is answered by the set's loop table (digits, whitespace, letters)
_SUBTREE_LOOP = 2
#: ... and a class of next characters at least this large, by its successor's table
_SUBTREE_CLASS = 8
#: chain plans kept (counted in tokens) for subtrees met again by other states
_PLAN_ENTRIES = 2_000_000

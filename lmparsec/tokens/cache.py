"""Masks cached by parser key, per vocabulary, shared by every matcher.

A mask depends only on the parser state's key (and on bytes of an unfinished
character, if any), so one computed mask serves every later step, request and
schema that reaches an equal state, or one that acts alike on any one token of
the vocabulary (:meth:`~lmparsec.combinators.base.Parser.cache_key`: a value
deep in a document keyed apart from how far its ancestors have come). Entries are packed
bitmasks (one bit per token, xgrammar's layout) so a 151k vocabulary costs
~19 KB an entry; the cache is an LRU bounded by bytes.
"""

from __future__ import annotations

import os
import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from ..combinators.base import Parser, SealedKey
from ..combinators.charset import CharSet
from ..memo import remember
from .index import _HUGE, TokenIndex, follow_chain, member
from .persist import load_or_build_index
from .segment import Exit, Probe, filtered, noting, replay
from .trie import TokenTrie, step, widest_sample
from .utf8 import char_at, partial_range, split_complete

if TYPE_CHECKING:
    from .vocabulary import Vocabulary

__all__ = ["CacheStats", "MaskCache", "shared_cache"]

DEFAULT_MAX_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class CacheStats:
    """What a :class:`MaskCache` holds, read at one moment (:meth:`MaskCache.stats`):
    for sizing ``max_bytes`` from a server's real traffic, and for the speed
    benchmark's report."""

    #: masks kept (one packed row each, under a state's key or a shared alias)
    entries: int
    #: bytes those rows take: ``entries`` x the vocabulary's row size
    nbytes: int
    #: the bound ``nbytes`` is kept under (the oldest rows go first)
    max_bytes: int
    #: lookups answered from a kept mask, and those that computed one
    hits: int
    misses: int
    #: (state, token) -> next state steps kept for :meth:`MaskCache.transition`; a
    #: count, not bytes (each holds a parser state), bounded apart from ``max_bytes``
    transitions: int

    @property
    def hit_rate(self) -> float:
        """Share of mask lookups answered from the cache (0 before any lookup)."""
        asked = self.hits + self.misses
        return self.hits / asked if asked else 0.0


class MaskCache:
    """Computes and remembers allowed-token bitmasks for one vocabulary.

    Thread-safe: lookups are plain dict reads; inserts and evictions take a lock.
    Two threads may compute the same missing mask once each; both results are equal.
    """

    def __init__(
        self,
        vocabulary: Vocabulary,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        index_cache_dir: str | os.PathLike[str] | Literal[False] | None = None,
        warm_up: bool = False,
    ) -> None:
        """``index_cache_dir``: where the per-vocabulary token index is kept between
        processes (default: the user's cache folder, see :mod:`lmparsec.tokens.persist`);
        ``False`` builds it in memory only. ``warm_up``: make the masks and tables
        every JSON Schema shares now, not on the first requests' time
        (:mod:`lmparsec.tokens.warmup`; tens of milliseconds, once)."""
        self.vocabulary = vocabulary
        if index_cache_dir is False:
            self.index = TokenIndex(vocabulary)
        else:
            self.index = load_or_build_index(vocabulary, index_cache_dir)
        self.size = vocabulary.size
        self.words = (self.size + 31) // 32
        # states that act alike on texts this short have one mask (Parser.mask_key)
        self.horizon = max(1, self.index.max_units)
        #: bytes of one packed row (a mask): what the cache's size is counted in
        self.row_bytes = self.words * 4
        self._zero_row = bytes(self.row_bytes)
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, np.ndarray] = OrderedDict()
        #: per token id, the state after it by the state's key (see :meth:`transition`)
        self._transitions: dict[int, dict[Hashable, Parser | tuple[Parser, bytes] | None]] = {}
        self._transitions_kept = 0
        self._lock = threading.Lock()
        self._starts_memo: dict[CharSet, np.ndarray] = {}
        self._exit_tries: dict[Hashable, TokenTrie] = {}
        self._exit_wholes: dict[Hashable, TokenTrie] = {}
        self._segment_notes: dict[Hashable, tuple[Exit, ...]] = {}
        self._node_walks: dict[Hashable, tuple[list[int], tuple[Exit, ...]]] = {}
        self._spans: dict[str, tuple[bytes, tuple[int, ...], int, int]] = {}
        self._first_spans: dict[int, tuple[int, int, int]] = {}
        self._first_walks: dict[Hashable, tuple[list[int], tuple[Exit, ...]]] = {}
        self._loop_steps: dict[tuple[Hashable, str], Parser | None] = {}
        self._count_rows: dict[tuple[int, bool], np.ndarray] = {}
        #: few-id rows by their ids (see :meth:`_bits_of`), a plain memo: a weak one
        #: costs a weak reference made and called back per row (~5 us a cold miss)
        self._made: dict[tuple[frozenset[int], bool], np.ndarray] = {}
        self._made_limit = max(256, _MADE_BYTES // self.row_bytes)
        self.hits = 0
        self.misses = 0
        eos = np.zeros(self.words * 32, dtype=bool)
        eos[sorted(vocabulary.eos_ids)] = True
        self.eos_bits = _pack(eos)
        self._eos_list = sorted(vocabulary.eos_ids)
        if warm_up:
            from .warmup import warm_up_json

            warm_up_json(self)

    @property
    def nbytes(self) -> int:
        """Bytes held by cached masks."""
        return len(self._entries) * self.row_bytes

    def __len__(self) -> int:
        return len(self._entries)

    def stats(self) -> CacheStats:
        """The cache's size and use now (see :class:`CacheStats`)."""
        with self._lock:
            entries = len(self._entries)
            transitions = self._transitions_kept
        return CacheStats(entries=entries, nbytes=entries * self.row_bytes, max_bytes=self.max_bytes,
                          hits=self.hits, misses=self.misses, transitions=transitions)

    def bitmask(self, state: Parser, pending: bytes = b"") -> np.ndarray:
        """The packed int32 bitmask of tokens allowed after ``state`` (+ ``pending``),
        EOS bits included when the state can end. Read-only; do not modify."""
        key = state.cache_key(self.index, self.horizon)
        if pending:
            key = (_PENDING, key, pending)
        entry = self._entries.get(key)
        if entry is not None:
            self.hits += 1
            return entry
        self.misses += 1
        alias = None if pending else state.token_key(self.index)
        if alias is not None:
            alias = (_TOKENS, alias)
            entry = self._entries.get(alias)
        if entry is None:
            entry = self._pending_in_text(state, pending) if pending else None
            if entry is None:
                entry = self._compute(state, pending)
            if alias is not None:
                self._store(alias, entry)
        self._store(key, entry)
        return entry

    def holds(self, state: Parser, pending: bytes = b"") -> bool:
        """Whether the mask of ``state`` (+ ``pending``) is kept (under its own key)."""
        key = state.cache_key(self.index, self.horizon)
        return (key if not pending else (_PENDING, key, pending)) in self._entries

    def _pending_in_text(self, state: Parser, pending: bytes) -> np.ndarray | None:
        """With the first bytes of a character pending, only tokens that finish it
        come next; inside an enclosed text (a string any text leaves as it is,
        see :meth:`~lmparsec.combinators.base.Parser.enclosed`), where none of
        those tokens holds a quote, none gets past the text's end: the text's own
        mask, kept once for every object and depth it is met in."""
        got = state.enclosed()
        if got is None or got[0] is state or self.index.continuations_quote():
            return None
        return self.bitmask(got[0], pending)

    def _store(self, key: Hashable, entry: np.ndarray) -> None:
        """Keeps ``entry`` (made read-only), evicting the oldest past ``max_bytes``."""
        entry.setflags(write=False)
        with self._lock:
            self._entries[key] = entry
            while len(self._entries) * self.row_bytes > self.max_bytes and len(self._entries) > 1:
                self._entries.popitem(last=False)

    def _compute(self, state: Parser, pending: bytes) -> np.ndarray:
        parts = state.split()
        if parts:
            bits = self.bitmask(parts[0], pending).copy()
            for part in parts[1:]:
                bits |= self.bitmask(part, pending)
            return bits
        if not pending:
            counted = state.counted()
            if counted is not None:
                return self._counted_walk(state, *counted)
            alt = state.stand_in()
            if alt is not None:
                return self._stand_in_walk(state, *alt)
            inner = state.enclosed()
            if inner is not None:
                return self._enclosed_walk(state, *inner)
            seg = state.segment()
            if seg is not None:
                return self._segment_walk(state, *seg)
            fixed = state.fixed_texts()
            if fixed is not None:
                return self._bits_of(self._fixed_walk(*fixed), state.can_end())
        found = None
        if not pending:
            found = self._loop_walk(state)
            if found is None:
                found = self._class_walk(state)
            if found is None:
                found = self._chain_walk(state)
        if found is not None:
            mask, ids = found
            if ids:
                mask[ids] = True
            bits = _pack(mask)
        else:
            # most walks admit a handful of tokens: set their bits directly
            return self._bits_of(self.index.walk(state, pending), not pending and state.can_end())
        if not pending and state.can_end():
            bits |= self.eos_bits
        return bits

    def _counted_walk(self, state: Parser, other: Parser, most: int | None, least: int) -> np.ndarray:
        """The mask of a state that reads as ``other`` but for a count of a
        string's characters (see :meth:`~lmparsec.combinators.base.Parser.counted`):
        ``other``'s cached mask, less the tokens that write more than ``most`` of
        them and those that close the string before ``least``."""
        bits = self.bitmask(other)
        for cut in (self._count_row(most, False), self._count_row(least, True)):
            if cut is not None:
                bits = bits & cut  # (a row of its own: the other's stays as it is)
        if state.can_end() != other.can_end():
            bits = (bits | self.eos_bits) if state.can_end() else (bits & ~self.eos_bits)
        return bits

    def _count_row(self, bound: int | None, closing: bool) -> np.ndarray | None:
        """A packed row of the tokens a count keeps (``None`` where it keeps them
        all): with ``closing``, all but those that close a string after fewer than
        ``bound`` characters; else all but those that write more than ``bound``
        (:meth:`~lmparsec.tokens.index.TokenIndex.string_reads`). Made once per
        bound: a counted string asks for each count near its bounds. (Beyond the
        vocabulary's longest token a bound drops no token and makes no row, so
        there are at most ~2x that many, outside ``max_bytes``: ~4 MB at 128k.)"""
        if bound is None or (closing and not bound):
            return None
        key = (bound, closing)
        got = self._count_rows.get(key)
        if got is None:
            units, closes = self.index.string_reads()
            dropped = (units < bound) & closes if closing else units > bound
            if not dropped.any():
                got = _ALL
            else:
                keep = np.ones(self.words * 32, dtype=bool)
                keep[: self.size] = ~dropped
                got = _pack(keep)
                got.setflags(write=False)
            with self._lock:
                got = remember(self._count_rows, key, got, 512)
        return None if got is _ALL else got

    def _stand_in_walk(self, state: Parser, other: Parser, prefixes: tuple[str, ...]) -> np.ndarray:
        """The mask of a state that ``other`` stands in for (see
        :meth:`~lmparsec.combinators.base.Parser.stand_in`): ``other``'s cached mask,
        with the tokens under each prefix taken out and walked from ``state``."""
        trie = self.index.trie
        taken_out: list[np.ndarray] = []
        walked: list[int] = []
        for prefix in prefixes:
            lo, hi = trie.prefix_range(prefix.encode("utf-8", "surrogatepass"))
            if lo < hi:
                taken_out.append(trie.id_array[lo:hi])
                walked.extend(self._walk_below(trie, prefix, lo, hi, state))
        return self._adjusted(self.bitmask(other), other.can_end(), state, taken_out, walked)

    def _enclosed_walk(self, state: Parser, inner: Parser, after: Parser | None) -> np.ndarray:
        """The mask of a state inside an enclosed text (see
        :meth:`~lmparsec.combinators.base.Parser.enclosed`): the inner state's
        cached mask, plus the tokens that go on past its end, walked from ``after``
        -- or, without one, walked whole from ``state``."""
        if after is None:
            walked = self._exits_whole(inner).walk(state, shortcut=self.index.subtree_shortcut)
        else:
            trie = self._exits(inner)
            walked = self._walk_node(trie, 0, len(trie), 0, b"", 0, after)
        return self._adjusted(self.bitmask(inner), inner.can_end(), state, [], walked)

    def _exits_whole(self, inner: Parser) -> TokenTrie:
        """The tokens of :meth:`_exits`, each whole (kept per state key, as those)."""
        key = inner.key()
        got = self._exit_wholes.get(key)
        if got is None:
            token_bytes = self.vocabulary.token_bytes
            got = TokenTrie((token_bytes[t], t) for t in set(self._exits(inner).ids))
            with self._lock:
                got = remember(self._exit_wholes, key, got, 256)
        return got

    def _segment_walk(self, state: Parser, head: Parser, after: Parser, exits: CharSet) -> np.ndarray:
        """The mask of a state that reads ``head`` and then goes on as ``after``
        (see :meth:`~lmparsec.combinators.base.Parser.segment`): the tokens that stay
        in the head, walked once per head, plus the rests of those that leave it,
        walked from ``after`` at the nodes where they left."""
        head_key = head.cache_key(self.index, self.horizon)
        if isinstance(head_key, SealedKey):
            # no token gets past a sealed head's end (nothing to resume), and its
            # mask is the same in every container: kept once, under the head's key
            # (a nested object's key; the container's own key is that one too)
            return self._adjusted(self.bitmask(head), head.can_end(), state, [], [])
        key = (_SEGMENT, head_key, exits)
        bits = self._entries.get(key)
        notes = self._segment_notes.get(key)
        if bits is None or notes is None:
            # a head with a token key leaves no token past its end: no notes
            alias = head.token_key(self.index)
            bits = None if alias is None else self._entries.get((_TOKENS, alias))
            if bits is not None:
                notes = ()
            else:
                with noting() as noted:
                    bits = self._compute(Probe(head, exits), b"")
                notes = tuple(noted)
                if alias is not None:
                    self._store((_TOKENS, alias), bits)
            self._store(key, bits)
            with self._lock:
                remember(self._segment_notes, key, notes, 4096)
        whole = self._resumed_whole(notes, after)
        if whole is not None:
            return self._adjusted(bits, head.can_end(), state, [], [], whole)
        return self._adjusted(bits, head.can_end(), state, [], self._resume(notes, after))

    def _resumed_whole(self, notes: tuple[Exit, ...], after: Parser) -> np.ndarray | None:
        """``after``'s own mask, where it is what resuming ``notes`` would find: each
        note is a whole subtree of the vocabulary's trie under one ASCII character
        (the head may end where the token starts: a number's digits read so far)
        and ``after`` takes no other first character -- the tokens it takes from
        there are then all of its tokens. A resume of the space, newline, comma
        and bracket subtrees after a number walked 0.3-0.5 ms on a 128k vocabulary
        (runs of spaces, then a comma and a next key's start); ``after``'s mask is
        kept by its key for every number of that member, and every member with
        the same continuation. ``None`` where the notes are not of that shape, or
        ``after`` is itself a probe (its walk notes its own marks)."""
        if not notes or after.__class__ is Probe:
            return None
        trie = self.index.trie
        first: list[str] = []
        for noted, lo, hi, depth, prefix, _, char, keep in notes:
            # (a note's prefix is its first ``depth`` bytes, ending with its char)
            if (noted is not trie or keep is not None or depth != 1 or prefix[0] >= 0x80
                    or (lo, hi) != trie.prefix_range(prefix)):
                return None
            first.append(char)
        if after.allowed() - CharSet.of(first):
            return None
        return self.bitmask(after)

    def _resume(self, notes: tuple[Exit, ...], after: Parser) -> list[int]:
        """The tokens that leave a head at the noted nodes and that ``after``, the
        state past the head, admits from there."""
        walked: list[int] = []
        steps: dict[str, Parser | None] = {}
        shortcut = self.index.subtree_shortcut
        for trie, lo, hi, depth, prefix, chars, char, keep in notes:
            nxt = steps[char] if char in steps else steps.setdefault(char, step(after, char))
            if nxt is not None:
                found = trie.walk_node(lo, hi, depth, prefix, chars, nxt, shortcut=shortcut)
                if keep is not None and found:
                    arr = np.asarray(found, dtype=np.int64)
                    found = arr[keep[arr]].tolist()
                walked.extend(found)
        return walked

    def _walk_node(self, trie: TokenTrie, lo: int, hi: int, depth: int, prefix: bytes, chars: int,
                   state: Parser) -> list[int]:
        """``trie.walk_node`` of a subtree from ``state``; a state that reads a shared
        head (:meth:`~lmparsec.combinators.base.Parser.segment`) -- the value after
        a key, in any object -- has the head's walk of that subtree kept (by the
        head's mask key) and only the rests of the tokens leaving it walked."""
        seg = state.segment()
        if seg is None:
            return trie.walk_node(lo, hi, depth, prefix, chars, state, shortcut=self.index.subtree_shortcut)
        head, after, exits = seg
        key = (trie, lo, hi, depth, head.cache_key(self.index, self.horizon), exits)
        got = self._node_walks.get(key)
        if got is None:
            with noting() as noted:
                ids = trie.walk_node(lo, hi, depth, prefix, chars, Probe(head, exits),
                                     shortcut=self.index.subtree_shortcut)
            got = (ids, tuple(noted))
            with self._lock:
                remember(self._node_walks, key, got, 4096)
        ids, notes = got
        return ids + self._resume(notes, after) if notes else list(ids)  # (the kept list stays as it is)

    def _walk_below(self, trie: TokenTrie, prefix: str, lo: int, hi: int, state: Parser) -> list[int]:
        """Ids of the entries ``lo:hi`` (those starting with ``prefix``, complete
        characters) that ``state`` admits: ``state`` takes ``prefix``, then the rests
        are walked (:meth:`_walk_node`)."""
        for char in prefix:
            nxt = step(state, char)
            if nxt is None:
                return []
            state = nxt
        data = prefix.encode("utf-8", "surrogatepass")
        return self._walk_node(trie, lo, hi, len(data), data, len(prefix), state)

    def _fixed_walk(self, texts: tuple[str, ...], then: Callable[[int], Parser]) -> list[int]:
        """Tokens of a state that takes only prefixes of fixed texts, each then going
        on as its own state (see :meth:`~lmparsec.combinators.base.Parser.fixed_texts`):
        those inside a text by their bytes, those past its end walked from there."""
        trie = self.index.trie
        spans = self._spans
        ids: list[int] = []
        for k, text in enumerate(texts):
            # (kept per text: an object's names come back at every progress)
            got = spans.get(text)
            if got is None:
                data = text.encode("utf-8", "surrogatepass")
                found, lo, hi = trie.along(data)
                got = (data, tuple(found), lo, hi)
                with self._lock:
                    remember(spans, text, got, 8192)
            data, inside, lo, hi = got
            ids.extend(inside)
            if lo < hi:  # (the token that is the whole text comes twice: harmless)
                ids.extend(self._walk_node(trie, lo, hi, len(data), data, len(text), then(k)))
        return ids

    def _adjusted(self, bits: np.ndarray, base_ends: bool, state: Parser, taken_out: list[np.ndarray],
                  added: list[int], also: np.ndarray | None = None) -> np.ndarray:
        """A base mask ``bits`` (with EOS when ``base_ends``) with the ``taken_out``
        tokens removed and the ``added`` ones put in -- and those of the mask
        ``also`` (its EOS bits aside) -- as the mask of ``state`` (EOS as ``state``
        ends)."""
        if also is not None:
            bits = bits | also
            base_ends = True  # (EOS may have come with it: cleared below)
        elif not taken_out and not added and base_ends == state.can_end():
            return bits  # the same (read-only) row: nothing leaves the head here
        row = array(_U32, bits.tobytes())
        if base_ends:
            _put(row, self._eos_list, False)
        for ids in taken_out:
            _put(row, ids.tolist(), False)
        _put(row, added, True)
        if state.can_end():
            _put(row, self._eos_list, True)
        return _row_array(row)

    def _exits(self, inner: Parser) -> TokenTrie:
        """The tokens that ``inner`` takes a proper prefix of and has ended there,
        each from where it ended (kept per state key: built once per kind of
        string, then every string of that kind in any context walks only these)."""
        key = inner.key()
        got = self._exit_tries.get(key)
        if got is not None:
            return got
        index = self.index
        taken = np.unpackbits(self.bitmask(inner).view(np.uint8), bitorder="little")[: self.size].astype(bool)
        loop = inner.loop()
        table = index.loop_table(loop) if len(loop) > _HUGE else None
        # tokens it does not take whole but whose first character it allows
        rest = ~taken & index.starts_ok
        rest &= member(index.first_cp, inner.allowed())
        token_bytes = self.vocabulary.token_bytes
        out: list[tuple[bytes, int, int]] = []
        # (characters of the loop leave the state as it is: each token is met at its
        # first other character in ``inner`` itself, so the step there is kept)
        first_steps: dict[str, Parser | None] = {}
        ended = inner.can_end() and not inner.allowed()
        toks = np.nonzero(rest)[0]
        starts = np.zeros(len(toks), dtype=np.int64)
        if table is not None:
            starts = table.first_out[toks]
            toks = toks[starts >= 0]
            starts = starts[starts >= 0]
            if not ended and len(toks):
                # a token whose first character off the loop is one ``inner`` refuses
                # there (a raw newline in a JSON string: thousands of tokens) ends
                # nowhere: those are dropped by that character, stepped once each
                codes = index.unit_codes(index._first_unit[toks] + starts)
                # (not np.unique: its first call imports numpy.ma, ~40 ms)
                dead: list[int] = []
                closing: list[int] = []
                for c in set(codes.tolist()):
                    if c >= 0:
                        nxt = first_steps[chr(c)] = step(inner, chr(c))
                        if nxt is None:
                            dead.append(c)
                        elif c < 0x80 and nxt.can_end() and not nxt.allowed():
                            closing.append(c)
                if closing:
                    # the closing quote ends the text at once: a token with it as
                    # its first character off the loop leaves there (a thousand
                    # such tokens, ``",`` ``"}`` ``"))`` ..., each sliced, not stepped)
                    at_close = np.isin(codes, closing)
                    ct, cs = toks[at_close], starts[at_close]
                    after_char = (index.unit_offsets(ct, cs) + 1).tolist()
                    out.extend((token_bytes[t][o:], t, a)
                               for t, o, a in zip(ct.tolist(), after_char, (cs + 1).tolist(), strict=True))
                if dead or closing:
                    keep = ~np.isin(codes, dead + closing)
                    toks, starts = toks[keep], starts[keep]
        offsets = index.unit_offsets(toks, starts)
        for t, at, pos in zip(toks.tolist(), starts.tolist(), offsets.tolist(), strict=True):
            data = token_bytes[t]
            state: Parser | None = inner
            if table is not None and not ended:
                found = char_at(data, pos)
                if found is None:
                    continue
                char, pos = found
                state = first_steps.get(char, inner)
                if state is inner:
                    state = first_steps[char] = step(inner, char)
                at += 1
            while pos < len(data) and state is not None:
                if state.can_end() and not state.allowed():
                    out.append((data[pos:], t, at))
                    break
                found = char_at(data, pos)
                if found is None:
                    break  # not a character it could take (an unfinished one ends the token)
                char, pos = found
                state = step(state, char)
                at += 1
        trie = TokenTrie.of_suffixes(out)
        with self._lock:
            return remember(self._exit_tries, key, trie, 256)

    def _class_walk(self, state: Parser) -> tuple[np.ndarray, list[int]] | None:
        """Allowed tokens of a state that admits almost any character without looping.

        Characters with the same effect (``step_class``) lead to one successor; when
        that successor loops on a large set, every token starting with such a
        character is answered by the successor's loop table, and only the tokens
        starting elsewhere are walked.
        """
        remaining = state.allowed()
        if len(remaining) <= _HUGE:
            return None
        ids: list[int] = []
        mask: np.ndarray | None = None
        for _ in range(4):
            if len(remaining) <= _HUGE:
                break
            char = widest_sample(remaining)
            cls = state.step_class(char) & remaining
            successor = state.advance(char)
            if successor is None or len(cls) <= _HUGE:
                break
            loop = successor.loop()
            if successor.loop_limit() is not None or len(loop) <= _HUGE:
                break
            # class characters the successor does not loop on (the "/" of
            # "(.+)/(.+)") stay with the others to be walked
            cls = cls & loop
            if len(cls) <= _HUGE:
                break
            table = self.index.loop_table(loop)
            starts = self._first_in(cls)
            if mask is None:
                mask = self._dense()
            mask[: self.size] |= table.inside & starts
            # tokens that start in the class and leave the loop later: walked from
            # where they leave it (the table's cached escape tries), kept when
            # they start in the class
            later: list[int] = []
            if table.groups and table.groups[-1] >= 1:
                with filtered(starts):
                    later = table.escape_from(1).walk(successor, shortcut=self.index.subtree_shortcut)
            if later:
                arr = np.asarray(later, dtype=np.int64)
                ids.extend(arr[starts[arr]].tolist())
            remaining = remaining - cls
        if mask is None:
            return None
        if remaining:
            ids.extend(self.index.walk(state, first=remaining))
        # A token that is one unfinished character has no first character to
        # sort by: it is allowed when it can still become any allowed one.
        ids.extend(self.index.lone_tails(state.allowed()))
        return mask, ids

    def _first_in(self, chars: CharSet) -> np.ndarray:
        """Which tokens start with a character of ``chars`` (kept per set: the same
        classes come back with every key of an object)."""
        got = self._starts_memo.get(chars)
        if got is None:
            got = member(self.index.first_cp, chars)
            got.setflags(write=False)
            with self._lock:
                remember(self._starts_memo, chars, got, 256)
        return got

    def _loop_walk(self, state: Parser) -> tuple[np.ndarray, list[int]] | None:
        """Allowed tokens of a looping state: the loop table's tokens at once, and a
        walk over the rest of the others from their first non-loop character.
        Returns the former as a dense mask and the latter's ids; ``None`` when
        the state does not loop (or its counted loop has a shape not handled here)."""
        loop = state.loop()
        if len(loop) <= _HUGE:
            return None
        limit = state.loop_limit()
        sample = next(loop.samples())
        steps: list[Parser] = [state]
        tail_exact = limit is None
        if limit is not None:
            # no token is longer than the longest one: a limit beyond it (maxLength
            # 32767) needs no more states than that
            count = min(limit, self.index.max_units)
            # (a long count is kept by state key: the next count goes along the same
            # states; a short one costs less made again than looked up)
            memo = self._loop_steps if count > _SHORT_COUNT else None
            for _ in range(count):
                cur = steps[-1]
                if memo is None:
                    nxt = cur.advance(sample)
                else:
                    skey = (cur.key(), sample)
                    nxt = memo.get(skey, cur)
                    if nxt is cur:
                        nxt = cur.advance(sample)
                        with self._lock:
                            remember(memo, skey, nxt, _LOOP_STEPS)
                if nxt is None:
                    return None
                steps.append(nxt)
            if count == limit:
                last = steps[-1]
                if last.loop_limit() is None and not (loop - last.loop()):
                    tail_exact = True
                elif last.allowed() & loop:
                    return None
        return self._table_walk(loop, steps, tail_exact)

    def _chain_walk(self, state: Parser) -> tuple[np.ndarray, list[int]] | None:
        """Allowed tokens of a state at the head of a *chain*: a large class of
        characters that all step alike, state after state, as in a regex's
        ``[A-Za-z0-9-]{0,61}`` (a DFA state per count, none of them looping).

        The chain is followed with one sample character, checking at each state
        that the whole class still steps alike, until it closes (the class is
        rejected), turns into an exact loop, or is longer than any token; then
        the loop-table machinery answers every token by its length and walks the
        rest from the state where each leaves the class. ``None`` when the state
        has no such chain.
        """
        allowed = state.allowed()
        if len(allowed) <= _CHAIN:
            return None
        sample = widest_sample(allowed)
        cls = state.step_class(sample) & allowed
        if len(cls) <= _CHAIN:
            return None
        chain = follow_chain(state, cls, sample, self.index.max_units, self.index.chain_steps)
        if chain is None:
            return None
        steps, tail_exact = chain
        return self._table_walk(cls, steps, tail_exact)

    def _table_walk(self, loop: CharSet, steps: list[Parser],
                    tail_exact: bool) -> tuple[np.ndarray, list[int]]:
        """The loop table's answer for ``steps`` (the states after 0, 1, ... characters
        of ``loop``; the last one loops exactly when ``tail_exact``)."""
        table = self.index.loop_table(loop)
        n = len(steps) - 1
        mask = self._dense()
        ids: list[int] = []
        if tail_exact:
            mask[: self.size] = table.inside
        else:
            inside, over = table.inside_upto(n)
            mask[: self.size] = inside
            # n loop characters then an unfinished one: the loop table counts it as
            # a loop character, but it may become a character the state after the
            # count allows (a counted string, then a CJK literal)
            ids.extend(self.index.tails_allowed(over, steps[-1].allowed()).tolist())
        shortcut = self.index.subtree_shortcut
        # from the last step on, an exact loop meets every later escape in the
        # same state: one merged walk
        merged = max(n, 1)
        for before in table.groups:
            if tail_exact and before >= merged:
                if steps[-1].allowed() - loop:
                    ids.extend(table.escape_from(merged).walk(steps[-1], shortcut=shortcut))
                break
            if before >= len(steps):
                break
            if before == 0:
                ids.extend(self._outside_walk(steps[0], loop))
            elif steps[before].allowed() - loop:
                # (a state that takes only loop characters here takes none of these
                # tokens, whose character here is outside: no escape trie to build)
                ids.extend(table.escape(before).walk(steps[before], shortcut=shortcut))
        return mask, ids

    def _bits_of(self, ids: list[int], eos: bool = False) -> np.ndarray:
        """A packed row with the bits of ``ids`` set (and EOS's, with ``eos``):
        the very row made before from the same few ids, while that one is kept.
        Two in five of the few-id rows a cold pass makes (mistral-7b, the speed
        workload) equal one made before under another key (states that differ
        where no token reaches); a row of their own costs new memory, and new
        memory costs page faults (~14 us for the 16 KB row of a 128k vocabulary).
        Rows kept here are mostly the cache's own entries; those evicted from it
        stay until this memo is full (``_MADE_BYTES`` at most)."""
        recipe = None
        if len(ids) <= _RECIPE_IDS:
            recipe = (frozenset(ids), eos)
            got = self._made.get(recipe)
            if got is not None:
                return got
        row = array(_U32, self._zero_row)
        _put(row, ids, True)
        if eos:
            _put(row, self._eos_list, True)
        got = _row_array(row)
        if recipe is not None:
            with self._lock:
                remember(self._made, recipe, got, self._made_limit)
        return got

    def _dense(self) -> np.ndarray:
        """An empty one-bool-per-token mask, for the paths that fill it from tables."""
        return np.zeros(self.words * 32, dtype=bool)

    def _outside_walk(self, state: Parser, chars: CharSet) -> list[int]:
        """Tokens ``state`` admits among those whose first character is not in
        ``chars``: the vocabulary's own trie, entered only through the other
        first characters (the loop table's group 0 would be most of the
        vocabulary, too big to build a trie of per set). A few ASCII first
        characters -- a string's closing quote and backslash, a label's dot --
        are walked one subtree each, kept (:meth:`_first_walk`)."""
        allowed = state.allowed()
        outside = allowed - chars
        if outside and outside.ranges[-1][1] < 0x80 and len(outside) <= _FIRST_FEW:
            ids: list[int] = []
            for lo, hi in outside.ranges:
                for code in range(lo, hi + 1):
                    ids.extend(self._first_walk(code, state))
        else:
            ids = self.index.walk(state, first=~chars)
        # a lone unfinished character may still become one of ``chars``
        ids.extend(self.index.lone_tails(allowed))
        return ids

    def _first_walk(self, code: int, state: Parser) -> list[int]:
        """The tokens starting with ASCII character ``code`` that ``state`` admits,
        kept by the mask key, for texts as long as the rests of those tokens, of
        the state after the character: a string counted to 100 characters meets
        its closing quote's tokens at every count, and far from the bound every
        count goes on alike after it; a hostname label at every count goes on
        after its dot into the same next label."""
        trie = self.index.trie
        span = self._first_spans.get(code)
        if span is None:
            lo, hi = trie.prefix_range(_BYTE_OF[code])
            reach = int(self.index.lengths[trie.id_array[lo:hi]].max()) if lo < hi else 0
            span = self._first_spans[code] = (lo, hi, reach)
        lo, hi, reach = span
        if lo >= hi:
            return []
        nxt = step(state, chr(code))
        if nxt is None:
            return []
        # (the rests after the character are shorter than the longest such token)
        key = (code, nxt.mask_key(reach))
        got = self._first_walks.get(key)
        if got is None:
            with noting() as noted:
                found = trie.walk_node(lo, hi, 1, _BYTE_OF[code], 1, nxt,
                                       shortcut=self.index.subtree_shortcut)
            got = (found, tuple(noted))
            with self._lock:
                remember(self._first_walks, key, got, 4096)
        replay(got[1])
        return got[0]

    def transition(self, state: Parser, pending: bytes, token_id: int) -> tuple[Parser, bytes] | None:
        """The state after ``token_id`` (memoised; ``None`` if the token is rejected)."""
        # (kept per token under the state's key as it is: no tuple made around it
        # per transition -- one that would outlive the step, and every object kept
        # brings the next garbage collection nearer; with bytes pending, rare,
        # under a tuple led by a marker no parser's key holds)
        key = state.key() if not pending else (_PENDING, state.key(), pending)
        row = self._transitions.get(token_id)
        got = _MISSING if row is None else row.get(key, _MISSING)
        if got is _MISSING:
            result = _advance_bytes(state, pending, self.vocabulary.token_bytes[token_id])
            # (kept as the bare state when no bytes are left over, as nearly always:
            # one tuple less per transition for every later garbage collection to visit)
            kept = result[0] if result is not None and not result[1] else result
            with self._lock:
                if self._transitions_kept >= _TRANSITIONS:
                    self._transitions.clear()
                    self._transitions_kept = 0
                row = self._transitions.get(token_id)
                if row is None:
                    row = self._transitions[token_id] = {}
                row[key] = kept
                self._transitions_kept += 1
            return result
        if got is None or isinstance(got, tuple):
            return got
        return got, b""  # type: ignore[return-value]


_ALL = np.zeros(0, dtype=np.int32)  # (a count row that keeps every token)
# The cache's entries are kept under a state's cache key as it is (with no bytes
# pending, nearly every step: no tuple made and hashed around it); the others under
# a tuple led by one of these, which no parser's key holds.
_PENDING = object()  # (marker, cache key, pending bytes); (marker, state key, pending bytes) for transitions
_MISSING = object()  # (no transition kept)
_TOKENS = object()  # (marker, token key): states with equal token keys
_SEGMENT = object()  # (marker, head's cache key, exits): a shared head's own tokens
_CHAIN = 4  # classes larger than this are followed along a chain of states
_LOOP_STEPS = 16384  # steps of counted loops kept (a state each)
_SHORT_COUNT = 32  # counted loops up to this long make their steps afresh
_FIRST_FEW = 8  # outside a loop, at most this many ASCII first characters are walked one by one
_BYTE_OF = [bytes((b,)) for b in range(128)]
#: transitions kept (then the memo starts afresh). Each holds the parser state it
#: leads to, ~1.9 KB measured on the speed workload's JSON states, outside the
#: mask cache's ``max_bytes``: at this bound ~125 MB at most (it was a million:
#: ~2 GB, and that many more objects for every full garbage collection). The speed
#: benchmark replays ~12,000 steps per vocabulary (7,400 distinct transitions in a 10,000-step cold pass).
_TRANSITIONS = 65_536
_U32 = "I" if array("I").itemsize == 4 else "L"  # the array type code of a 32-bit word
_RECIPE_IDS = 64  # rows of at most this many ids are kept by their ids (see MaskCache._bits_of)
_MADE_BYTES = 16 * 1024 * 1024  # the rows kept so, at most (~1,000 rows of a 128k vocabulary)


def _row_array(row: array[int]) -> np.ndarray:
    """A packed row as a numpy array of its own, over a bytes copy of it (an
    array over the ``array``'s own buffer would keep a memoryview and a managed
    buffer alive per cache entry -- objects every full garbage collection then
    visits, thousands of them after a cold pass; bytes are not tracked)."""
    return np.frombuffer(row.tobytes(), dtype=np.int32)


def _pack(mask: np.ndarray) -> np.ndarray:
    return np.packbits(mask, bitorder="little").view(np.int32)


def _put(row: array[int], ids: list[int], on: bool) -> None:
    """Sets (``on``) or clears the bits of ``ids`` in a packed ``row``. A few ids --
    most walks admit a handful of tokens -- are set one by one: numpy's scatter
    costs ~10 us a call, three times that amid a cold pass."""
    if len(ids) > 64:
        arr = np.asarray(ids, dtype=np.int64)
        words = np.frombuffer(row, dtype=np.uint32)
        one = np.uint32(1) << (arr & 31).astype(np.uint32)
        if on:
            np.bitwise_or.at(words, arr >> 5, one)
        else:
            np.bitwise_and.at(words, arr >> 5, ~one)
    elif on:
        for i in ids:
            row[i >> 5] |= 1 << (i & 31)
    else:
        for i in ids:
            row[i >> 5] &= ~(1 << (i & 31)) & 0xFFFFFFFF


def _advance_bytes(state: Parser, pending: bytes, data: bytes) -> tuple[Parser, bytes] | None:
    complete, rest = split_complete(pending + data)
    try:
        text = complete.decode("utf-8")
    except UnicodeDecodeError:
        return None
    nxt = state.advance_text(text)
    if nxt is None:
        return None
    if rest:
        rng = partial_range(rest)
        if rng is None or not nxt.allowed().intersects_range(*rng):
            return None
    return nxt, rest


_SHARED: dict[str, MaskCache] = {}
_SHARED_LOCK = threading.Lock()


def shared_cache(vocabulary: Vocabulary) -> MaskCache:
    """The process-wide cache for ``vocabulary`` (keyed by its fingerprint),
    warmed up for JSON when it is made (see :mod:`lmparsec.tokens.warmup`)."""
    cache = _SHARED.get(vocabulary.fingerprint)
    if cache is None:
        with _SHARED_LOCK:
            cache = _SHARED.get(vocabulary.fingerprint)
            if cache is None:
                cache = MaskCache(vocabulary, warm_up=True)
                _SHARED[vocabulary.fingerprint] = cache
    return cache

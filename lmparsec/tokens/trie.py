"""A token-prefix trie as a sorted list of byte strings.

A node is a range of the sorted list plus a depth: the tokens in
``keys[lo:hi]`` share their first ``depth`` bytes. Children are found with
``bisect`` on the list itself, so the trie costs one sort to build, no node
objects, and pickles as two lists (measured: the 151k-token Qwen3 vocabulary
sorts in ~60 ms, where a dict-of-dicts trie took ~1 s and ~10x the memory).

The walk visits only the subtrees whose bytes a parser state admits,
decoding UTF-8 on the way: a complete character advances the parser; an
unfinished one is kept while some character it can still become is allowed.
Because a subtree is a contiguous slice, a *shortcut* (see
:meth:`lmparsec.tokens.index.TokenIndex.subtree_shortcut`) can answer all of
its tokens at once with numpy when the state there loops, instead of walking
them character by character.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable, Iterable
from operator import itemgetter

import numpy as np

from ..combinators.base import Parser
from ..combinators.charset import CharSet
from ..memo import remember
from .segment import Exit, Mark, note, noting, replay
from .utf8 import char_at, partial_range, sequence_length

__all__ = ["Shortcut", "Spans", "SplitTrie", "TokenTrie", "step", "widest_sample"]

_BYTE = [bytes((b,)) for b in range(256)]  # one-byte strings, made once (the walk joins many)
_CHR = [chr(b) for b in range(128)]
_FIRST = itemgetter(0)
_FEW = 3  # subtrees with at most this many tokens are followed token by token
_SUBTREE = 16  # subtrees with at least this many tokens are offered to the shortcut

_GROUP = 64  # roots with at least this many entries have children that step alike answered together
_GROUP_CHARS = 4  # ... when at least this many of them step alike
_GROUP_NEXT = 64  # ... into a state that allows at least this many characters

#: trie entries as ``((lo, hi), ...)``: one node's range, or the ranges of
#: sibling nodes whose characters lead to one state
Spans = tuple[tuple[int, int], ...]

#: ``shortcut(state, trie, spans, chars)`` answers the trie entries in ``spans``
#: (each a prefix of ``chars`` complete characters, after which ``state`` is
#: reached) without walking them, wholly or in part: it returns the admitted ids
#: it found and the next characters whose entries are still to be walked (empty
#: when none), or ``None`` to walk them all.
Shortcut = Callable[[Parser, "TokenTrie", Spans, int], "tuple[list[int], CharSet] | None"]


class TokenTrie:
    """Sorted ``(bytes, token id)`` pairs with a pruning walk.

    A trie may hold token *suffixes*: ``starts`` gives, per entry (or for all at
    once), the character of its token where the entry begins, so that a
    shortcut can look up per-token tables at the right place.
    """

    __slots__ = ("_id_array", "ids", "keys", "starts")

    def __init__(self, items: Iterable[tuple[bytes, int]], starts: int = 0) -> None:
        pairs = sorted((b, i) for b, i in items if b)
        # tuples, not lists: holding only bytes and ints, the garbage collector stops
        # visiting them after one look (a process keeps hundreds of suffix tries)
        self.keys: tuple[bytes, ...] = tuple(b for b, _ in pairs)
        self.ids: tuple[int, ...] = tuple(i for _, i in pairs)
        self.starts: int | np.ndarray = starts
        self._id_array: np.ndarray | None = None

    @classmethod
    def of_suffixes(cls, items: Iterable[tuple[bytes, int, int]]) -> TokenTrie:
        """A trie of ``(suffix bytes, token id, character it starts at)`` entries."""
        triples = [t for t in items if t[0]]
        # (by the bytes alone: entries with equal bytes may come in any order, and
        # comparing bytes, not whole tuples, halves the sort -- a chain plan sorts
        # thousands of suffixes a first walk)
        triples.sort(key=_FIRST)
        trie = cls(())
        if triples:
            keys, ids, starts = zip(*triples, strict=True)
            trie.keys = keys
            trie.ids = ids
            trie.starts = np.asarray(starts, dtype=np.int64)
        else:
            trie.starts = np.zeros(0, dtype=np.int64)
        return trie

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def id_array(self) -> np.ndarray:
        """The ids in trie order, as a numpy array (built on first use)."""
        arr = self._id_array
        if arr is None:
            arr = self._id_array = np.fromiter(self.ids, dtype=np.int64, count=len(self.ids))
        return arr

    def prefix_range(self, prefix: bytes, lo: int = 0, hi: int | None = None) -> tuple[int, int]:
        """The entries whose bytes start with ``prefix``, as ``lo, hi`` (searched
        within ``lo:hi`` when the caller knows they lie there)."""
        keys = self.keys
        if hi is None:
            hi = len(keys)
        lo = bisect_left(keys, prefix, lo, hi)
        end = prefix.rstrip(b"\xff")
        if end:
            hi = bisect_left(keys, end[:-1] + bytes((end[-1] + 1,)), lo, hi)
        return lo, hi

    def along(self, data: bytes) -> tuple[list[int], int, int]:
        """Ids of the entries whose bytes are a prefix of ``data`` (a key's name: a few
        bytes in, no token spells it further), and the range of the entries that go
        on past it, as ``lo, hi`` -- one narrowing search for both: each longer
        prefix lies inside the range of the shorter one."""
        keys = self.keys
        ids = self.ids
        out: list[int] = []
        lo, hi = 0, len(keys)
        for n in range(1, len(data) + 1):
            head = data[:n]
            lo = bisect_left(keys, head, lo, hi)
            if lo >= hi or not keys[lo].startswith(head):
                return out, lo, lo
            k = lo
            while k < hi and keys[k] == head:  # ``head`` itself sorts first (twice if spelled twice)
                out.append(ids[k])
                k += 1
        return out, *self.prefix_range(data, lo, hi)

    def walk(self, state: Parser, pending: bytes = b"", *, first: CharSet | None = None,
             shortcut: Shortcut | None = None) -> list[int]:
        """Ids of the tokens ``state`` admits, given ``pending`` bytes of an
        unfinished character already emitted; with ``first``, only tokens whose
        first character is in it. ``shortcut`` may answer whole subtrees at once
        (see :data:`Shortcut`)."""
        out: list[int] = []
        if pending:  # the entries start mid-character: per-character tables do not apply
            shortcut = None
        self._walk(0, len(self.keys), 0, b"", state, pending, out, first, shortcut, 0)
        return out

    def walk_node(self, lo: int, hi: int, depth: int, prefix: bytes, chars: int, state: Parser, *,
                  shortcut: Shortcut | None = None) -> list[int]:
        """Ids of entries ``lo:hi`` (sharing ``prefix``, ``depth`` bytes and ``chars``
        complete characters) that ``state`` admits from there: a walk resumed at a
        node some earlier walk noted (:mod:`lmparsec.tokens.segment`)."""
        out: list[int] = []
        self._walk(lo, hi, depth, prefix, state, b"", out, None, shortcut, chars)
        return out

    def _walk(self, lo: int, hi: int, depth: int, prefix: bytes, state: Parser,
              partial: bytes, out: list[int], first: CharSet | None = None,
              shortcut: Shortcut | None = None, chars: int = 0, offer: bool = True) -> None:
        if state.__class__ is Mark:
            note(self, lo, hi, depth, prefix, chars, state)
            return
        keys = self.keys
        i = lo
        if depth and len(keys[i]) == depth:
            # the entries that end here all equal ``prefix`` and sort first: one
            # slice (a suffix trie holds hundreds of tokens ending in ``",``)
            j = bisect_right(keys, prefix, i, hi)
            out.extend(self.ids[i:j])
            i = j
        if i >= hi:
            return
        if hi - i <= _FEW and first is None:
            # a few tokens left under this prefix (half of all nodes a walk meets
            # hold one): follow each to its end, without a node per character
            for k in range(i, hi):
                if self._admits(k, state, partial, depth, chars):
                    out.append(self.ids[k])
            return
        if shortcut is not None and offer and depth and not partial and hi - i >= _SUBTREE:
            got = shortcut(state, self, ((i, hi),), chars)
            if got is not None:
                ids, rest = got
                out.extend(ids)
                if not rest:
                    return
                first = rest
        allowed = state.allowed()
        if first is not None:
            allowed = allowed & first
        if not allowed:
            return
        if not partial:
            self._children(i, hi, depth, prefix, state, allowed, out, first, shortcut, chars)
            return
        # mid-character: only continuation bytes go on (one run of the children)
        i = bisect_left(keys, prefix + b"\x80", i, hi)
        hi = bisect_left(keys, prefix + b"\xc0", i, hi)
        while i < hi:
            byte = keys[i][depth]
            j = bisect_left(keys, prefix + _BYTE[byte + 1], i, hi)
            child = prefix + _BYTE[byte]
            data = partial + _BYTE[byte]
            if len(data) == sequence_length(data[0]):
                try:
                    char = data.decode("utf-8")
                except UnicodeDecodeError:
                    char = ""
                if char and allowed.contains_code(ord(char)):
                    nxt = state.advance(char)
                    if nxt is not None:
                        self._walk(i, j, depth + 1, child, nxt, b"", out, None, shortcut, chars + 1)
            else:
                rng = partial_range(data)
                if rng is not None and allowed.intersects_range(*rng):
                    self._walk(i, j, depth + 1, child, state, data, out, first, shortcut, chars)
            i = j

    def _children(self, i: int, hi: int, depth: int, prefix: bytes, state: Parser, allowed: CharSet,
                  out: list[int], first: CharSet | None, shortcut: Shortcut | None, chars: int) -> None:
        """The walk's step into the children of a node on a character boundary:
        only the children in ``allowed``'s ranges are looked at (a JSON value's
        first characters are a dozen ranges; the root has ~250 children)."""
        keys = self.keys
        ranges = allowed.ranges
        # (at a root: below one, the shortcut is offered each child on its own)
        kids: list[tuple[int, int, int]] | None = (
            [] if shortcut is not None and not depth and hi - i >= _GROUP else None)
        for lo, top in ranges:
            if lo >= 0x80:
                break
            if top > 0x7F:  # (a comparison, not min(): this runs at every node of every walk)
                top = 0x7F
            a = bisect_left(keys, prefix + _BYTE[lo], i, hi)
            while a < hi:
                byte = keys[a][depth]
                if byte > top:
                    break
                b = bisect_left(keys, prefix + _BYTE[byte + 1], a, hi)
                if kids is not None:
                    kids.append((byte, a, b))
                else:
                    nxt = state.advance(_CHR[byte])
                    if nxt is not None:
                        child = prefix + _BYTE[byte]
                        self._walk(a, b, depth + 1, child, nxt, b"", out, None, shortcut, chars + 1)
                a = b
        if kids:
            assert shortcut is not None
            self._grouped(kids, depth, prefix, state, allowed, out, shortcut, chars)
        if ranges[-1][1] < 0x80:
            return
        # a multi-byte character: its lead byte is followed while some character
        # it can still become is allowed
        a = bisect_left(keys, prefix + b"\x80", i, hi)
        while a < hi:
            byte = keys[a][depth]
            b = hi if byte == 0xFF else bisect_left(keys, prefix + _BYTE[byte + 1], a, hi)
            lead = _BYTE[byte]
            rng = partial_range(lead)
            if rng is not None and allowed.intersects_range(*rng):
                self._walk(a, b, depth + 1, prefix + lead, state, lead, out, first, shortcut, chars)
            a = b

    def _grouped(self, kids: list[tuple[int, int, int]], depth: int, prefix: bytes, state: Parser,
                 allowed: CharSet, out: list[int], shortcut: Shortcut, chars: int) -> None:
        """The ASCII children ``(byte, lo, hi)`` of a large root, where a large
        class of their characters steps alike (``step_class``): offered to the
        shortcut as one node. At the root of a hash string the 22 hexadecimal
        digits lead to one state, whose classes are then answered once for
        all of them, not once per digit; the other children, and what the
        shortcut leaves, are walked child by child."""
        keys = self.keys
        remaining = allowed
        for _ in range(2):
            if len(remaining) < _GROUP_CHARS:
                break
            char = widest_sample(remaining)
            nxt = state.advance(char)
            # (a successor that allows few characters has no class for the shortcut
            # to answer: its children are walked as they are, and no class is asked)
            if nxt is None or nxt.__class__ is Mark or len(nxt.allowed()) < _GROUP_NEXT:
                break
            cls = state.step_class(char) & remaining
            if len(cls) < _GROUP_CHARS:
                break
            remaining = remaining - cls
            same = [k for k in kids if cls.contains_code(k[0])]
            if len(same) < _GROUP_CHARS:
                continue
            kids = [k for k in kids if not cls.contains_code(k[0])]
            # the entries that end with the child's character are taken by any state
            # it leads to; the shortcut answers the ones that go on
            spans: list[tuple[int, int]] = []
            for byte, a, b in same:
                if len(keys[a]) == depth + 1:
                    j = bisect_right(keys, prefix + _BYTE[byte], a, b)
                    out.extend(self.ids[a:j])
                    a = j
                spans.append((a, b))
            got = None
            if sum(b - a for a, b in spans) >= _SUBTREE:
                got = shortcut(nxt, self, tuple(spans), chars + 1)
            if got is not None:
                out.extend(got[0])
                if not got[1]:
                    continue
            for (byte, _, _), (a, b) in zip(same, spans, strict=True):
                if a < b:
                    self._walk(a, b, depth + 1, prefix + _BYTE[byte], nxt, b"", out,
                               None if got is None else got[1], shortcut, chars + 1, False)
        for byte, a, b in kids:
            nxt = state.advance(_CHR[byte])
            if nxt is not None:
                self._walk(a, b, depth + 1, prefix + _BYTE[byte], nxt, b"", out, None, shortcut, chars + 1)

    def _admits(self, k: int, state: Parser, partial: bytes, depth: int, chars: int) -> bool:
        """Whether ``state`` (with ``partial`` bytes of an unfinished character) admits
        the rest of entry ``k`` from byte ``depth``, with the same checks as the walk:
        each character must be allowed and advance, an unfinished last one must still
        be able to become an allowed character."""
        key = self.keys[k]
        data = partial + key[depth:] if partial else key[depth:]
        pos = 0
        while pos < len(data):
            got = char_at(data, pos)
            if got is None:
                rng = partial_range(data[pos:])
                return rng is not None and state.allowed().intersects_range(*rng)
            char, pos = got
            nxt = step(state, char)
            if nxt is None:
                return False
            chars += 1
            if nxt.__class__ is Mark:
                at = depth - len(partial) + pos
                note(self, k, k + 1, at, key[:at], chars, nxt)
                return False
            state = nxt
        return True


class SplitTrie:
    """Token suffixes grouped by their first character, a :class:`TokenTrie` per
    group built on first use.

    A loop table's escapes start wherever tokens leave the set -- after a hex
    loop, with hundreds of different characters -- while the state there
    allows a few (a closing quote, a colon). A walk enters only the groups its
    state allows, and only those are ever sorted into tries: one merged trie of
    ~10k suffixes took ~20 ms to build for a walk that kept a handful.

    A group's walk is kept by the state's mask key for texts as long as the
    group's longest entry: the escapes of a string counted to 32 characters are
    walked from the state at every count, and far from the bound the counts
    take every such entry alike (the walk never reads past an entry's end).
    """

    __slots__ = ("_bounds", "_codes", "_entries", "_reach", "_tries", "_walks")

    def __init__(self, suffixes: Callable[[np.ndarray], Iterable[tuple[bytes, int, int]]],
                 codes: np.ndarray) -> None:
        """``codes[i]``: the first character of entry ``i`` (-1 when it is an
        unfinished one); ``suffixes(rows)`` gives those entries' ``(bytes, token
        id, character it starts at)``."""
        # (16-bit keys sort by radix, five times faster: shifted past the -1, BMP
        # codes fit; a suffix starting beyond the BMP sorts by comparison)
        bmp = len(codes) and int(codes.max()) < 0xFFFF
        order = np.argsort((codes + 1).astype(np.uint16) if bmp else codes, kind="stable")
        ranked = codes[order]
        # where each code's run starts (not np.unique: its first call in a process
        # imports numpy.ma, ~40 ms charged to whichever mask asks first)
        first = np.flatnonzero(np.diff(ranked)) + 1
        self._codes: list[int] = ranked[:1].tolist() + ranked[first].tolist()
        self._bounds: list[int] = [0, *first.tolist(), len(order)] if len(order) else [0]
        self._entries = (order, suffixes)
        self._tries: dict[int, TokenTrie] = {}
        self._reach: dict[int, int] = {}
        self._walks: dict[tuple[int, Hashable], tuple[list[int], tuple[Exit, ...]]] = {}

    def _group(self, g: int) -> TokenTrie:
        trie = self._tries.get(g)
        if trie is None:
            order, suffixes = self._entries
            rows = order[self._bounds[g] : self._bounds[g + 1]]
            trie = TokenTrie.of_suffixes(suffixes(rows))
            self._reach[g] = max(map(len, trie.keys), default=0)
            self._tries[g] = trie
        return trie

    def _walk_group(self, g: int, state: Parser, shortcut: Shortcut | None) -> list[int]:
        trie = self._group(g)
        # (bytes bound characters: texts this long cover every entry)
        key = (g, state.mask_key(self._reach[g] + 1))
        got = self._walks.get(key)
        if got is None:
            with noting() as noted:
                ids = trie.walk(state, shortcut=shortcut)
            got = remember(self._walks, key, (ids, tuple(noted)), 1024)
        replay(got[1])
        return got[0]

    def walk(self, state: Parser, *, shortcut: Shortcut | None = None) -> list[int]:
        """Ids of the entries ``state`` admits (as :meth:`TokenTrie.walk` of them all)."""
        codes = self._codes
        out: list[int] = []
        if codes and codes[0] < 0:
            # an unfinished first character: the walk checks what it can become
            out.extend(self._walk_group(0, state, shortcut))
        for lo, hi in state.allowed().ranges:
            for g in range(bisect_left(codes, lo), bisect_right(codes, hi)):
                out.extend(self._walk_group(g, state, shortcut))
        return out


def widest_sample(chars: CharSet) -> str:
    """A character from the widest range of ``chars`` (the likeliest to stand for a large class)."""
    lo, hi = max(chars.ranges, key=lambda r: r[1] - r[0])
    return chr(0xE000) if 0xD800 <= lo <= 0xDFFF and hi >= 0xE000 else chr(lo)  # (not a surrogate)


def step(state: Parser, char: str) -> Parser | None:
    """The state after ``char`` with the walk's own check: the character must be
    allowed, not only advance (``allowed()`` may leave out dead ends)."""
    return state.advance(char) if char in state.allowed() else None




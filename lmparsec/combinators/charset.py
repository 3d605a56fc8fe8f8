"""Sets of Unicode characters as sorted, disjoint code-point ranges.

A parser's ``allowed()`` must be able to say "any character except ``"``, ``\\``
and controls" without enumerating a million code points, so sets are stored
as ranges. They are immutable and hashable: the token layer caches
per-vocabulary work (which tokens stay inside a set) keyed by the set itself.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator

from ..memo import remember

__all__ = ["CharSet", "MAX_CODEPOINT"]

MAX_CODEPOINT = 0x10FFFF


def _normalise(ranges: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    out: list[list[int]] = []
    for lo, hi in sorted(r for r in ranges if r[0] <= r[1]):
        if out and lo <= out[-1][1] + 1:
            if hi > out[-1][1]:
                out[-1][1] = hi
        else:
            out.append([lo, hi])
    return tuple((lo, hi) for lo, hi in out)


class CharSet:
    """An immutable set of characters: inclusive code-point ranges ``(lo, hi)``."""

    __slots__ = ("_hash", "_len", "_starts", "ranges")

    ranges: tuple[tuple[int, int], ...]
    _starts: tuple[int, ...]
    _hash: int
    _len: int

    EMPTY: CharSet
    ANY: CharSet

    def __new__(cls, ranges: Iterable[tuple[int, int]] = ()) -> CharSet:
        return cls._normal(_normalise(ranges))

    @classmethod
    def _normal(cls, ranges: tuple[tuple[int, int], ...]) -> CharSet:
        """The set of ranges already sorted, disjoint and not touching (what the
        algebra below produces), skipping the normalisation: the token layer
        combines sets at every node of its walks.

        Equal sets are one object while they fit the intern table: parser states
        keep their allowed sets, and a cold pass over a few dozen schemas made
        ~28,000 sets of ~1,200 distinct values, each one more object for every
        full garbage collection to visit."""
        got = _INTERNED.get(ranges)
        if got is not None:
            return got
        out = object.__new__(cls)
        out.ranges = ranges
        out._starts = tuple(lo for lo, _ in ranges)
        out._hash = hash(ranges)
        out._len = -1
        return remember(_INTERNED, ranges, out, _INTERN_SIZE)

    # -- construction --------------------------------------------------------
    @classmethod
    def of(cls, chars: Iterable[str]) -> CharSet:
        """The set holding exactly ``chars`` (any iterable of 1-char strings)."""
        if type(chars) is str and len(chars) == 1:
            # one character: the commonest call (a default ``step_class``), kept
            got = _SINGLE.get(chars)
            if got is None:
                cp = ord(chars)
                got = remember(_SINGLE, chars, cls._normal(((cp, cp),)), _MEMO_SIZE)
            return got
        return cls((ord(c), ord(c)) for c in chars)

    @classmethod
    def of_codes(cls, codes: list[int]) -> CharSet:
        """The set of the sorted code points ``codes`` (runs of consecutive ones
        become one range, without the general normalisation's sort)."""
        out: list[tuple[int, int]] = []
        for cp in codes:
            if out and cp <= out[-1][1] + 1:
                if cp > out[-1][1]:
                    out[-1] = (out[-1][0], cp)
            else:
                out.append((cp, cp))
        return cls._normal(tuple(out))

    @classmethod
    def range(cls, first: str, last: str) -> CharSet:
        """All characters from ``first`` to ``last`` inclusive."""
        return cls([(ord(first), ord(last))])

    # -- queries -------------------------------------------------------------
    def __contains__(self, char: object) -> bool:
        if not isinstance(char, str):
            return False
        try:
            cp = ord(char)
        except TypeError:  # (not one character)
            return False
        i = bisect_right(self._starts, cp) - 1
        return i >= 0 and cp <= self.ranges[i][1]

    def contains_code(self, cp: int) -> bool:
        """Membership by code point, the form the token layer has at hand."""
        i = bisect_right(self._starts, cp) - 1
        return i >= 0 and cp <= self.ranges[i][1]

    def intersects_range(self, lo: int, hi: int) -> bool:
        """Whether any code point in ``[lo, hi]`` is in the set.

        The token layer asks this for a partial UTF-8 character: the code
        points sharing a byte prefix form one contiguous range.
        """
        i = bisect_right(self._starts, hi) - 1
        return i >= 0 and self.ranges[i][1] >= lo

    def __bool__(self) -> bool:
        return bool(self.ranges)

    def __len__(self) -> int:
        n = self._len
        if n < 0:
            n = self._len = sum(hi - lo + 1 for lo, hi in self.ranges)
        return n

    def __iter__(self) -> Iterator[str]:
        for lo, hi in self.ranges:
            for cp in range(lo, hi + 1):
                if not 0xD800 <= cp <= 0xDFFF:
                    yield chr(cp)

    def single(self) -> str | None:
        """The only character of the set, or ``None`` if it has zero or several."""
        if len(self.ranges) == 1 and self.ranges[0][0] == self.ranges[0][1]:
            return chr(self.ranges[0][0])
        return None

    def samples(self) -> Iterator[str]:
        """One representative character per range (lowest that is a valid scalar)."""
        for lo, hi in self.ranges:
            cp = lo
            if 0xD800 <= cp <= 0xDFFF:
                cp = 0xE000
            if cp <= hi:
                yield chr(cp)

    # -- algebra -------------------------------------------------------------
    def __or__(self, other: CharSet) -> CharSet:
        if not other.ranges:
            return self
        if not self.ranges or self is other:
            return other
        memo = _OR_MEMO.get((self, other))
        if memo is not None:
            return memo
        return remember(_OR_MEMO, (self, other), CharSet(self.ranges + other.ranges), _MEMO_SIZE)

    def __invert__(self) -> CharSet:
        out = []
        prev = 0
        for lo, hi in self.ranges:
            if lo > prev:
                out.append((prev, lo - 1))
            prev = hi + 1
        if prev <= MAX_CODEPOINT:
            out.append((prev, MAX_CODEPOINT))
        return CharSet._normal(tuple(out))

    def __and__(self, other: CharSet) -> CharSet:
        if not self.ranges or not other.ranges:
            return CharSet.EMPTY
        if self is other:
            return self
        memo = _AND_MEMO.get((self, other))
        if memo is not None:
            return memo
        return remember(_AND_MEMO, (self, other), self._intersect(other), _MEMO_SIZE)

    def _intersect(self, other: CharSet) -> CharSet:
        out = []
        a, b = self.ranges, other.ranges
        i = j = 0
        while i < len(a) and j < len(b):
            # (comparisons, not min() and max(): sets are intersected at every trie node)
            (alo, ahi), (blo, bhi) = a[i], b[j]
            lo = alo if alo > blo else blo
            hi = ahi if ahi < bhi else bhi
            if lo <= hi:
                out.append((lo, hi))
            if ahi < bhi:
                i += 1
            else:
                j += 1
        # pieces of two normal sets are separated by a gap of one of them: normal too
        return CharSet._normal(tuple(out))

    def __sub__(self, other: CharSet) -> CharSet:
        if not other.ranges or not self.ranges:
            return self
        memo = _SUB_MEMO.get((self, other))
        if memo is not None:
            return memo
        return remember(_SUB_MEMO, (self, other), self._intersect(~other), _MEMO_SIZE)

    # -- value semantics -------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        return self is other or (isinstance(other, CharSet) and self.ranges == other.ranges)

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self) -> tuple[type, tuple[tuple[tuple[int, int], ...]]]:
        return (CharSet, (self.ranges,))

    def __repr__(self) -> str:
        def show(cp: int) -> str:
            return repr(chr(cp)) if cp < 0xD800 or cp > 0xDFFF else hex(cp)

        parts = [show(lo) if lo == hi else f"{show(lo)}-{show(hi)}" for lo, hi in self.ranges[:8]]
        more = ", ..." if len(self.ranges) > 8 else ""
        return f"CharSet({', '.join(parts)}{more})"


# Parsers ask for the same few combinations over and over (the allowed set of a
# JSON string with a quote added, a state's set cut to ASCII); a bounded memo
# of results keyed by the operands makes the repeats dictionary lookups.
_MEMO_SIZE = 4096
_AND_MEMO: dict[tuple[CharSet, CharSet], CharSet] = {}
_SUB_MEMO: dict[tuple[CharSet, CharSet], CharSet] = {}
_OR_MEMO: dict[tuple[CharSet, CharSet], CharSet] = {}
_SINGLE: dict[str, CharSet] = {}
_INTERN_SIZE = 16384
_INTERNED: dict[tuple[tuple[int, int], ...], CharSet] = {}

CharSet.EMPTY = CharSet()
CharSet.ANY = CharSet([(0, MAX_CODEPOINT)])

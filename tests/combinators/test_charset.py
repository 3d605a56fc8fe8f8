"""CharSet algebra against Python sets of code points on a small universe."""

from __future__ import annotations

import copy
import pickle

from hypothesis import given, settings
from hypothesis import strategies as st

from lmparsec import CharSet
from lmparsec.combinators import charset
from lmparsec.combinators.charset import MAX_CODEPOINT

UNIVERSE = 40  # code points 0..39, plus the edge of Unicode checked separately

ranges = st.lists(st.tuples(st.integers(0, UNIVERSE - 1), st.integers(0, UNIVERSE - 1)), max_size=5)


def as_set(rs: list[tuple[int, int]]) -> set[int]:
    return {cp for lo, hi in rs for cp in range(lo, hi + 1)}


def members(cs: CharSet) -> set[int]:
    return {cp for cp in range(UNIVERSE) if cs.contains_code(cp)}


@settings(max_examples=150, deadline=None)
@given(ranges, ranges)
def test_algebra_matches_python_sets(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> None:
    x, y = CharSet(a), CharSet(b)
    sx, sy = as_set(a), as_set(b)
    assert members(x) == sx
    assert members(x | y) == sx | sy
    assert members(x & y) == sx & sy
    assert members(x - y) == sx - sy
    assert members(~x) == set(range(UNIVERSE)) - sx
    assert (~~x) == x
    assert len(x) == len(sx)
    assert bool(x) == bool(sx)
    # normal form: equal sets are equal values with equal hashes
    assert CharSet(sorted(a, reverse=True)) == x and hash(CharSet(list(reversed(a)))) == hash(x)
    assert (x | y) == (y | x) and (x & y) == (y & x)
    for lo, hi in x.ranges:
        assert lo <= hi
    # every result is in normal form too (the algebra skips re-normalising), and
    # asking again (answered from the memo) gives the same set
    for z in (x, x | y, x & y, x - y, ~x, ~y & x):
        for lo, hi in z.ranges:
            assert lo <= hi
        for (_, h1), (l2, _) in zip(z.ranges, z.ranges[1:], strict=False):
            assert h1 + 1 < l2  # disjoint and not adjacent
        assert z == CharSet(z.ranges) and hash(z) == hash(CharSet(z.ranges))
    assert (x & y) == (CharSet(a) & CharSet(b)) and (x - y) == (CharSet(a) - CharSet(b))
    assert (x | y) == (CharSet(a) | CharSet(b))


@settings(max_examples=100, deadline=None)
@given(ranges, st.integers(0, UNIVERSE - 1), st.integers(0, UNIVERSE - 1))
def test_queries(a: list[tuple[int, int]], lo: int, hi: int) -> None:
    x = CharSet(a)
    s = as_set(a)
    lo, hi = min(lo, hi), max(lo, hi)
    assert x.intersects_range(lo, hi) == bool(s & set(range(lo, hi + 1)))
    for cp in range(UNIVERSE):
        assert (chr(cp) in x) == (cp in s)
    assert {ord(c) for c in x} == s
    assert [ord(c) for c in x.samples()] == [lo for lo, _ in x.ranges]
    single = x.single()
    assert single == (chr(next(iter(s))) if len(s) == 1 else None)


def test_whole_unicode_and_surrogates() -> None:
    assert len(CharSet.ANY) == MAX_CODEPOINT + 1
    assert ~CharSet.ANY == CharSet.EMPTY and ~CharSet.EMPTY == CharSet.ANY
    assert "\U0010ffff" in CharSet.ANY and "🎉" in ~CharSet.of("a")
    surrogates = CharSet([(0xD800, 0xDFFF)])
    assert list(surrogates) == []
    assert list(CharSet([(0xD800, 0xE000)]).samples()) == ["\ue000"]
    assert "ab" not in CharSet.ANY and 5 not in CharSet.ANY  # type: ignore[operator]
    assert CharSet.range("a", "c") == CharSet.of("cab")


@given(ranges)
@settings(max_examples=30, deadline=None)
def test_pickle_and_copy(a: list[tuple[int, int]]) -> None:
    x = CharSet(a)
    for y in (pickle.loads(pickle.dumps(x)), copy.deepcopy(x), copy.copy(x)):
        assert y == x and hash(y) == hash(x) and members(y) == members(x)


@settings(max_examples=200, deadline=None)
@given(st.sets(st.integers(0, 400), max_size=40))
def test_of_codes_matches_of(codes: set[int]) -> None:
    ordered = sorted(codes)
    got = CharSet.of_codes(ordered)
    assert got == CharSet.of(chr(c) for c in ordered)
    assert {ord(c) for c in got} == codes


def test_equal_sets_are_one_object() -> None:
    # parser states keep their allowed sets: equal ones are shared, not copied
    charset._INTERNED.clear()  # (a full table is cleared: start with room)
    a = CharSet([(5, 9), (20, 30)])
    b = CharSet.of_codes([5, 6, 7, 8, 9]) | CharSet([(20, 30)])
    assert a == b and a is b
    assert (~~a) is a

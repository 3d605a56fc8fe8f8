"""Sequence, Union and choice against ``re.fullmatch`` of the equivalent pattern."""

from __future__ import annotations

import re
from collections.abc import Hashable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import language_texts

from lmparsec import FreeText, Literal, Regex, Sequence, Union, choice
from lmparsec.combinators.base import Parser
from lmparsec.combinators.charset import CharSet
from lmparsec.errors import GrammarError

# (parser factory, equivalent regex, alphabet to probe with)
CASES = [
    (lambda: Sequence(FreeText(), Literal("!")), r"(?s:.*)!", "ab!é\n"),
    (lambda: Sequence(Regex("a*"), Regex("a*b")), r"a*a*b", "ab"),
    (lambda: Sequence(Regex("a*"), Regex("a?"), Regex("ab")), r"a*a?ab", "ab"),
    (lambda: Sequence(Literal("x"), Regex("[0-9]*"), Regex("[0-9]{2}")), r"x[0-9]*[0-9]{2}", "x01"),
    (lambda: Sequence(Regex("(ab)*"), Regex("(ab)*a")), r"(ab)*(ab)*a", "ab"),
    (lambda: Sequence(Literal(""), Regex("b*"), Literal("")), r"b*", "ab"),
    (lambda: Union(Literal("yes"), Literal("yesno"), Regex("y[a-z]*s")), r"yes|yesno|y[a-z]*s", "yesno"),
    (lambda: Union(Regex("a+"), Sequence(Regex("a*"), Literal("b"))), r"a+|a*b", "ab"),
    (lambda: choice(["cat", "car", "cart", Regex("c[0-9]")]), r"cat|car|cart|c[0-9]", "cart1"),
    (
        lambda: Sequence(Union(Literal("a"), Literal("ab")), Union(Literal("bc"), Literal("c"))),
        r"(a|ab)(bc|c)",
        "abc",
    ),
]


@pytest.mark.parametrize("case", range(len(CASES)))
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_against_regex_oracle(case: int, data: st.DataObject) -> None:
    make, pattern, alphabet = CASES[case]
    parser = make()
    text = data.draw(language_texts(parser, max_length=10))
    assert re.fullmatch(pattern, text), (pattern, text)
    probe = data.draw(st.text(st.sampled_from(alphabet), max_size=8))
    assert parser.accepts(probe) == bool(re.fullmatch(pattern, probe)), (pattern, probe)


def test_ambiguous_element_keeps_both_readings() -> None:
    parser = Sequence(FreeText(), Literal("!"))
    # "!" can be content or the end: both readings survive
    assert parser.accepts("!") and parser.accepts("!!") and parser.accepts("a!b!")
    assert not parser.accepts("a!b") and parser.prefix_ok("a!b")
    state = parser.advance_text("wow!")
    assert state is not None and state.can_end() and "x" in state.allowed()
    parts = state.split()
    assert parts is not None and len(parts) == 3  # content, the end, and the next Literal


def test_sequence_and_union_errors() -> None:
    with pytest.raises(GrammarError, match="at least one"):
        Sequence()
    with pytest.raises(GrammarError, match="at least one"):
        Union()
    with pytest.raises(GrammarError, match="at least one"):
        choice([])
    with pytest.raises(GrammarError, match="element 1"):
        Sequence(Literal("a"), "b")  # type: ignore[arg-type]
    with pytest.raises(GrammarError, match="alternative 0"):
        Union(3)  # type: ignore[arg-type]


def test_choice_of_one_is_the_option() -> None:
    assert choice(["only"]).key() == Literal("only").key()
    assert choice(["a", "b"]).accepts("b")


def test_union_collapses_to_the_survivor() -> None:
    union = Union(Literal("abc"), Literal("xyz"))
    state = union.advance("a")
    assert isinstance(state, Literal)
    # duplicate alternatives are merged: same key as the single alternative set
    assert Union(Literal("a"), Literal("a"), Literal("b")).key() == Union(Literal("b"), Literal("a")).key()
    nested = Union(Union(Literal("a"), Literal("b")), Literal("c"))
    assert nested.key() == Union(Literal("a"), Literal("b"), Literal("c")).key()


def test_shortest_of_sequence_picks_the_best_branch() -> None:
    parser = Sequence(Regex("a*"), Regex("(bb)?c"))
    assert parser.shortest() == "c"
    state = parser.advance_text("aab")
    assert state is not None and state.shortest() == "bc"


class _Maze(Parser):
    """A test grammar whose states all differ (each text is its own state) and that
    ends only after ``depth`` characters: a completion search meets ~2^n states."""

    made = 0

    def __init__(self, text: str, depth: int) -> None:
        _Maze.made += 1
        self.text = text
        self.depth = depth

    def advance(self, char: str) -> Parser | None:
        return _Maze(self.text + char, self.depth) if char in self.allowed() else None

    def allowed(self) -> CharSet:
        return CharSet.of("ac") if len(self.text) < self.depth else CharSet.EMPTY

    def can_end(self) -> bool:
        return len(self.text) == self.depth and self.text.endswith("ca")

    def key(self) -> Hashable:
        return ("maze", self.text, self.depth)


def test_union_shortest_bounds_a_costly_alternative_by_a_cheap_one() -> None:
    """The maze comes first, but the literal's one-character answer bounds its search:
    the whole budget (20,000 states) was spent on the maze before the literal was asked."""
    union = Union(_Maze("", 40), Literal("b"))
    _Maze.made = 0
    assert union.shortest() == "b"
    assert _Maze.made < 3_000
    # and a cheap answer from the maze still wins over a longer sibling
    assert Union(_Maze("", 3), Literal("bbbb")).shortest() in {"aca", "cca"}

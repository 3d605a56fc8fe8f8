"""Lazy recursion (balanced parentheses) and Intersect/Complement/ExactlyOne
against set-logic oracles built from ``re.fullmatch``."""

from __future__ import annotations

import re
from collections.abc import Hashable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import balanced, language_texts, parens

from lmparsec import CharSet, Complement, ExactlyOne, FreeText, Intersect, Lazy, Literal, Parser, Regex, Union
from lmparsec.errors import GrammarError


@settings(max_examples=80, deadline=None)
@given(st.text(st.sampled_from("()"), max_size=12))
def test_balanced_parentheses(text: str) -> None:
    grammar = parens()
    assert grammar.accepts(text) == balanced(text), text
    depth = 0
    prefix_ok = True
    for c in text:
        depth += 1 if c == "(" else -1
        prefix_ok = prefix_ok and depth >= 0
    assert grammar.prefix_ok(text) == prefix_ok


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_balanced_parentheses_drawn(data: st.DataObject) -> None:
    grammar = parens()
    text = data.draw(language_texts(grammar, max_length=16))
    assert balanced(text)
    state = grammar.advance_text(text)
    assert state is not None and state.can_end()


def test_lazy_shortest_and_errors() -> None:
    grammar = parens()
    state = grammar.advance_text("((")
    assert state is not None and state.shortest() == "))"
    with pytest.raises(GrammarError, match="callable"):
        Lazy(3, "x")  # type: ignore[arg-type]
    with pytest.raises(GrammarError, match="not a Parser"):
        Lazy(lambda: "x", "bad").allowed()  # type: ignore[arg-type, return-value]


A = r"[a-c]{1,4}"
B = r"(ab|b)*c?"
C = r"a*b*"
ALPHABET = "abcx"


@settings(max_examples=120, deadline=None)
@given(st.text(st.sampled_from(ALPHABET), max_size=6))
def test_set_logic(text: str) -> None:
    a, b, c = (re.fullmatch(p, text) is not None for p in (A, B, C))
    assert Intersect(Regex(A), Regex(B)).accepts(text) == (a and b)
    assert Intersect(Regex(A), Regex(B), Regex(C)).accepts(text) == (a and b and c)
    assert Complement(Regex(A), Regex(B)).accepts(text) == (a and not b)
    assert Complement(Regex(A), None).accepts(text) == a
    assert ExactlyOne(Regex(A), Regex(B)).accepts(text) == (a != b)
    assert ExactlyOne(Regex(A), Regex(B), Regex(C)).accepts(text) == (a + b + c == 1)
    assert Intersect(Regex(A), FreeText(max_length=2)).accepts(text) == (a and len(text) <= 2)
    assert Union(Regex(A), Regex(B)).accepts(text) == (a or b)
    # a text all parts can continue is a viable prefix of the intersection's parts
    if Intersect(Regex(A), Regex(B)).prefix_ok(text):
        assert Regex(A).prefix_ok(text) and Regex(B).prefix_ok(text)


def test_logic_errors() -> None:
    with pytest.raises(GrammarError, match="at least one"):
        Intersect()
    with pytest.raises(GrammarError, match="not a Parser"):
        Intersect(Literal("a"), "b")  # type: ignore[arg-type]
    with pytest.raises(GrammarError, match="excluded part"):
        Complement(Literal("a"), "b")  # type: ignore[arg-type]
    with pytest.raises(GrammarError, match="at least one"):
        ExactlyOne(None)


class _Counting(Parser):
    """A regex state that counts how often it is advanced (the probe of the tests
    below; Complement and Intersect, and the generic search, are under test)."""

    calls = 0

    def __init__(self, inner: Parser) -> None:
        self.inner = inner

    def advance(self, char: str) -> Parser | None:
        _Counting.calls += 1
        nxt = self.inner.advance(char)
        return None if nxt is None else _Counting(nxt)

    def allowed(self) -> CharSet:
        return self.inner.allowed()

    def can_end(self) -> bool:
        return self.inner.can_end()

    def key(self) -> Hashable:
        return ("counting", self.inner.key())


def test_nested_complements_check_their_characters_once_not_at_every_level() -> None:
    # if/then/else nested in each else (a ui5.yaml): each complement checks its few
    # next characters by advancing, and a check inside another one's check used to
    # check its own as well -- (characters) ** depth advances for one allowed set
    def level(depth: int) -> Complement:
        universe: Parser = _Counting(Regex("[abc]{0,4}"))
        if depth:
            universe = Intersect(universe, level(depth - 1))
        return Complement(universe, _Counting(Regex("a?b")))

    state = level(8)
    _Counting.calls = 0
    allowed = state.allowed()
    assert _Counting.calls < 400, _Counting.calls
    # what it allows still leads somewhere (each checked character)
    for char in "abc":
        nxt = state.advance(char)
        assert (char in allowed) == (nxt is not None and (nxt.can_end() or bool(nxt.allowed())))


def test_a_generic_search_is_kept_by_the_states_key() -> None:
    """The search's answer depends on nothing but the state (by key), its limit and
    bound: a part of a composed completion is asked at every try, and a search that
    finds nothing visits every state it may -- asked again, neither runs again."""
    from lmparsec.combinators import base
    from lmparsec.combinators.base import search_shortest

    base._SEARCHED.clear()  # (what an earlier test in this process may have kept)
    grammar = Regex("(ab){12}c")
    _Counting.calls = 0
    assert search_shortest(_Counting(grammar), 40) == "ab" * 12 + "c"
    walked = _Counting.calls
    assert walked > 0
    assert search_shortest(_Counting(grammar), 40) == "ab" * 12 + "c" and _Counting.calls == walked
    assert search_shortest(_Counting(grammar), 10) is None and _Counting.calls > walked  # (a new limit)
    walked = _Counting.calls
    assert search_shortest(_Counting(grammar), 10) is None and _Counting.calls == walked
    # a state of another grammar is searched on its own
    assert search_shortest(_Counting(Regex("(ab){2}c")), 40) == "ababc" and _Counting.calls > walked

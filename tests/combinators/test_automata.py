"""combined/concatenated: the automata operations, against interegular's own;
ended: against its definition."""

from __future__ import annotations

import itertools

import interegular
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lmparsec.combinators.automata import TooManyStatesError, combined, concatenated, ended

_PATTERNS = st.sampled_from(["a*", "ab", "(a|b)c*", "[ab]{1,3}", "b+a?", "", "c", "[^a]b*", "(ab)*c"])
_TEXTS = ["".join(t) for n in range(5) for t in itertools.product("abcd", repeat=n)]


def fsm(pattern: str) -> interegular.fsm.FSM:
    return interegular.parse_pattern(pattern).to_fsm()


@settings(max_examples=60, deadline=None)
@given(st.lists(_PATTERNS, min_size=2, max_size=3), st.sampled_from(["and", "or", "minus", "cat"]))
def test_operations_take_what_interegulars_take(patterns: list[str], op: str) -> None:
    parts = [fsm(p) for p in patterns]
    if op == "cat":
        ours, theirs = concatenated(parts[0], parts[1]), parts[0].concatenate(parts[1])
    else:
        ours = combined(op, parts)
        theirs = {"and": parts[0].intersection, "or": parts[0].union,
                  "minus": parts[0].difference}[op](*parts[1:])
    for text in _TEXTS:
        assert ours.accepts(text) == theirs.accepts(text), (op, patterns, text)


def test_the_state_limit_is_kept() -> None:
    big = fsm("[ab]{0,40}")
    with pytest.raises(TooManyStatesError):
        combined("and", [big, fsm("(a|b)*a(a|b){12}")], limit=500)
    assert combined("and", [big, fsm("a*")], limit=500).accepts("a" * 40)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["(a(z|b))*", "a*z+", "(az|b)c?z?", "z(ab)*", "(a|z)(b|zz)", "[abc]*", "a?z*b"]))
def test_ended_takes_texts_that_marks_complete(pattern: str) -> None:
    """``z`` plays the mark: a text without it is taken when it and some z's after
    it are (up to 3, more than any pattern here reads), and no z is read."""
    marked = fsm(pattern)
    ours = ended(marked, "z")
    for text in _TEXTS:
        assert not ours.accepts(text + "z")
        assert ours.accepts(text) == any(marked.accepts(text + "z" * k) for k in range(4)), (pattern, text)

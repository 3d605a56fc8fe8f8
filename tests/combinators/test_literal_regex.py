"""Literal and Regex against plain string comparison and ``re.fullmatch``."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import PATTERNS, near_texts

from lmparsec import Literal, Regex
from lmparsec.errors import GrammarError, RegexError

LITERALS = ["", "a", "Héllo 世界 🎉", 'quote " and \\ back', "aaa", "\n\t"]


@pytest.mark.parametrize("text", LITERALS)
def test_literal(text: str) -> None:
    lit = Literal(text)
    assert lit.accepts(text)
    assert lit.forced() == text and lit.shortest() == text
    for i in range(len(text)):
        assert lit.prefix_ok(text[:i]) and not lit.accepts(text[:i])
        state = lit.advance_text(text[:i])
        assert state is not None and state.allowed() == type(state.allowed()).of(text[i])
    assert not lit.accepts(text + "x") and not lit.prefix_ok(text + "x")
    if text:
        assert not lit.prefix_ok("\x00" + text)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(LITERALS), st.text(max_size=6))
def test_literal_against_equality(text: str, other: str) -> None:
    assert Literal(text).accepts(other) == (other == text)
    assert Literal(text).prefix_ok(other) == text.startswith(other)


def test_literal_rejects_non_str() -> None:
    with pytest.raises(GrammarError, match="Literal expects a str"):
        Literal(3)  # type: ignore[arg-type]


def alphabet_of(pattern: str) -> str:
    """Characters worth probing a pattern with: its own literal characters, and digits."""
    return "".join(sorted({c for c in pattern if c.isprintable()} | set("0123456789 ")))


@pytest.mark.parametrize("pattern", PATTERNS)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_regex_matches_re_fullmatch(pattern: str, data: st.DataObject) -> None:
    regex = Regex(pattern)
    # texts of the language (drawn from the automaton) must match re
    text = data.draw(__import__("strategies").language_texts(regex, max_length=12))
    assert re.fullmatch(pattern, text, re.ASCII), (pattern, text)
    # and arbitrary nearby texts must be judged the same way by both
    probe = data.draw(near_texts(alphabet_of(pattern)))
    assert regex.accepts(probe) == bool(re.fullmatch(pattern, probe, re.ASCII)), (pattern, probe)
    # a prefix of an accepted text is a viable prefix
    cut = data.draw(st.integers(0, len(text)))
    assert regex.prefix_ok(text[:cut])


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        (r"\u00e9t\u00e9", "été", True),
        (r"[\u4e00-\u9fff]+", "中文", True),
        (r"[\u4e00-\u9fff]+", "a", False),
        (r"\\u00e9", "\\u00e9", True),  # an escaped backslash, then a plain "u00e9"
        (r"\U0001F389", "🎉", True),
        (r"\u002a+", "**", True),  # an escaped metacharacter stays literal
        (r"[\u0041-\u0043]", "B", True),
        (r"\d", "٣", False),  # ASCII classes, like re.ASCII
        (r"\w", "é", False),
        (r".", "\n", False),
        (r"a|", "", True),
    ],
)
def test_regex_escapes_and_classes(pattern: str, text: str, expected: bool) -> None:
    assert Regex(pattern).accepts(text) is expected
    assert bool(re.fullmatch(pattern, text, re.ASCII)) is expected


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        (r"(a)\1", "backreference"),
        (r"(?P<n>a)(?P=n)", "named backreference"),
        (r"(ab", "unbalanced paren"),
        (r"a)", "unbalanced paren"),
        (r"[z-a]", "bad range"),
        (r"[a", "unclosed class"),
        (r"*a", "nothing to repeat"),
        (r"(?<=a)b", "lookbehind"),
        (r"a{3,1}", "bad repeat bounds"),
        ("\\", "trailing backslash"),
    ],
)
def test_regex_errors_name_the_pattern(pattern: str, why: str) -> None:
    with pytest.raises(RegexError) as info:
        Regex(pattern)
    assert repr(pattern) in str(info.value), why
    assert info.value.pattern == pattern
    assert isinstance(info.value, ValueError)


def test_regex_rejects_non_str() -> None:
    with pytest.raises(RegexError, match="expected a str pattern"):
        Regex(b"a")  # type: ignore[arg-type]


def test_regex_empty_language() -> None:
    empty = Regex("[a-z]&&[0-9]") if False else Regex("a{0}b{0}")  # the empty string only
    assert empty.accepts("") and not empty.prefix_ok("a")


def test_regex_prunes_dead_states() -> None:
    # "ab" then nothing: after "a" only "b" is allowed, and allowed() is exact
    regex = Regex("ab|ac")
    state = regex.advance("a")
    assert state is not None
    assert set(state.allowed()) == {"b", "c"}
    assert regex.allowed() == type(regex.allowed()).of("a")


@pytest.mark.parametrize(
    ("pattern", "one", "other"),
    [("a+", "a", "aa"), ("[^:]+:[0-9a-f]+|[0-9a-f]{4}|", "x", "xy"), ("(ab|ac)d*", "ab", "ac"),
     ("x(yz)*", "x", "xyz"), ("[a-z]+[0-9]*", "ab", "abc")],
)
def test_regex_equivalent_states_share_a_key(pattern: str, one: str, other: str) -> None:
    # the DFA is minimal: states with the same future are one state, so the loop an
    # automaton construction unrolls ("a+": a first a, then more) is a loop, and a
    # mask cached for one serves the other
    a, b = Regex(pattern).advance_text(one), Regex(pattern).advance_text(other)
    assert a is not None and b is not None and a.key() == b.key()
    if pattern in ("a+", "[a-z]+[0-9]*"):
        assert other[-1] in a.loop()


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(PATTERNS), st.data())
def test_regex_states_with_equal_keys_accept_alike(pattern: str, data: st.DataObject) -> None:
    # minimisation must not merge states whose futures differ
    regex = Regex(pattern)
    a = data.draw(near_texts(pattern, max_size=6))
    b = data.draw(near_texts(pattern, max_size=6))
    sa, sb = regex.advance_text(a), regex.advance_text(b)
    if sa is None or sb is None or sa.key() != sb.key():
        return
    tail = data.draw(near_texts(pattern, max_size=6))
    assert (re.fullmatch(pattern, a + tail) is None) == (re.fullmatch(pattern, b + tail) is None)

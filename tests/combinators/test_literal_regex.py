"""Literal and Regex against plain string comparison and ``re.fullmatch``."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import PATTERNS, near_texts

from lmparsec import CharSet, FreeText, Literal, Regex
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


@pytest.mark.parametrize(
    ("pattern", "want"),
    [
        (r"[a-z0-9._-]+", ("-.0123456789_abcdefghijklmnopqrstuvwxyz", 1, None)),
        (r"([0-9a-f])*", ("0123456789abcdef", 0, None)),
        (r"[0-9A-Fa-f]{24}", ("0123456789ABCDEFabcdef", 24, 24)),
        (r"[+\-0-9A-Z_]{5,96}", ("+-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_", 5, 96)),
        (r"[A-Z]{2,}", ("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 2, None)),
        (r"a", ("a", 1, 1)),
        (r"\d{3}-\d{4}", None),
        (r"(ab)+", None),
        (r"a{2}|b{3}", None),
        (r"", None),
        (r"[a-z]{2,4}|[a-z]{6}", None),
    ],
)
def test_a_count_of_one_class_is_read_off_the_automaton(
    pattern: str, want: tuple[str, int, int | None] | None
) -> None:
    got = Regex(pattern).counted_class()
    if want is None:
        assert got is None
        return
    assert got is not None
    chars, least, most = got
    assert (least, most) == want[1:]
    assert chars & CharSet.of("".join(chr(c) for c in range(128))) == CharSet.of(want[0])


@pytest.mark.parametrize("pattern", [r"[a-c]{2,5}", r"[ab]+", r"[^b]{0,3}", r"[a-c]{3}", r"b*"])
@settings(max_examples=60, deadline=None)
@given(text=st.text(alphabet="abcd", max_size=8))
def test_a_counted_class_takes_what_its_automaton_takes(pattern: str, text: str) -> None:
    counted = Regex(pattern).counted_class()
    assert counted is not None
    chars, least, most = counted
    free = FreeText(most, min_length=least, chars=chars)
    assert free.accepts(text) == bool(re.fullmatch(pattern, text)), (pattern, text)

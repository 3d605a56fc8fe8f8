"""format "regex": the syntax recogniser against Python's own ``re.compile``."""

from __future__ import annotations

import re
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lmparsec.combinators.jsonschema.regex_syntax import RegexSyntax


def compiles(text: str) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            re.compile(text)
        except re.error:
            return False
    return True


VALID = ["", "a", "^a$", "[a-z]+", "(?:ab|cd){2,3}", r"\d+", "a{1}", "a]b", "(?P<x>a)", "[]]", "[^]]",
         "a|", "|b", "(a(b(c)))", "((((a))))", "a{2,}?", "a*?", "a++", "(?=a)b", "(?<=a)b", "()",
         r"\(", r"[\]]", "a.b"]
INVALID = ["*", "+a", "(", ")", "a**", "^*", "\\", "a\\", "[", "[a", "(?", "(?<", "(?P", "a)", "(*)", "|*"]


@pytest.mark.parametrize("text", VALID)
def test_valid_regexes_accepted(text: str) -> None:
    assert compiles(text)
    assert RegexSyntax().accepts(text)


@pytest.mark.parametrize("text", INVALID)
def test_invalid_regexes_rejected(text: str) -> None:
    assert not compiles(text)
    assert not RegexSyntax().accepts(text)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab*+?()[]|^$.\\", max_size=8))
def test_structure_agrees_with_re(text: str) -> None:
    """On structure alone (no escapes or classes to interpret), whatever the
    recogniser accepts, ``re`` compiles; the reverse holds except for nested
    quantifier forms ``re`` also takes (``a*+``, ``a?+``, possessive)."""
    if RegexSyntax().accepts(text) and "\\" not in text and "[" not in text:
        assert compiles(text), text


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet="az09-*+?()[]|^$.\\dqbBnxé ", max_size=10))
def test_what_is_taken_compiles(text: str) -> None:
    """Escapes and classes too: every text the recogniser takes, ``re`` compiles
    (jsonschema's "regex" check) -- before, ``[!- ]`` (a range out of order),
    ``[\\d-a]`` and ``\\q`` were taken and failed it."""
    if RegexSyntax().accepts(text):
        assert compiles(text), text


@pytest.mark.parametrize("text", ["[!- ]", "[z-a]", "[\\d-a]", "[a-\\d]", "\\q", "[\\B]", "[a-\\-]", "a\\b*"])
def test_bad_ranges_and_escapes_are_refused(text: str) -> None:
    assert not compiles(text)
    assert not RegexSyntax().accepts(text)


@pytest.mark.parametrize("text", ["[a-c-b]", "[\\d-]", "[-a]", "[\\n-\\r]", "[\\--a]", "\\é", "\\A\\d\\Z",
                                  "[]-a]"])
def test_good_ranges_and_escapes_are_taken(text: str) -> None:
    assert compiles(text)
    assert RegexSyntax().accepts(text)


def test_shortest_closes_open_groups() -> None:
    state = RegexSyntax().advance_text("((a[")
    assert state is not None
    tail = state.shortest()
    assert tail is not None and RegexSyntax().accepts("((a[" + tail) and compiles("((a[" + tail)

"""JsonString: decoded characters feed the value parser; allowed() is exact."""

from __future__ import annotations

import json
import pickle

from hypothesis import given, settings
from hypothesis import strategies as st

from lmparsec import CharSet, FreeText, Intersect, Regex
from lmparsec.combinators.base import Parser
from lmparsec.combinators.jsonschema.strings import JsonString, any_string, json_escape_minimal

# Characters that exercise every path: ASCII, escapes, controls, BMP, astral.
_CHARS = st.sampled_from(list('ab"\\/\x00\x1f\n\t é€😀\U0010ffff\u2028'))
_TEXTS = st.text(_CHARS, max_size=8)


def _spellings(text: str, draw_choice: list[int]) -> str:
    """One JSON spelling of ``text``, escape style picked by ``draw_choice``."""
    out = []
    for i, c in enumerate(text):
        pick = draw_choice[i % len(draw_choice)] if draw_choice else 0
        cp = ord(c)
        if c in '"\\' or cp < 0x20 or pick % 3 == 1:
            if cp > 0xFFFF:
                cp -= 0x10000
                hi, lo = 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF)
                out.append(f"\\u{hi:04X}\\u{lo:04x}")
            else:
                out.append(f"\\u{cp:04x}")
        elif pick % 3 == 2 and c == "/":
            out.append("\\/")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def test_basic_accepts() -> None:
    s = any_string()
    for text in ['""', '"abc"', r'"\n\t\"\\\/"', r'"\u00e9\uD83D\uDE00"', '"é😀"']:
        assert s.accepts(text), text
    for text in ['"', '"\n"', r'"\x"', r'"\ud800"', r'"\udc00"', r'"\ud83d\u0041"', '"a"b', "abc"]:
        assert not s.accepts(text), text


@settings(max_examples=150, deadline=None)
@given(_TEXTS, st.lists(st.integers(0, 2), max_size=8))
def test_any_spelling_accepted(text: str, choice: list[int]) -> None:
    spelled = _spellings(text, choice)
    assert json.loads(spelled) == text
    assert any_string().accepts(spelled)
    assert any_string().accepts(json.dumps(text))
    assert any_string().accepts('"' + json_escape_minimal(text) + '"')


@settings(max_examples=150, deadline=None)
@given(_TEXTS, st.lists(st.integers(0, 2), max_size=8), st.integers(0, 4))
def test_value_sees_decoded_text(text: str, choice: list[int], limit: int) -> None:
    value = Regex("[a-z/é😀\n]*")
    s = JsonString(Intersect(value, FreeText(max_length=limit)))
    expected = value.accepts(text) and len(text) <= limit
    assert s.accepts(_spellings(text, choice)) == expected


def _check_exact(state: Parser, depth: int) -> None:
    """Every allowed char advances; every advance comes from an allowed char; and the
    state reached can still end (the value parser is never dead-ended)."""
    allowed = state.allowed()
    probe = set('"\\/ubfnrtxU0123456789abcdefABCDEFé😀\x00\n ')
    probe |= set(allowed.samples())
    for c in probe:
        nxt = state.advance(c)
        assert (nxt is not None) == (c in allowed), (state, c)
        if nxt is not None:
            assert nxt.shortest() is not None, (state, c)
            if depth:
                _check_exact(nxt, depth - 1)


def test_allowed_exact_small_values() -> None:
    values = [Regex("a"), Regex("[\"\\\\]"), Regex("\n"), Regex("😀|é"), Regex("/?"), Regex("\U0010ffff")]
    for value in values:
        _check_exact(JsonString(value), 7)


def test_escape_offers_only_useful_digits() -> None:
    s = JsonString(Regex("😀")).advance_text('"\\u')
    assert s is not None
    assert s.allowed() == CharSet.of("Dd")
    s2 = s.advance_text("d83d\\u")
    assert s2 is not None and s2.allowed() == CharSet.of("Dd")
    nothing = JsonString(Regex("a")).advance_text('"\\')
    assert nothing is not None and nothing.allowed() == CharSet.of("u")
    # A value that takes nothing more cannot start an escape.
    done = JsonString(Regex("a")).advance_text('"a')
    assert done is not None and done.allowed() == CharSet.of('"')


def test_loop_and_key() -> None:
    s = any_string().advance('"')
    assert s is not None
    lp = s.loop()
    assert "a" in lp and "😀" in lp and '"' not in lp and "\\" not in lp and "\n" not in lp
    nxt = s.advance("a")
    assert nxt is not None and nxt.key() == s.key()
    bounded = JsonString(FreeText(max_length=3)).advance('"')
    assert bounded is not None and "a" in bounded.loop() and '"' not in bounded.loop()
    assert bounded.loop_limit() == 3
    assert s.step_class("a") == lp and s.step_class("\x01") == CharSet([(0, 0x1F)])
    assert any_string().step_class("x") == ~CharSet.of('"')
    k = s.key()
    assert isinstance(k, tuple) and k[0] == "jstr"


def test_shortest_and_pickle() -> None:
    assert any_string().shortest() == '""'
    assert JsonString(Regex('"x')).shortest() == '"\\"x"'
    # the lowest characters would be U+0000, six characters each once escaped
    assert JsonString(FreeText(min_length=2, max_length=4)).shortest() == '"aa"'
    assert JsonString(Regex("\x01")).shortest() == '"\\u0001"'  # where nothing plainer will do
    mid = JsonString(Regex("é")).advance_text('"\\u0')
    assert mid is not None and mid.shortest() == '0E9"'
    s = JsonString(Regex("ab")).advance_text('"a')
    assert s is not None
    t = pickle.loads(pickle.dumps(s))
    assert t.key() == s.key() and t.accepts('b"')


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x2FF) | st.sampled_from("\n\t"),
               max_size=6), st.sampled_from(["", "x", "ab"]))
def test_a_canonical_string_reads_within_any_spelling(text: str, prefix: str) -> None:
    """What ``reads_within`` promises an intersection: every text the one-spelling
    string takes, the any-spelling one takes too, and both close at once."""
    one = JsonString(FreeText(), canonical=True).advance_text('"' + prefix)
    every = JsonString(FreeText()).advance_text('"' + prefix)
    assert one is not None and every is not None
    assert one.reads_within(every) and not every.reads_within(one)
    assert not one.reads_within(JsonString(FreeText(max_length=3), canonical=True).advance_text('"'))
    # the canonical rest, closing quote included (controls without a short escape
    # have no canonical spelling: left out)
    spelled = json.dumps(text, ensure_ascii=False)[1:]
    a: Parser | None = one
    b: Parser | None = every
    for char in spelled:
        assert a is not None and b is not None
        a, b = a.advance(char), b.advance(char)
        assert a is not None and b is not None  # (json.dumps spells it one way: both take it)
        assert a.can_end() == b.can_end()
    assert a is not None and a.can_end() and not a.allowed() and not b.allowed()

"""search_pattern: ECMA-262 patterns with search semantics, checked against ``re``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from strategies import python_pattern

from lmparsec import Regex
from lmparsec.combinators.jsonschema.ecma import search_pattern
from lmparsec.combinators.jsonschema.patterns import pattern_parser
from lmparsec.errors import SchemaError, UnsupportedSchemaError

SHARED = Path(__file__).resolve().parents[3].parent / "shared"
SUITE = SHARED / "json-schema-test-suite" / "draft2020-12"

# (ECMA pattern, the same pattern for Python's re: with re.ASCII it reads \d and \w
# as ECMA does, without it as jsonschema's pattern check does)
ORACLE_PATTERNS = [
    ("a", "a"),
    ("^a", "^a"),
    ("a$", "a$"),
    ("^ab*c?$", "^ab*c?$"),
    ("^[a-c]{2,3}$", "^[a-c]{2,3}$"),
    ("b{2,}", "b{2,}"),
    ("(?:ab|ba)+", "(?:ab|ba)+"),
    ("^(?<x>a|b)c", "^(?P<x>a|b)c"),
    ("\\d\\D", "\\d\\D"),
    ("^\\w+$", "^\\w+$"),
    ("\\W", "\\W"),
    ("a.c", "a[^\\n\\r\\u2028\\u2029]c"),
    ("[^a-c]", "[^a-c]"),
    ("^[\\w-]*$", "^[\\w-]*$"),
    ("x*?y", "x*?y"),
    ("^$", "^\\Z"),
    ("a|^b|c$", "a|^b|c$"),
    ("\\x41\\u0062", "Ab"),
    ("[\\^\\]]", "[\\^\\]]"),
    ("^\\/\\.", "^/\\."),
    ("", ""),
    # alternatives grouped by anchors; the free edges of a search trimmed
    ("ab+", "ab+"),
    ("a+b*", "a+b*"),
    ("(?:b|c)*a{2,4}(?:ab)?", "(?:b|c)*a{2,4}(?:ab)?"),
    ("^ab*", "^ab*"),
    ("b+$", "b+$"),
    ("a*", "a*"),
    ("^a*$|b", "^a*\\Z|b"),
    ("^a|^b|c|d$|^e$|-", "^a|^b|c|d$|^e$|-"),
    ("a|", "a|"),
    ("^|a", "^|a"),
    ("^$|a", "^\\Z|a"),
    ("(?:a|b)|c+|\\.{2,}", "(?:a|b)|c+|\\.{2,}"),
    ("é+(?:;a*=.+)*", "é+(?:;a*=.+)*"),
    # a group that is a whole top-level alternative may hold anchors
    ("(^a)", "(^a)"),
    ("(b$)", "(b$)"),
    ("(^a$)|(^b+$)", "(^a$)|(^b+$)"),
    ("^$|(^(?:a+ +){0,2}a+$)", "^$|(^(?:a+ +){0,2}a+$)"),
    ("(?:^a|c)|((^b)|(-$))", "(?:^a|c)|((^b)|(-$))"),
    ("(?<n>^a.$)", "(?P<n>^a[^\\n\\r\\u2028\\u2029]$)"),
    # lookaheads where they start a top-level alternative, or temper the
    # repetition of one character that ends one anchored at the end
    ("(?=a)", "(?=a)"),
    ("(?!a)", "(?!a)"),
    ("^(?!ab)[a-c]+$", "^(?!ab)[a-c]+$"),
    ("(?!b)a*b", "(?!b)a*b"),
    ("^(?=.*1)(?!.*0)[a-c01]{2,}$",
     "^(?=[^\\n\\r\\u2028\\u2029]*1)(?![^\\n\\r\\u2028\\u2029]*0)[a-c01]{2,}$"),
    ("^((?!ab)(?!B).)*$", "^((?!ab)(?!B)[^\\n\\r\\u2028\\u2029])*$"),
    ("c((?!ab)(?=[ab_]).)+$", "c((?!ab)(?=[ab_])[^\\n\\r\\u2028\\u2029])+$"),
    ("^(?:(?=[ab])\\w){2,3}$", "^(?:(?=[ab])\\w){2,3}$"),
    ("((?!a)[^c])*$", "((?!a)[^c])*$"),
    ("^(?!ab)(?:a|b)+$|^c(?!1)|0", "^(?!ab)(?:a|b)+$|^c(?!1)|0"),
    ("^(?!tag|cat)$", "^(?!tag|cat)$"),
    ("a(?=b)", "a(?=b)"),
    ("^a(?!b)[a-c]+(?=c)", "^a(?!b)[a-c]+(?=c)"),
    ("b+(?!a)$", "b+(?!a)$"),
    ("a*(?!b)c|^(?=a)(?!ab)..$", "a*(?!b)c|^(?=a)(?!ab)[^\\n\\r\\u2028\\u2029]{2}$"),
    # lookaheads whose alternatives end the text; lookbehinds where a match starts
    # or ends (with lookaheads, in an alternative anchored at both ends)
    ("^(?=.{2,4}$)(?!-)[a-c-]+$", "^(?=.{2,4}$)(?!-)[a-c-]+$"),
    ("^(?=.{1,3}$|x)a", "^(?=.{1,3}$|x)a"),
    ("^((?!ab$).)*$", "^((?!ab$)[^\\n\\r\\u2028\\u2029])*$"),
    ("(?<!a)b", "(?<!a)b"),
    ("^(?<=a)b|c(?<=bc)", "^(?<=a)b|c(?<=bc)"),
    ("(?<![a_])ab(?!\\d)", "(?<![a_])ab(?!\\d)"),
    ("^(?!-)[a-c0-9-]{1,5}(?<!-)$", "^(?!-)[a-c0-9-]{1,5}(?<!-)$"),
    ("[ab]+(?<!ab)$", "[ab]+(?<!ab)$"),
    ("(?<=a)$", "(?<=a)$"),
    # negative lookarounds refuse what either engine's class takes (٣ is a digit,
    # é a word character and U+2028 any character to Python's re only)
    ("a(?!.)", "a(?!.)"),
    ("(?<!\\w)b", "(?<!\\w)b"),
    ("^((?!\\d).)*$", "^((?!\\d).)*$"),
]
_ALPHABET = st.sampled_from(list("abcABC019_-^]./ \n\u2028é٣"))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(_ALPHABET, max_size=7), min_size=8, max_size=8))
def test_oracle(texts: list[str]) -> None:
    """A text taken matches as ECMA reads the pattern and as Python's re does (they
    differ on \\d and \\w: é, ٣), so generated text passes both; where they agree
    (ASCII text), exactly the matching texts are taken."""
    for ecma, python in ORACLE_PATTERNS:
        parser = pattern_parser(ecma)
        for text in texts:
            # Python's $ also matches before a final newline; ECMA's does not.
            pattern = python.replace("$", "\\Z")
            expected = re.search(pattern, text, re.ASCII) is not None and re.search(pattern, text) is not None
            if text.isascii():
                assert parser.accepts(text) == expected, (ecma, text)
            elif parser.accepts(text):
                assert expected, (ecma, text)


def test_ecma_classes() -> None:
    s = Regex(search_pattern("^\\s$"))
    for ch in " \t\n\r\v\f\u00a0\u1680\u2000\u2028\u2029\u202f\u205f\u3000":  # not \ufeff: see below
        assert s.accepts(ch), repr(ch)
    assert not s.accepts("a") and not s.accepts("\u200b")
    dot = Regex(search_pattern("^.$"))
    assert dot.accepts("😀") and dot.accepts("\u0085")
    assert not any(dot.accepts(ch) for ch in "\n\r\u2028\u2029")
    assert Regex(search_pattern("^[^]$")).accepts("\n")
    assert not Regex(search_pattern("[]")).accepts("")
    assert Regex(search_pattern("^\\uD83D\\uDE00$")).accepts("😀")
    assert Regex(search_pattern("^\\u{1F600}+$")).accepts("😀😀")
    assert Regex(search_pattern("^\\cJ$")).accepts("\n")
    assert Regex(search_pattern("^\\p{Lu}\\P{Lu}$")).accepts("Éa")
    assert not Regex(search_pattern("^\\p{Nd}$")).accepts("a")
    assert Regex(search_pattern("x{")).accepts("ax{")
    assert not Regex(search_pattern("^\\d$")).accepts("٣")  # ECMA \d is ASCII


_ECMA_SPACE = set(" \t\n\r\v\f\u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff") | {
    chr(c) for c in range(0x2000, 0x200B)}
_ECMA_CLASS = {"s": lambda ch: ch in _ECMA_SPACE, "d": lambda ch: "0" <= ch <= "9",
               "w": lambda ch: ch.isascii() and (ch.isalnum() or ch == "_")}


def _in_class(ch: str, pattern: str, engine: str) -> bool:
    """Whether ``ch`` matches ``^X$`` (X a class escape or a bracket class of escapes and
    literals) as ``engine`` ("ecma" or "python") reads the escapes."""
    body = pattern[1:-1]
    negated = body.startswith("[^")
    items = re.findall(r"\\.|.", body[2:-1] if negated else body[1:-1] if body.startswith("[") else body)
    hit = False
    for item in items:
        if item.startswith("\\"):
            kind = item[1].lower()
            inside = _ECMA_CLASS[kind](ch) if engine == "ecma" else re.match("\\" + kind, ch) is not None
            hit = hit or (inside if item[1].islower() else not inside)
        else:
            hit = hit or ch == item
    return hit != negated


@pytest.mark.parametrize("ecma", ["^\\s$", "^\\S$", "^[^\\s]$", "^[^\\S]$", "^\\d$", "^\\D$", "^[^\\d]$",
                                  "^[^\\D]$", "^\\w$", "^\\W$", "^[^\\w]$", "^[^\\W]$", "^[^\\w\\s-]$",
                                  "^[\\W\\d]$"])
def test_class_escapes_agree_with_python(ecma: str) -> None:
    """Where ECMA and Python's re (what jsonschema runs) disagree on a class escape
    -- U+FEFF is ECMA whitespace, U+001C and U+0085 Python's; Python's \\d and \\w
    take every Unicode digit and letter -- no character is taken that either one
    refuses, and every ASCII one both take is taken."""
    parser = Regex(search_pattern(ecma))
    samples = [chr(c) for c in range(0x80)] + list("\x85\u00a0é٣\ufeff\u3000\u2019\u1680ß\u0660")
    for ch in samples:
        both = _in_class(ch, ecma, "ecma") and _in_class(ch, ecma, "python")
        assert (re.search(ecma, ch) is not None) == _in_class(ch, ecma, "python")  # (the helper itself)
        if parser.accepts(ch):
            assert both, (ecma, ch)
        elif ch.isascii():
            assert not both, (ecma, ch)


_UNSUPPORTED = [
    # lookarounds inside groups and repetitions, a tempered repetition not at the
    # end, lookbehinds between terms
    "(?:a(?=b))+", "(?:(?!a)b)c", "^((?!a).)*", "((?!a)b|c)*$", "((?!a)bc)*$", "(?:(?!a)b)*c$",
    "(x(?!a)b)*$", "(?!a)*b", "a(?<=a)b", "(?:(?<!a)b)+", "(?!a)b(?<!b)",
    "(a)\\1", "(?<n>a)\\k<n>", "a\\b", "\\Ba",
    # '^' or '$' inside a group of a pattern with lookarounds
    "(?=a)(b$|c)d", "(?!a$c)b", "(?=x)(^|/)a", "(?<=b)(^a)",
]


@pytest.mark.parametrize("pattern", _UNSUPPORTED)
def test_unsupported(pattern: str) -> None:
    with pytest.raises(UnsupportedSchemaError) as info:
        search_pattern(pattern, pointer="/properties/x/pattern")
    assert info.value.keyword == "pattern"
    assert info.value.pointer == "/properties/x/pattern"


@pytest.mark.parametrize(
    "pattern", ["(", "a)", "[a", "[b-a]", "a**", "*a", "\\", "\\x4", "\\u{110000}", "(?<>a)", "a{2,1}"]
)
def test_malformed(pattern: str) -> None:
    with pytest.raises(SchemaError) as info:
        search_pattern(pattern)
    assert not isinstance(info.value, UnsupportedSchemaError)


def _suite_cases(path: Path) -> list[Any]:
    out = []
    for group in json.loads(path.read_text(encoding="utf-8")):
        schema = group["schema"]
        pattern = schema.get("pattern") if isinstance(schema, dict) else None
        if not isinstance(pattern, str):
            continue  # patternProperties and friends belong to the compiler's tests
        for test in group["tests"]:
            if isinstance(test["data"], str):
                out.append(pytest.param(pattern, test["data"], test["valid"],
                                        id=f"{path.stem}:{group['description'][:40]}:{test['description'][:40]}"))
    return out


def _all_suite_cases() -> list[Any]:
    path = SUITE / "pattern.json"
    if not path.is_file():
        return [pytest.param("", "", True, marks=pytest.mark.skip(reason=f"{path} is absent"))]
    return _suite_cases(path)


@pytest.mark.parametrize(("pattern", "data", "valid"), _all_suite_cases())
def test_suite(pattern: str, data: str, valid: bool) -> None:
    assert pattern_parser(pattern).accepts(data) == valid


def test_fast() -> None:
    import time

    start = time.perf_counter()
    for i in range(20):
        Regex(search_pattern(f"^[a-z]{{{i},{i + 3}}}@(?:x|y)\\d+$"))
    assert time.perf_counter() - start < 5


# optional/format/ecmascript-regex.json holds ECMA regexes that are (in)valid as
# format "regex": search_pattern must reject the invalid ones with SchemaError and
# compile (or knowingly call unsupported) the valid ones.
ECMA_SYNTAX_EXPECTED_FAILURES: dict[str, str] = {}


def _syntax_cases() -> list[Any]:
    path = SUITE / "optional" / "format" / "ecmascript-regex.json"
    if not path.is_file():
        return [pytest.param("", True, marks=pytest.mark.skip(reason=f"{path} is absent"))]
    out = []
    for group in json.loads(path.read_text(encoding="utf-8")):
        for test in group["tests"]:
            if isinstance(test["data"], str):
                reason = ECMA_SYNTAX_EXPECTED_FAILURES.get(test["description"])
                marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
                out.append(
                    pytest.param(test["data"], test["valid"], marks=marks, id=test["description"][:60])
                )
    return out


@pytest.mark.parametrize(("pattern", "valid"), _syntax_cases())
def test_suite_syntax(pattern: str, valid: bool) -> None:
    try:
        pattern_parser(pattern)
        ok = True
    except UnsupportedSchemaError:
        ok = True
    except SchemaError:
        ok = False
    assert ok == valid


# Lookarounds where they are regular and supported: at a top-level alternative's
# start and end, between its terms (lookaheads), and tempering the repetition that
# ends one anchored at the end. Patterns over a, b, c and '.', checked on texts
# of a, b, c and a newline against Python's re (lookbehinds of fixed width, as
# re needs).
_ATOMS = st.sampled_from(["a", "b", "c", "[ab]", "."])
_QUANTS = st.sampled_from(["", "", "*", "+", "?", "{1,2}"])


@st.composite
def _seq(draw: st.DrawFn, most: int = 3) -> str:
    return "".join(draw(_ATOMS) + draw(_QUANTS) for _ in range(draw(st.integers(0, most))))


@st.composite
def _ahead(draw: st.DrawFn) -> str:
    alts = [draw(_seq(2)) + draw(st.sampled_from(["", "", "$"])) for _ in range(draw(st.integers(1, 2)))]
    return "(?" + draw(st.sampled_from("=!")) + "|".join(alts) + ")"


@st.composite
def _behind(draw: st.DrawFn) -> str:
    fixed = "".join(draw(_ATOMS) for _ in range(draw(st.integers(1, 2))))
    return "(?<" + draw(st.sampled_from("=!")) + fixed + ")"


@st.composite
def _lookaround_pattern(draw: st.DrawFn) -> str:
    start = draw(st.booleans())
    parts = ["^" if start else ""]
    parts += [draw(st.one_of(_ahead(), _behind())) for _ in range(draw(st.integers(0, 2)))]
    for _ in range(draw(st.integers(0, 2))):
        parts.append(draw(_seq(2)))
        if draw(st.booleans()):
            parts.append(draw(_ahead()))
    end = draw(st.booleans())
    tail = draw(st.sampled_from(["", "tempered", "behind"]))
    if tail == "tempered":
        checks = "".join(draw(_ahead()) for _ in range(draw(st.integers(1, 2))))
        parts.append(f"(?:{checks}{draw(_ATOMS)}){draw(_QUANTS)}")
        end = True
    elif tail == "behind" and ((start and end) or not any("(?=" in p or "(?!" in p for p in parts)):
        parts.append(draw(_behind()))
    return "".join(parts) + ("$" if end else "")


@settings(max_examples=300, deadline=None)
@given(_lookaround_pattern(), st.lists(st.text("abc\n", max_size=6), min_size=12, max_size=12))
# (concatenated unminimised, its parts' subsets passed the state cap)
@example("(?<=a)(?<=a)(?=|a)[ab]a*(?=a[ab]|[ab]a)", ["aab", "aaba", "aaab", "ba", "aaaa"] + [""] * 7)
def test_lookarounds_agree_with_re(pattern: str, texts: list[str]) -> None:
    python = pattern.replace(".", "[^\\n\\r\\u2028\\u2029]").replace("$", "\\Z")
    parser = pattern_parser(pattern)
    for text in [*texts, "", "abc", "cba", "aab\n"]:
        assert parser.accepts(text) == (re.search(python, text) is not None), (pattern, text)


@st.composite
def _marked_group(draw: st.DrawFn) -> str:
    alts = []
    for _ in range(draw(st.integers(1, 3))):
        terms = [draw(_ATOMS) + draw(_QUANTS) for _ in range(draw(st.integers(0, 2)))]
        for mark in ("^", "$"):
            if draw(st.booleans()):
                terms.insert(draw(st.integers(0, len(terms))), mark)
        alts.append("".join(terms))
    return "(" + "|".join(alts) + ")" + draw(_QUANTS)


@st.composite
def _assertion_pattern(draw: st.DrawFn) -> str:
    parts = ["^" if draw(st.booleans()) else ""]
    for _ in range(draw(st.integers(1, 3))):
        parts.append(draw(st.one_of(_seq(2), _marked_group(), st.sampled_from(["$", "^"]))))
    return "".join(parts) + ("$" if draw(st.booleans()) else "")


@settings(max_examples=400, deadline=None)
@given(_assertion_pattern(), st.lists(st.text("abc\n", max_size=6), min_size=12, max_size=12))
def test_anchors_anywhere_agree_with_re(pattern: str, texts: list[str]) -> None:
    """``^`` and ``$`` inside groups and between other terms (``^(a($|/))*$``,
    ``(^|/)v``) hold only where the text starts or ends: checked against Python's
    re, whose ``\\Z`` is ECMA's ``$`` (its ``^`` is ECMA's already)."""
    python = pattern.replace(".", "[^\\n\\r\\u2028\\u2029]").replace("$", "\\Z")
    parser = pattern_parser(pattern)
    for text in [*texts, "", "abc", "cba", "aab\n"]:
        assert parser.accepts(text) == (re.search(python, text) is not None), (pattern, text)


@pytest.mark.parametrize(("pattern", "yes", "no"), [
    ("^(\\/?((\\.{2})|([a-z0-9\\-]*))($|\\/))*$", ["", "a", "a/b/", "../x", "/"], ["A", "a b", "a/B"]),
    ("^v?(\\d+)(\\.\\d+)?($|-)", ["1", "v1.2", "1.2-rc1"], ["1.2x", "v", "x1"]),
    ("(a$|b)c", ["bc", "xbcx"], ["a", "ac", "c"]),  # (after a '$', a 'c' never comes)
    ("(a$|b)", ["xa", "b", "bx"], ["ax", ""]),
    ("a$b", [], ["ab", "a", "a$b", ""]),
    ("(^|/)v[0-9]", ["v1", "a/v2", "/v3x"], ["av1", "v", "x v1"]),
    ("(^a)+", ["a", "ab"], ["ba", ""]),
    ("(^|\\s)#\\w+", ["#tag", "x #a"], ["x#tag", "#"]),
    ("a^b", [], ["ab", "a^b"]),
])
def test_anchors_inside_groups(pattern: str, yes: list[str], no: list[str]) -> None:
    parser = pattern_parser(pattern)
    assert [t for t in yes if not parser.accepts(t)] == []
    assert [t for t in no if parser.accepts(t)] == []


def test_quantified_anchors_are_malformed() -> None:
    for pattern in ("(a$+)", "(a$*|b)", "x${2}c", "(^*a)", "b^+"):
        with pytest.raises(SchemaError) as info:
            search_pattern(pattern)
        assert not isinstance(info.value, UnsupportedSchemaError), pattern


def test_lookarounds_past_the_state_cap_are_unsupported_where_they_are() -> None:
    # a negative lookahead over a counted run, against a long counted body: the
    # product passes the cap, and the error names the pattern and its place
    pattern = "^(?!.*(a|b){40})(?=.*c).{0,800}$"
    with pytest.raises(UnsupportedSchemaError) as info:
        pattern_parser(pattern, "/properties/x/pattern")
    assert info.value.keyword == "pattern" and info.value.pointer == "/properties/x/pattern"
    assert "states" in str(info.value) and pattern in str(info.value)


# Unicode properties over the letters of every script (``\\p{L}``: 131k code
# points) are written over blocks of code points the pattern cannot tell apart;
# checked against Python's re with each property spelled out as its ranges.
_PROPERTIES = ["\\p{L}", "\\p{Lu}", "\\P{L}", "\\p{N}", "\\p{Letter}", "\\P{Lu}"]
_PROPERTY_ATOMS = st.sampled_from([
    *_PROPERTIES, "[\\p{L}0-9_]", "[^\\p{L}]", "[\\p{Lu}\\p{N} -]", "[^\\p{L}\\p{N}]", ".", "a", "é", "1",
    " ", "[a-zé]", "\\w", "\\s",
])
#: letters of several scripts and cases, digits, marks, symbols, spaces, an astral one
_PROPERTY_TEXT = "aAéÉßǅʰ日Ж1٣_ -\n😀\u0301$"
@st.composite
def _property_pattern(draw: st.DrawFn) -> str:
    terms = [draw(_PROPERTY_ATOMS) + draw(_QUANTS) for _ in range(draw(st.integers(1, 4)))]
    body = "".join(terms)
    if draw(st.booleans()):
        body = f"(?:{body}|{draw(_PROPERTY_ATOMS)})"
    return ("^" if draw(st.booleans()) else "") + body + ("$" if draw(st.booleans()) else "")


@settings(max_examples=150, deadline=None)
@given(_property_pattern(), st.lists(st.text(_PROPERTY_TEXT, max_size=6), min_size=12, max_size=12))
def test_unicode_properties_agree_with_re(pattern: str, texts: list[str]) -> None:
    python = re.compile(python_pattern(pattern))
    parser = pattern_parser(pattern)
    for text in [*texts, "", "Жé1", "a b", "日本"]:
        assert parser.accepts(text) == (python.search(text) is not None), (pattern, text)


def test_a_letter_class_of_every_script_compiles_quickly() -> None:
    """Written over blocks, ``\\p{L}`` makes an automaton of a few symbols: a
    name pattern's first use takes a tenth of a second (with the category
    table), not seconds, and reads every letter as a letter."""
    parser = pattern_parser("^[\\p{L}\\p{N}][\\p{L}\\p{N} ._-]{0,62}$")
    assert parser.accepts("Łódź 2") and parser.accepts("東京") and parser.accepts("Ωmega_x")
    assert not parser.accepts(" lead") and not parser.accepts("a!b") and not parser.accepts("")
    state = parser.advance("Ł")
    assert state is not None and "ж" in state.allowed() and "!" not in state.allowed()

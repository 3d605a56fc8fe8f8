"""Number/integer patterns: exact bounds on exponent-free texts, never out of range."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lmparsec import Regex
from lmparsec.combinators.jsonschema import JsonSchema
from lmparsec.combinators.jsonschema.numbers import (
    integer_fsm,
    integer_pattern,
    number_fsm,
    number_pattern,
)
from lmparsec.combinators.regex import regex_from_fsm
from lmparsec.errors import SchemaError, UnsupportedSchemaError

Bound = int | float | None

_bound = st.one_of(
    st.none(),
    st.integers(-1000, 1000),
    st.decimals(-1000, 1000, places=3, allow_nan=False, allow_infinity=False).map(float),
)
_texts = st.one_of(
    st.integers(-2000, 2000).map(json.dumps),
    st.decimals(-2000, 2000, places=4, allow_nan=False, allow_infinity=False).map(
        lambda d: json.dumps(float(d))
    ),
    st.builds(
        lambda i, f: f"{i}.{f}", st.integers(-1100, 1100), st.from_regex(r"[0-9]{1,5}", fullmatch=True)
    ),
)
_exp_texts = st.builds(
    lambda sign, m, frac, e, es: f"{sign}{m}{frac}e{es}{e}",
    st.sampled_from(["", "-"]),
    st.integers(0, 1200),
    st.sampled_from(["", ".5", ".05", ".0"]),
    st.integers(0, 4),
    st.sampled_from(["", "+", "-"]),
)


def _val(b: Bound) -> Fraction | None:
    return None if b is None else Fraction(Decimal(repr(b)))


def _in_range(x: Fraction, lo: Bound, hi: Bound, elo: Bound, ehi: Bound) -> bool:
    a, b, c, d = _val(lo), _val(hi), _val(elo), _val(ehi)
    return (a is None or x >= a) and (b is None or x <= b) and (c is None or x > c) and (d is None or x < d)


def _full(pattern: str | None, text: str) -> bool:
    return pattern is not None and re.fullmatch(pattern, text) is not None


@settings(max_examples=120, deadline=None)
@given(
    _bound, _bound, _bound, _bound,
    st.lists(_texts, min_size=10, max_size=10), st.lists(_exp_texts, max_size=10),
)
def test_number_pattern_exact_without_exponent(
    lo: Bound, hi: Bound, elo: Bound, ehi: Bound, texts: list[str], exp_texts: list[str]
) -> None:
    pattern = number_pattern(lo, hi, elo, ehi)
    for text in texts:
        assert _full(pattern, text) == _in_range(Fraction(Decimal(text)), lo, hi, elo, ehi), (pattern, text)
    for text in exp_texts:  # exponent forms: sound (may be incomplete)
        if _full(pattern, text):
            assert _in_range(Fraction(Decimal(text)), lo, hi, elo, ehi), (pattern, text)


@settings(max_examples=120, deadline=None)
@given(_bound, _bound, _bound, _bound, st.lists(_texts, min_size=10, max_size=10))
def test_integer_pattern_exact(lo: Bound, hi: Bound, elo: Bound, ehi: Bound, texts: list[str]) -> None:
    pattern = integer_pattern(lo, hi, elo, ehi)
    strict = integer_pattern(lo, hi, elo, ehi, allow_zero_fraction=False)
    for text in texts:
        x = Fraction(Decimal(text))
        ok = _in_range(x, lo, hi, elo, ehi) and x.denominator == 1
        assert _full(pattern, text) == ok, (pattern, text)
        assert _full(strict, text) == (ok and "." not in text), (strict, text)


def test_integer_shapes() -> None:
    assert integer_pattern(1.5, 1.7) is None
    assert integer_pattern(exclusive_minimum=3, exclusive_maximum=4) is None
    p = integer_pattern(0, 0)
    assert p is not None and all(_full(p, t) for t in ["0", "-0", "0.0", "-0.00"])
    assert not _full(p, "00") and not _full(p, "1")
    big = integer_pattern(10**30, 10**40)
    assert big is not None and _full(big, str(10**35 + 7)) and not _full(big, str(10**40 + 1))
    assert _full(integer_pattern(), "-123") and not _full(integer_pattern(), "1e3")
    assert not _full(integer_pattern(), "01") and not _full(integer_pattern(), "-")


def test_number_shapes() -> None:
    assert number_pattern(5, 4) is None
    assert number_pattern(exclusive_minimum=1, maximum=1) is None
    free = number_pattern()
    assert free is not None
    for text in ["0", "-0", "1.5e10", "-2E-3", "1e+5", "0.0"]:
        assert _full(free, text), text
    for text in ["01", "1.", ".5", "+1", "1e", "--1", "NaN"]:
        assert not _full(free, text), text
    nonneg = number_pattern(minimum=0)
    assert nonneg is not None and _full(nonneg, "1e300") and _full(nonneg, "2.5E-7")
    assert not _full(nonneg, "-1e-9")
    assert _full(nonneg, "-0") and _full(nonneg, "-0.0e-5") and not _full(nonneg, "-0.0e5")
    pos = number_pattern(exclusive_minimum=0)
    assert pos is not None and not _full(pos, "0e5") and not _full(pos, "-0") and _full(pos, "1e400")
    assert not _full(pos, "1e-400")  # 0 is out of range, so no negative exponents
    # Every pattern compiles to a DFA quickly.
    assert Regex(number_pattern(-12345.6789, 98765.4321) or "").accepts("-12345.6789")


def test_bad_bounds() -> None:
    with pytest.raises(SchemaError):
        number_pattern(minimum="1")  # type: ignore[arg-type]
    with pytest.raises(SchemaError):
        number_pattern(maximum=float("nan"))
    with pytest.raises(SchemaError):
        integer_fsm(multiple_of=0)
    with pytest.raises(UnsupportedSchemaError) as info:
        integer_fsm(multiple_of=1_000_003)
    assert info.value.keyword == "multipleOf"


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 60), st.one_of(st.none(), st.integers(-500, 0)), st.one_of(st.none(), st.integers(0, 500))
)
def test_integer_multiple_of(k: int, lo: int | None, hi: int | None) -> None:
    fsm = integer_fsm(lo, hi, multiple_of=k)
    assert fsm is not None
    parser = regex_from_fsm(fsm, f"multiple of {k}")
    for x in range(-600, 601, 7):
        ok = x % k == 0 and (lo is None or x >= lo) and (hi is None or x <= hi)
        assert parser.accepts(str(x)) == ok, (k, lo, hi, x)
        assert parser.accepts(f"{x}.00") == ok


def test_integer_multiple_of_fraction() -> None:
    fsm = integer_fsm(multiple_of=0.5)
    assert fsm is not None
    p = regex_from_fsm(fsm, "x")
    assert p.accepts("3") and p.accepts("-7")
    fsm = integer_fsm(multiple_of=1.5)
    assert fsm is not None
    p = regex_from_fsm(fsm, "x")
    assert p.accepts("3") and not p.accepts("4")


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from([0.01, 0.25, 0.5, 1.5, 0.0075, 2, 0.3]),
    st.lists(st.decimals(-50, 50, places=4, allow_nan=False, allow_infinity=False), min_size=20, max_size=20),
)
def test_number_multiple_of(k: float, xs: list[Decimal]) -> None:
    fsm = number_fsm(-40, 40, multiple_of=k)
    assert fsm is not None
    parser = regex_from_fsm(fsm, f"multiple of {k}")
    q = Fraction(Decimal(repr(k)))
    for d in xs:
        text = format(d, "f")
        if text.startswith("-0") and d == 0:
            text = "0"
        x = Fraction(d)
        ok = (x / q).denominator == 1 and -40 <= x <= 40
        assert parser.accepts(text) == ok, (k, text)
    assert not parser.accepts("1e1")


def test_number_fsm_without_multiple() -> None:
    fsm = number_fsm(0, 10)
    assert fsm is not None
    p = regex_from_fsm(fsm, "x")
    assert p.accepts("9.99") and not p.accepts("10.01")
    assert number_fsm(3, 2) is None


# -- exponent forms where a language is taken away ------------------------------------


@pytest.mark.parametrize(("schema", "text"), [
    ({"not": {"multipleOf": 1000}}, "1E3"),
    ({"not": {"type": "integer", "multipleOf": 86400}}, "864e2"),
    ({"not": {"type": "integer"}}, "1e2"),
    ({"not": {"minimum": 1, "maximum": 100}}, "1e1"),
    ({"not": {"const": 1}}, "10e-1"),
    ({"not": {"enum": [100, "a"]}}, "1E+2"),
    ({"if": {"type": "integer"}, "then": {"minimum": 0}}, "-1e2"),
], ids=str)
def test_an_excluded_number_excludes_its_exponent_forms_too(schema: dict[str, Any], text: str) -> None:
    """Number languages leave out the exponent forms they cannot bound; where a
    ``not`` (or an ``if`` without ``else``) takes texts away, its texts are taken
    from values whose numbers have no exponent, so none of those slips through."""
    assert jsonschema.validators.validator_for(schema)(schema).is_valid(json.loads(text)) is False
    assert not JsonSchema(schema).accepts(text), (schema, text)
    # (texts without exponents are decided as jsonschema decides them)
    for plain in ("100", "-3", "1.5", "20", '{"n": 20}', '{"n": 2.5}', "[1, 2.5]", "[1, 1]"):
        valid = jsonschema.validators.validator_for(schema)(schema).is_valid(json.loads(plain))
        assert JsonSchema(schema).accepts(plain) == valid, (schema, plain)
    # (the same number without its exponent is decided as jsonschema decides it)
    plain = json.dumps(json.loads(text))
    if "e" not in plain.lower():
        valid = jsonschema.validators.validator_for(schema)(schema).is_valid(json.loads(plain))
        assert JsonSchema(schema).accepts(plain) == valid, plain


@pytest.mark.parametrize(("schema", "text"), [
    ({"oneOf": [{"type": "integer"}, {"type": "number"}]}, "1e2"),
    ({"oneOf": [{"type": "integer"}, {"type": "number"}]}, "1"),
    ({"oneOf": [{"type": "number", "maximum": 500}, {"minimum": 50}]}, "1e2"),
    ({"oneOf": [{"const": 100}, {"type": "number"}]}, "1E+2"),
    ({"oneOf": [{"type": "object", "properties": {"n": {"type": "integer"}}},
                {"type": "object", "properties": {"n": {"type": "number"}}}]}, '{"n": 2e1}'),
    ({"oneOf": [{"$ref": "#/$defs/i"}, {"type": "number"}], "$defs": {"i": {"type": "integer"}}}, "-3e0"),
    ({"if": {"type": "integer"}, "then": {"minimum": 0}, "else": {"type": "number"}}, "-1e2"),
    ({"type": "array", "contains": {"type": "integer"}, "maxContains": 1}, "[1, 1e0]"),
], ids=str)
def test_exponent_forms_under_other_exclusions(schema: dict[str, Any], text: str) -> None:
    """Where branches take texts away from one another (a ``oneOf``, an ``if``
    with an ``else``, a ``maxContains``), their numbers are written without an
    exponent: a text an exact language would count twice never slips through."""
    assert jsonschema.validators.validator_for(schema)(schema).is_valid(json.loads(text)) is False
    assert not JsonSchema(schema).accepts(text), (schema, text)
    # (texts without exponents are decided as jsonschema decides them)
    for plain in ("100", "-3", "1.5", "20", '{"n": 20}', '{"n": 2.5}', "[1, 2.5]", "[1, 1]"):
        valid = jsonschema.validators.validator_for(schema)(schema).is_valid(json.loads(plain))
        assert JsonSchema(schema).accepts(plain) == valid, (schema, plain)

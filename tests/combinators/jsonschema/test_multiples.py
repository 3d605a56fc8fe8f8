"""``multipleOf`` past the remainder automaton's limit (86400, 4096, 10**6...):
the remainder kept as a number takes exactly the multiples, with jsonschema as the
oracle, and never offers a character after which no multiple can be written."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import assert_walks_finish_valid, jsonschema_oracle

from lmparsec.combinators.jsonschema import JsonSchema
from lmparsec.combinators.jsonschema.multiples import Multiple
from lmparsec.combinators.jsonschema.numbers import MAX_MODULUS, remainder_modulus
from lmparsec.errors import UnsupportedSchemaError

SCHEMAS: list[dict[str, Any]] = [
    {"type": "integer", "multipleOf": 86400},
    {"type": "integer", "multipleOf": 4096, "minimum": 0},
    {"type": "integer", "multipleOf": 1000000, "exclusiveMinimum": 0},
    {"type": "number", "multipleOf": 3600},
    {"type": "number", "multipleOf": 5000.0},
    {"type": "number", "multipleOf": 2501, "minimum": 5},
]

_texts = st.one_of(
    st.integers(-10**12, 10**12).map(str),
    st.sampled_from([86400, 4096, 3600, 5000, 2501, 1000000]).flatmap(
        lambda m: st.integers(-1000, 1000).map(lambda k: str(k * m))),
    st.builds(lambda i, f: f"{i}.{f}", st.integers(-10**6, 10**6),
              st.from_regex(r"[0-9]{1,12}", fullmatch=True)),
    st.sampled_from(["0", "-0", "0.0", "24.690", "0.246913578", "1e5", "86400.000", "1.2e3"]),
)


def _exact(text: str, schema: dict[str, Any]) -> bool:
    divisor = schema["multipleOf"]
    exact = Fraction(Decimal(repr(divisor))) if isinstance(divisor, float) else Fraction(divisor)
    return "e" not in text.lower() and (Fraction(Decimal(text)) / exact).denominator == 1


def test_these_moduli_are_past_the_automaton() -> None:
    for schema in SCHEMAS:
        modulus, _ = remainder_modulus(schema["multipleOf"], integer=schema["type"] == "integer")
        assert modulus > MAX_MODULUS, schema


@pytest.mark.parametrize("schema", SCHEMAS, ids=json.dumps)
@settings(max_examples=200, deadline=None)
@given(text=_texts)
def test_takes_the_multiples_jsonschema_takes(schema: dict[str, Any], text: str) -> None:
    """What is taken is valid for jsonschema and an exact multiple (validators divide
    floats: both must agree, as for the small divisors); an integer divisor and an
    integer text, where jsonschema's ``%`` is exact, are taken exactly when valid."""
    parser = JsonSchema(schema)
    valid = jsonschema.validators.validator_for(schema)(schema).is_valid(json.loads(text))
    taken = parser.accepts(text)
    if taken:
        assert valid and _exact(text, schema), text
    elif isinstance(schema["multipleOf"], int) and "." not in text and "e" not in text:
        assert not valid, text


@pytest.mark.parametrize("schema", SCHEMAS, ids=json.dumps)
def test_walks_always_reach_a_multiple(schema: dict[str, Any]) -> None:
    assert_walks_finish_valid(JsonSchema(schema), jsonschema_oracle(schema),
                              alphabet="-0123456789.", walks=120, max_steps=14, seed=3)


def _finishable(prefix: str, modulus: int, scale: int) -> bool:
    """Whether some digits after ``prefix`` (a sign, digits, maybe a dot and fraction
    digits) make a value whose product with 10**scale is an integer multiple of the
    modulus: fraction digits past ``scale`` must be zeros, so only the first
    ``scale - j`` more of them matter."""
    whole, _, fraction = prefix.lstrip("-").partition(".")
    if "." not in prefix:
        return True  # more whole digits reach any remainder
    if len(fraction) > scale:
        head, tail = fraction[:scale], fraction[scale:]
        return set(tail) <= {"0"} and int(whole + head) % modulus == 0
    rest = scale - len(fraction)
    return any((int(whole + fraction) * 10**rest + c) % modulus == 0
               for c in range(min(10**rest, modulus + 1)))


@settings(max_examples=300, deadline=None)
@given(st.integers(2, 10**6), st.integers(0, 4),
       st.from_regex(r"-?[0-9]{1,10}(\.[0-9]{1,7})?", fullmatch=True))
def test_remainder_parser_is_the_definition(modulus: int, scale: int, text: str) -> None:
    """The parser alone: a text is taken iff its value times 10**scale is an integer
    divisible by the modulus, a character is refused only where no digits after
    it could make one, and a completion is found from wherever it stands."""
    state = Multiple(modulus, scale, 0, 0, 0)
    for i, char in enumerate(text):
        nxt = state.advance(char)
        assert (nxt is not None) == (char in state.allowed())
        if nxt is None:
            assert not _finishable(text[: i + 1], modulus, scale), text[: i + 1]
            return
        assert _finishable(text[: i + 1], modulus, scale), text[: i + 1]
        state = nxt
    scaled = Fraction(Decimal(text)) * 10**scale
    assert state.can_end() == (scaled.denominator == 1 and scaled.numerator % modulus == 0)
    rest = state.shortest()
    assert rest is not None
    done = Fraction(Decimal(text + rest)) * 10**scale
    assert done.denominator == 1 and done.numerator % modulus == 0, (text, rest)


@pytest.mark.parametrize("schema", [
    # under an upper bound a digit may lead where no multiple is left (9 below 100)
    {"type": "integer", "multipleOf": 86400, "maximum": 10**9},
    {"type": "integer", "multipleOf": 86400, "minimum": -100},
    # a fraction under a float divisor: the one exact multiple left after 89.99999
    # (89.999999181) has a float quotient that is not whole
    {"type": "number", "multipleOf": 0.123456789},
    {"type": "integer", "multipleOf": 0.123456789},
], ids=json.dumps)
def test_what_could_strand_a_text_is_refused_clearly(schema: dict[str, Any]) -> None:
    with pytest.raises(UnsupportedSchemaError) as info:
        JsonSchema(schema)
    assert info.value.keyword == "multipleOf"

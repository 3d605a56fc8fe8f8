"""A fractional ``multipleOf`` takes the numbers jsonschema's float quotient accepts
(and exact arithmetic too), and never offers a digit that only refused values follow."""

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
from lmparsec.combinators.jsonschema.float_multiple import float_quotient

SCHEMAS: list[dict[str, Any]] = [
    {"type": "number", "multipleOf": 0.01},
    {"type": "number", "multipleOf": 0.01, "minimum": 0, "maximum": 50},
    {"type": "number", "multipleOf": 0.1, "exclusiveMinimum": 0, "maximum": 3},
    {"type": "number", "multipleOf": 0.07},
    {"type": "number", "multipleOf": 2.5, "minimum": -100},
    {"type": "number", "multipleOf": 0.0001},
    {"type": "integer", "multipleOf": 0.01},
]

_texts = st.one_of(
    st.builds(lambda i, f: f"{i}.{f}", st.integers(-300, 300), st.from_regex(r"[0-9]{1,5}", fullmatch=True)),
    st.integers(-300, 300).map(str),
)


def _exact_multiple(text: str, schema: dict[str, Any]) -> bool:
    return (Fraction(text) / Fraction(Decimal(repr(schema["multipleOf"])))).denominator == 1


@pytest.mark.parametrize("schema", SCHEMAS, ids=json.dumps)
@settings(max_examples=150, deadline=None)
@given(text=_texts)
def test_accepts_what_jsonschema_and_exact_arithmetic_accept(schema: dict[str, Any], text: str) -> None:
    parser = JsonSchema(schema)
    valid = jsonschema.validators.validator_for(schema)(schema).is_valid(json.loads(text))
    assert parser.accepts(text) == (valid and _exact_multiple(text, schema)), text


def test_known_float_refusals() -> None:
    # 19.99 / 0.01 == 1998.9999999999998 and 0.3 / 0.1 == 2.9999999999999996
    assert not JsonSchema({"type": "number", "multipleOf": 0.01}).accepts("19.99")
    assert JsonSchema({"type": "number", "multipleOf": 0.01}).accepts("19.98")
    assert not JsonSchema({"type": "number", "multipleOf": 0.1}).accepts("0.3")
    assert JsonSchema({"type": "number", "multipleOf": 0.1}).accepts("0.4")
    # an integer divisor is checked with %, exact on the float's value: nothing to add
    assert float_quotient(3, minimum=0) is None and float_quotient(2.0) is None


@pytest.mark.parametrize("schema", SCHEMAS, ids=json.dumps)
def test_walks_never_reach_a_refused_value(schema: dict[str, Any]) -> None:
    """Character by character through ``allowed()``: every prefix still has a
    completion, and it is valid for jsonschema."""
    assert_walks_finish_valid(JsonSchema(schema), jsonschema_oracle(schema),
                              alphabet="-0123456789.", walks=150, max_steps=9, seed=7)


def test_whole_part_stops_where_validators_stop() -> None:
    """Past ~1e306 the quotient by 0.01 overflows; jsonschema then divides exactly,
    and no float that large is a multiple of the binary 0.01: no digit is offered
    there, and every prefix before it still ends valid (once found by a walk of
    random tokens: a 4,301-digit whole part)."""
    schema = {"type": "number", "multipleOf": 0.01}
    parser = JsonSchema(schema)
    validator = jsonschema.validators.validator_for(schema)(schema)
    state = parser
    text = ""
    while True:
        digits = [c for c in "123456789" if c in state.allowed()]
        if not digits:
            break
        nxt = state.advance(digits[-1])
        assert nxt is not None
        state, text = nxt, text + digits[-1]
    assert 300 < len(text) < 310
    rest = state.shortest()
    assert rest is not None and validator.is_valid(json.loads(text + rest))

"""minProperties counts distinct names, as a parsed object has them: a text that
meets it only by writing an undeclared name twice is not taken, and completions
write new names."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from strategies import assert_walks_finish_valid, jsonschema_oracle

from lmparsec.combinators.jsonschema import JsonSchema

SCHEMAS: list[dict[str, Any]] = [
    {"type": "object", "minProperties": 2},
    {"type": "object", "minProperties": 3, "properties": {"a": {"type": "integer"}}},
    {"type": "object", "additionalProperties": {"type": "string"}, "minProperties": 2},
    {"type": "object", "patternProperties": {"^x": {}}, "minProperties": 3},
    {"type": "object", "patternProperties": {"^[a-z]{2}$": {"type": "integer"}}, "minProperties": 2,
     "maxProperties": 3},
]




@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize("schema", SCHEMAS, ids=json.dumps)
def test_completion_writes_distinct_names(schema: dict[str, Any], strict: bool) -> None:
    text = JsonSchema(schema, strict=strict).shortest()
    if text is None:  # under strict, only the declared names: too few for minProperties
        assert strict and "properties" in schema
        return
    assert jsonschema_oracle(schema)(text), text


@pytest.mark.parametrize("schema", SCHEMAS, ids=json.dumps)
def test_duplicate_names_do_not_count(schema: dict[str, Any]) -> None:
    """Texts of two to four members over a few names, some repeated: taken exactly
    when jsonschema accepts the parsed object and no undeclared name is written
    twice before minProperties is met."""
    parser = JsonSchema(schema, strict=False, key_order="any")
    valid = jsonschema_oracle(schema)
    rng = random.Random(3)
    pool = ["x", "xy", "ab", "a", "b"]
    checked = 0
    for _ in range(300):
        names = [rng.choice(pool) for _ in range(rng.randrange(2, 5))]
        members = [(n, 1) for n in names]
        text = "{" + ",".join(f"{json.dumps(n)}:{json.dumps(v)}" for n, v in members) + "}"
        if len(set(names)) == len(names):
            expected = valid(text)
        elif len(set(names)) < schema["minProperties"]:
            expected = False  # jsonschema sees fewer properties than minProperties
        else:
            continue  # a repeat after the minimum: either reading is fine
        assert parser.accepts(text) == expected, text
        checked += 1
    assert checked > 100


def test_walks_finish_valid() -> None:
    """Character walks through ``allowed()`` into keys (the names offered while the
    minimum is unmet never repeat one) always finish into a valid object."""
    schema = {"type": "object", "minProperties": 3, "additionalProperties": {"type": "integer"}}
    assert_walks_finish_valid(JsonSchema(schema), jsonschema_oracle(schema),
                              alphabet='{}":,ab01', walks=100, max_steps=25, seed=5)



def test_a_key_text_is_keyed_by_the_names_it_can_still_become() -> None:
    """Inside a name, only the declared names below that place in the name trie can
    still be written: states of one object at different progress -- other names
    written or not -- read the rest alike and have one key there."""
    parser = JsonSchema({"type": "object", "properties": {
        "alpha": {"type": "string"}, "beta": {"type": "string"}, "alps": {"type": "integer"}}})
    fresh = parser.advance_text('{"be')
    later = parser.advance_text('{"alpha": "x", "be')
    assert fresh is not None and later is not None
    assert fresh.child.value.key() == later.child.value.key()  # type: ignore[attr-defined]
    # where the names written still matter, the keys differ
    a1 = parser.advance_text('{"al')
    a2 = parser.advance_text('{"alpha": "x", "al')
    assert a1 is not None and a2 is not None
    assert a1.child.value.key() != a2.child.value.key()  # type: ignore[attr-defined]
    assert a2.advance_text('pha') is None and a1.advance_text('pha"') is not None

"""Schema descriptions for prompts: ``schema_example`` and ``describe_schema``.

The example must have the shape the constrained output will have (same keys,
same order, ``$ref`` resolved) and carry each field's description, because
that is the only way instructions such as "name in uppercase" reach the model.
"""

from __future__ import annotations

import enum
import json
from typing import Any, Literal

import pytest

from lmparsec.combinators.jsonschema import JsonSchema
from lmparsec.errors import SchemaError
from lmparsec.prompting import describe_schema, schema_dict, schema_example

ORDER = {
    "$defs": {
        "item": {
            "type": "object",
            "description": "one line of the order",
            "properties": {
                "sku": {"type": "string", "description": "stock keeping unit, e.g. AB-12"},
                "qty": {"type": "integer", "minimum": 1},
            },
            "required": ["sku", "qty"],
        },
        "address": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "zip": {"type": "string", "pattern": "^[0-9]{5}$"}},
        },
    },
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "status": {"enum": ["new", "paid", "shipped"]},
        "currency": {"const": "EUR"},
        "items": {"type": "array", "items": {"$ref": "#/$defs/item"}, "minItems": 1},
        "ship_to": {"$ref": "#/$defs/address", "description": "where to deliver"},
        "note": {"anyOf": [{"type": "string"}, {"type": "null"}], "description": "free text, or null"},
        "weight": {"type": ["number", "null"]},
    },
    "required": ["id", "status", "items"],
}


UUID = "123e4567-e89b-12d3-a456-426614174000"


def test_nested_refs_descriptions_enums_and_consts() -> None:
    assert schema_example(ORDER) == {
        "id": "<string, uuid>",
        "status": '<one of: "new" | "paid" | "shipped">',
        "currency": '<exactly "EUR">',
        "items": [{"sku": "<stock keeping unit, e.g. AB-12>", "qty": "<integer>"}],
        "ship_to": {"city": "<string>", "zip": "<string>"},  # an object keeps its fields, not its description
        "note": "<free text, or null>",
        "weight": "<number or null>",
    }


def test_keys_follow_the_schema_order_like_the_output() -> None:
    example = schema_example(ORDER)
    assert list(example) == list(ORDER["properties"])
    # the example's key order is one the parser accepts
    text = json.dumps({"id": UUID, "status": "new", "currency": "EUR", "items": [{"sku": "a", "qty": 1}]})
    assert JsonSchema(ORDER).accepts(text)


def test_prop_order_puts_names_first_at_every_depth() -> None:
    example = schema_example(ORDER, prop_order=["items", "qty", "status"])
    assert list(example)[:2] == ["items", "status"]
    assert list(example)[2:] == ["id", "currency", "ship_to", "note", "weight"]
    assert list(example["items"][0]) == ["qty", "sku"]
    # JsonSchema(key_order=...) writes the same order, nested objects included
    parser = JsonSchema(ORDER, key_order=["items", "qty", "status"])
    assert parser.accepts('{"items":[{"qty":2,"sku":"A"}],"status":"paid","id":"' + UUID + '"}')
    assert not parser.accepts('{"items":[{"sku":"A","qty":2}],"status":"paid","id":"' + UUID + '"}')


def test_recursive_refs_stop() -> None:
    tree = {
        "$defs": {"node": {"type": "object", "properties": {
            "value": {"type": "integer"},
            "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
        }}},
        "$ref": "#/$defs/node",
    }
    assert schema_example(tree) == {"value": "<integer>", "children": ["<recursive node>"]}


def test_all_of_one_ref_and_unresolvable_refs() -> None:
    schema = {
        "$defs": {"n": {"type": "integer", "description": "a count"}},
        "type": "object",
        "properties": {"a": {"allOf": [{"$ref": "#/$defs/n"}]}, "b": {"$ref": "#/$defs/missing"},
                       "c": {"$ref": "https://example.com/remote.json"}},
    }
    assert schema_example(schema) == {"a": "<a count>", "b": "<value>", "c": "<value>"}


def test_scalars_arrays_and_booleans() -> None:
    assert schema_example({"type": "string"}) == "<string>"
    assert schema_example({"type": "array"}) == ["<array>"]
    assert schema_example({"type": "array", "items": {"type": "integer"}}) == ["<integer>"]
    assert schema_example(True) == "<any JSON value>"
    assert schema_example(False) is None
    assert schema_example('{"type": "boolean", "description": "is it on"}') == "<is it on>"


def test_pydantic_models_with_field_descriptions() -> None:
    pydantic = pytest.importorskip("pydantic")

    class Role(str, enum.Enum):
        admin = "admin"
        user = "user"

    class Person(pydantic.BaseModel):
        name: str = pydantic.Field(description="the name in uppercase")
        age: int = pydantic.Field(ge=0)

    class Team(pydantic.BaseModel):
        lead: Person
        members: list[Person]
        role: Role
        tier: Literal["gold", "silver"]
        motto: str | None = None

    example = schema_example(Team)
    assert example == {
        "lead": {"name": "<the name in uppercase>", "age": "<integer>"},
        "members": [{"name": "<the name in uppercase>", "age": "<integer>"}],
        "role": '<one of: "admin" | "user">',
        "tier": '<one of: "gold" | "silver">',
        "motto": "<string>",
    }
    assert schema_example(list[Person]) == [{"name": "<the name in uppercase>", "age": "<integer>"}]
    assert schema_dict(Team) == Team.model_json_schema()


def test_describe_schema_names_the_kind_and_shows_the_example() -> None:
    text = describe_schema(ORDER, prop_order=["status"])
    assert text.startswith("Answer with a JSON object of this form")
    body = json.loads(text.split("\n", 1)[1])
    assert body == schema_example(ORDER, prop_order=["status"])
    assert next(iter(body)) == "status"
    assert "<stock keeping unit, e.g. AB-12>" in text
    array = {"type": "array", "items": {"type": "string"}}
    assert describe_schema(array).startswith("Answer with a JSON array")
    assert describe_schema({"type": "integer"}).startswith("Answer with JSON of this form")
    assert "ü" in describe_schema({"type": "string", "description": "Grüße"})  # not \u-escaped


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ("{not json", "schema string is not JSON"),
        ("[1, 2]", "must be an object or a boolean"),
        (42, "cannot make a JSON Schema"),
    ],
)
def test_bad_schemas_raise_schema_error(schema: Any, message: str) -> None:
    with pytest.raises(SchemaError, match=message) as info:
        schema_example(schema)
    assert isinstance(info.value, ValueError)


def test_an_array_description_shows_when_its_items_are_scalars() -> None:
    schema = {"type": "object", "properties": {
        "skills": {"type": "array", "items": {"type": "string"}, "description": "tools, one per item"},
        "people": {"type": "array", "description": "everyone", "items": {
            "type": "object", "properties": {"name": {"type": "string"}}}},
    }}
    assert schema_example(schema) == {"skills": ["<tools, one per item>"], "people": [{"name": "<string>"}]}

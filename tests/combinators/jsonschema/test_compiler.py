"""JsonSchema: options, errors, recursion, keys, shortest, and property tests
against the ``jsonschema`` package as the oracle."""

from __future__ import annotations

import json
import random
from decimal import Decimal, InvalidOperation, localcontext
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import assert_walks_finish_valid, jsonschema_oracle

from lmparsec import Literal, Sequence, Union
from lmparsec.combinators.base import Parser
from lmparsec.combinators.jsonschema import JsonSchema
from lmparsec.errors import SchemaError, UnsupportedSchemaError

CAR = {
    "type": "object",
    "properties": {
        "make": {"type": "string"},
        "model": {"type": "string"},
        "year": {"type": "integer", "minimum": 1900, "maximum": 2030},
        "colors": {"type": "array", "items": {"type": "string"}},
        "features": {
            "type": "object",
            "properties": {
                "audio": {"type": "object", "properties": {
                    "brand": {"type": "string"}, "speakers": {"type": "integer", "minimum": 0},
                    "hasBluetooth": {"type": "boolean"}}},
                "safety": {"type": "object", "properties": {
                    "airbags": {"type": "integer", "minimum": 0},
                    "parkingSensors": {"type": "boolean"}, "laneAssist": {"type": "boolean"}}},
                "performance": {"type": "object", "properties": {
                    "engine": {"type": "string"}, "horsepower": {"type": "integer"},
                    "topSpeed": {"type": "number"}}},
            },
        },
        "owner": {"type": "object", "properties": {
            "firstName": {"type": "string"}, "lastName": {"type": "string"},
            "age": {"type": "integer", "minimum": 0}}, "required": ["firstName", "lastName"]},
    },
    "required": ["make", "model", "year"],
}

CAR_VALUE = {
    "make": "Toyota", "model": "Corolla", "year": 2020, "colors": ["red", "blue"],
    "features": {"audio": {"brand": "JBL", "speakers": 8, "hasBluetooth": True},
                 "safety": {"airbags": 6, "parkingSensors": True, "laneAssist": False},
                 "performance": {"engine": "1.8L", "horsepower": 139, "topSpeed": 180.5}},
    "owner": {"firstName": "Ann", "lastName": "Lee", "age": 40},
}

TREE = {
    "$defs": {"node": {"type": "object", "properties": {
        "value": {"type": "integer"},
        "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}},
        "required": ["value"]}},
    "$ref": "#/$defs/node",
}

SCHEMAS: list[dict[str, Any]] = [
    CAR,
    TREE,
    {"type": "array", "items": {"enum": ["a", "b", 1, None, {"k": [1, 2]}]}, "maxItems": 4},
    {"type": "object", "properties": {"a": {"type": "string", "maxLength": 3}},
     "patternProperties": {"^x-": {"type": "boolean"}}, "additionalProperties": False},
    {"anyOf": [{"type": "string", "pattern": "^[a-c]+$"}, {"type": "number", "minimum": 0}]},
    {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}],
     "items": False, "minItems": 1},
    {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"},
     "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True}},
     "minProperties": 1, "maxProperties": 2},
    {"oneOf": [{"type": "integer", "multipleOf": 3}, {"type": "integer", "multipleOf": 5}]},
    # branches of different types (a union), and of one type (exactly one is checked)
    {"oneOf": [{"type": "string", "maxLength": 3}, {"type": "integer", "minimum": 2},
               {"type": "object", "properties": {"k": {"type": "boolean"}}, "required": ["k"]}]},
    {"oneOf": [{"type": "string"}, {"type": ["string", "null"], "maxLength": 2}]},
    {"anyOf": [{"type": "string"}, {"type": "null"}], "not": {"const": "a"}, "description": "x"},
]


def dumps3(value: Any) -> list[str]:
    return [json.dumps(value), json.dumps(value, separators=(",", ":")), json.dumps(value, indent=2),
            json.dumps(value, indent=4)]


def exact_loads(text: str) -> Any:
    """``json.loads`` that keeps integral numbers such as ``1e3`` or ``14089711856804852000000000000.0``
    exact ints, so ``multipleOf`` is judged on the value written, not on a rounded float."""

    def number(token: str) -> Any:
        try:
            value = Decimal(token)
        except InvalidOperation:  # an exponent beyond Decimal's range
            return float(token)
        if abs(value.adjusted()) > 400:  # beyond any bound these schemas state
            return float(token)
        with localcontext() as ctx:
            ctx.prec = 1000
            integral = value == value.to_integral_value()
        return int(value) if integral else float(token)

    return json.loads(text, parse_float=number)


def random_walk(parser: Parser, rng: random.Random, max_len: int = 400) -> str | None:
    """Walk the parser by random allowed characters; finish with its shortest completion."""
    text: list[str] = []
    state = parser
    for _ in range(max_len):
        if state.can_end() and rng.random() < 0.15:
            return "".join(text)
        allowed = state.allowed()
        if not allowed:
            break
        ranges = allowed.ranges
        lo, hi = ranges[rng.randrange(len(ranges))]
        if rng.random() < 0.8:  # stay mostly in ASCII-ish characters
            hi = min(hi, max(lo, 0x7E))
        cp = rng.randint(lo, hi)
        if 0xD800 <= cp <= 0xDFFF:
            continue
        nxt = state.advance(chr(cp))
        assert nxt is not None, f"allowed char {chr(cp)!r} rejected after {''.join(text)!r}"
        text.append(chr(cp))
        state = nxt
    tail = state.shortest()
    if tail is None:
        return None
    return "".join(text) + tail


# -- basics and options -----------------------------------------------------------


def test_car_accepts_dumps_styles_and_validates() -> None:
    p = JsonSchema(CAR)
    for text in dumps3(CAR_VALUE):
        assert p.accepts(text), text
    assert not p.accepts(json.dumps({**CAR_VALUE, "year": 1800}))
    assert not p.accepts(json.dumps({"make": "x", "model": "y"}))


def test_key_order_schema_any_and_list() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
              "required": ["a", "b"]}
    assert JsonSchema(schema).accepts('{"a": 1, "b": 2}')
    assert not JsonSchema(schema).accepts('{"b": 2, "a": 1}')
    assert JsonSchema(schema, key_order="any").accepts('{"b": 2, "a": 1}')
    assert not JsonSchema(schema, key_order="any").accepts('{"a": 1, "a": 1}')
    listed = JsonSchema(schema, key_order=["b"])
    assert listed.accepts('{"b": 2, "a": 1}') and not listed.accepts('{"a": 1, "b": 2}')


def test_any_order_rejects_dead_key_prefix_and_early_close() -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
              "required": ["name"]}
    p = JsonSchema(schema, key_order="any").advance_text('{"')
    assert p is not None
    assert "z" not in p.allowed() and "n" in p.allowed() and "a" in p.allowed()
    q = JsonSchema(schema, key_order="any").advance_text("{")
    assert q is not None and "}" not in q.allowed()


def test_strict_versus_json_schema_semantics() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}}
    assert not JsonSchema(schema).accepts('{"a": 1, "z": true}')
    assert JsonSchema(schema, strict=False).accepts('{"a": 1, "z": true}')
    # strict only concerns schemas that declare properties
    assert JsonSchema({"type": "object"}).accepts('{"z": [1, {"y": null}]}')


def test_whitespace_policies() -> None:
    value = {"a": [1, {"b": {"c": [2, 3, {"d": "x"}]}}]}
    schema = {"type": "object"}
    p = JsonSchema(schema)
    for text in dumps3(value):
        assert p.accepts(text)
    deep: Any = 1
    for _ in range(12):
        deep = {"k": [deep]}
    for text in dumps3(deep):
        assert p.accepts(text)
    assert not p.accepts('{"a":' + " " * 50 + "1}")
    assert not p.accepts('{\n' + " " * 50 + '"a": 1}')
    assert not p.accepts(' {"a": 1}') and not p.accepts('{"a": 1} ')
    compact = JsonSchema(schema, whitespace="compact")
    assert compact.accepts(json.dumps(value, separators=(",", ":")))
    assert not compact.accepts(json.dumps(value))
    wide = JsonSchema(schema, whitespace=8)
    assert wide.accepts(json.dumps(value, indent=8))
    assert not p.accepts(json.dumps(value, indent=8))


def test_composes_with_other_combinators() -> None:
    p = Sequence(Literal("```json\n"), JsonSchema({"type": "integer"}), Literal("\n```"))
    assert p.accepts("```json\n42\n```")
    u = Union(JsonSchema({"type": "string"}), Literal("none"))
    assert u.accepts('"x"') and u.accepts("none")


def test_input_forms() -> None:
    assert JsonSchema('{"type": "boolean"}').accepts("true")
    assert JsonSchema(True).accepts('[1, "a", {"b": null}]')
    assert not JsonSchema(False).prefix_ok("1")


# -- errors -----------------------------------------------------------------------


def test_unsupported_keyword_names_keyword_and_pointer() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string", "pattern": "(a)\\1"}}}
    with pytest.raises(UnsupportedSchemaError) as info:
        JsonSchema(schema)
    assert info.value.keyword == "pattern"
    assert info.value.pointer == "/properties/a/pattern"
    # ignore weakens the guarantee instead
    assert JsonSchema(schema, unsupported="ignore").accepts('{"a": "zz"}')


def test_malformed_schema() -> None:
    with pytest.raises(SchemaError):
        JsonSchema({"type": 5})
    with pytest.raises(SchemaError):
        JsonSchema({"minLength": -1})
    with pytest.raises(SchemaError):
        JsonSchema({"properties": []})


def test_unresolvable_ref_is_named() -> None:
    with pytest.raises(SchemaError, match=r"#/\$defs/missing"):
        JsonSchema({"$ref": "#/$defs/missing"})
    with pytest.raises(SchemaError, match=r"other\.json"):
        JsonSchema({"$ref": "http://example.com/other.json"})


def test_remote_ref_via_resources_and_escaped_pointer() -> None:
    resources = {"http://example.com/int.json": {"type": "integer"}}
    assert JsonSchema({"$ref": "http://example.com/int.json"}, resources=resources).accepts("3")
    schema = {"$defs": {"a/b": {"type": "integer"}, "c~d": {"type": "string"}, "e f": {"type": "null"}},
              "type": "array",
              "prefixItems": [{"$ref": "#/$defs/a~1b"}, {"$ref": "#/$defs/c~0d"}, {"$ref": "#/$defs/e%20f"}]}
    assert JsonSchema(schema).accepts('[1, "x", null]')


# -- recursion, keys, shortest ---------------------------------------------------------


def nested_tree(depth: int) -> dict[str, Any]:
    node: dict[str, Any] = {"value": 0}
    for i in range(depth):
        node = {"value": i, "children": [node]}
    return node


def test_recursive_tree_depth_30() -> None:
    p = JsonSchema(TREE)
    for text in dumps3(nested_tree(30)):
        assert p.accepts(text)
    assert not p.accepts(json.dumps({"value": 1, "children": [{"children": []}]}))


def test_keys_small_and_equal_for_equal_futures() -> None:
    p = JsonSchema(CAR)
    a = p.advance_text('{"make": "Toyota')
    b = p.advance_text('{"make": "Honda')
    assert a is not None and b is not None
    assert a.key() == b.key()
    assert len(repr(a.key())) < 300
    # inside a string the object's loop is the string's loop
    assert "x" in a.loop() and '"' not in a.loop()
    c = JsonSchema(CAR).advance_text('{"make": "Toyota')
    assert c is not None and c.key() == a.key()


def test_property_order_makes_different_grammars_under_schema_key_order() -> None:
    # equal up to key order, yet under key_order="schema" one object writes x first and
    # the other y first: their states must not share keys (nor cached masks)
    xy = {"type": "object", "properties": {"x": {"type": "integer"}, "y": {"type": "integer"}}}
    yx = {"type": "object", "properties": {"y": {"type": "integer"}, "x": {"type": "integer"}}}
    p = JsonSchema({"type": "object", "properties": {"a": xy, "b": yx}})
    a = p.advance_text('{"a": {')
    b = p.advance_text('{"a": {"x": 1, "y": 2}, "b": {')
    assert a is not None and b is not None
    assert a.child.key() != b.child.key()  # type: ignore[attr-defined]
    assert p.accepts('{"a": {"x": 1, "y": 2}, "b": {"y": 3, "x": 4}}')
    assert not p.accepts('{"a": {"x": 1, "y": 2}, "b": {"x": 3, "y": 4}}')


def test_equal_subschemas_without_refs_share_keys_across_documents() -> None:
    # the same member schema in two unrelated documents: its states are the same
    # grammar, so masks computed for one serve the other
    person = {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}}
    # annotations do not shape the grammar: a described copy is the same grammar
    described = {"title": "P", "type": "object", "properties": {
        "name": {"type": "string", "description": "given name", "examples": ["Al"]},
        "age": {"type": "integer", "default": 3}}}
    one = JsonSchema({"type": "object", "properties": {"owner": person, "id": {"type": "integer"}}})
    two = JsonSchema({"type": "array", "items": described, "maxItems": 3})
    a = one.advance_text('{"owner": {"name": "Ann", ')
    b = two.advance_text('[{"name": "Bob", ')
    assert a is not None and b is not None
    assert a.child.key() == b.child.key()  # type: ignore[attr-defined]
    # a $ref inside ties a subschema to its document: no sharing there
    defs = {"$defs": {"n": {"type": "string"}}}
    ref = {"type": "object", "properties": {"name": {"$ref": "#/$defs/n"}}}
    c = JsonSchema({**defs, "type": "object", "properties": {"owner": ref}}).advance_text('{"owner": {')
    d = JsonSchema({**defs, "type": "array", "items": ref}).advance_text('[{')
    assert c is not None and d is not None
    assert c.child.key() != d.child.key()  # type: ignore[attr-defined]
    # data is not schema: a const object's "description" key is part of the grammar
    e = JsonSchema({"type": "array", "items": {"const": {"description": 1}}})
    f = JsonSchema({"type": "array", "items": {"const": {}}})
    assert e.accepts('[{"description": 1}]') and not e.accepts("[{}]")
    assert f.accepts("[{}]") and not f.accepts('[{"description": 1}]')
    ea, fa = e.advance_text("["), f.advance_text("[")
    assert ea is not None and fa is not None and ea.key() != fa.key()


def test_combinators_of_whole_types_read_the_chosen_branch_alone() -> None:
    # an anyOf with nothing beside it needs no part that takes any value, and a oneOf of
    # branches of different types is an anyOf (no value is of two types): once the first
    # character chose a branch, the states are the branch's own -- the same keys, and
    # masks, as the branch alone, not an intersection of copies
    obj = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
    alone = JsonSchema(obj).advance_text('{"name": "A')
    assert alone is not None
    for kind in ("anyOf", "oneOf"):
        state = JsonSchema({kind: [{"type": "string"}, obj], "title": "t"}).advance_text('{"name": "A')
        assert state is not None and state.key() == alone.key(), kind
    # (a number and an integer overlap: exactly one of them is still checked)
    overlap = JsonSchema({"oneOf": [{"type": "integer"}, {"type": "number", "maximum": 3}]})
    assert overlap.accepts("7") and overlap.accepts("2.5") and not overlap.accepts("2")
    text = JsonSchema({"anyOf": [{"type": "string"}, {"type": "null"}], "description": "d"})
    plain = JsonSchema({"type": ["string", "null"]}).advance_text('"ab')
    got = text.advance_text('"ab')
    assert got is not None and plain is not None and got.key() == plain.key()


def test_patterns_that_change_no_value_leave_undeclared_keys_on_the_shared_path() -> None:
    # "^x_": {} beside an open object: a key matching it takes any value, as any other
    # undeclared key does, so inside such a key the state is the plain "any key" one
    # (shared masks) -- while a pattern that does change the value keeps its effect
    open_obj = {"type": "object", "properties": {"a": {"type": "string"}}, "patternProperties": {"^x_": {}}}
    p = JsonSchema(open_obj, strict=False)
    a = p.advance_text('{"x_y')
    plain = {"type": "object", "properties": {"a": {"type": "string"}}}
    b = JsonSchema(plain, strict=False).advance_text('{"x_y')
    assert a is not None and b is not None
    assert a.child.mask_key(8) == b.child.mask_key(8)  # type: ignore[attr-defined]
    for text in ['{"x_y": {"k": [1]}}', '{"q": 1, "x_": null}', '{"a": "s", "x_1": "t"}']:
        assert p.accepts(text) and jsonschema.Draft202012Validator(open_obj).is_valid(json.loads(text))
    assert not p.accepts('{"a": 1}')
    typed = {"type": "object", "patternProperties": {"^x_": {"type": "boolean"}}}
    q = JsonSchema(typed, strict=False)
    assert q.accepts('{"x_a": true, "y": 1}') and not q.accepts('{"x_a": 1}')
    # under strict, undeclared keys are refused unless a pattern takes them: it stays
    r = JsonSchema(open_obj, strict=True)
    assert r.accepts('{"x_y": 1}') and not r.accepts('{"y": 1}')


def _many_kinds(count: int) -> dict[str, Any]:
    # the shape of Azure Data Factory's table schema: a base object whose required
    # "type" and "typeProperties" are declared only by the branches of a oneOf
    kinds = [{"type": "object", "properties": {
        "type": {"enum": [f"Kind{i}"]},
        "typeProperties": {"type": "object", "properties": {f"p{i}": {"type": "integer"}}}}}
        for i in range(count)]
    return {"type": "object", "required": ["name", "type", "typeProperties"],
            "allOf": [{"properties": {"name": {"type": "string"}, "note": {"type": "string"}}},
                      {"oneOf": kinds}]}


@pytest.mark.parametrize("count", [3, 20])
def test_base_and_branches_too_many_to_distribute_take_each_others_keys(count: int) -> None:
    # under strict (the default) each part alone refuses the keys only the others
    # declare; with more branches than are distributed, the parts run side by side,
    # and no object could be finished
    schema = _many_kinds(count)
    validator = jsonschema.Draft202012Validator(schema)
    p = JsonSchema(schema)
    tail = p.advance_text('{"')
    assert tail is not None
    done = tail.shortest()
    assert done is not None and p.accepts('{"' + done)
    assert validator.is_valid(json.loads('{"' + done))
    good = {"name": "a", "note": "b", "type": "Kind2", "typeProperties": {"p2": 5}}
    for text in dumps3(good):
        assert p.accepts(text)
    for bad in [{**good, "type": "Kind1"}, {**good, "typeProperties": {"p2": "x"}},
                {"name": "a", "typeProperties": {}}, {**good, "other": 1}]:
        assert not p.accepts(json.dumps(bad))
    rng = random.Random(count)
    for _ in range(20):
        text = random_walk(p, rng)
        assert text is not None and validator.is_valid(json.loads(text)), text


def test_shortest_where_the_parts_agree_only_after_the_first_character() -> None:
    # a Skaffold config: "type": "object" beside an anyOf branch that says nothing of
    # type but requires keys -- one part's shortest value is {}, the other's 0, and
    # neither is the other's; the generic search ran out of states after ~9 s
    schema = {"type": "object", "anyOf": [{
        "additionalProperties": False, "required": ["apiVersion", "kind"],
        "properties": {"apiVersion": {"type": "string"}, "kind": {"type": "string"},
                       "build": {"type": "object", "properties": {"x": {"type": "array"}}}}}]}
    p = JsonSchema(schema)
    done = p.shortest()
    assert done is not None and p.accepts(done)
    assert jsonschema.Draft202012Validator(schema).is_valid(json.loads(done))


@pytest.mark.parametrize("strict", [True, False])
def test_shortest_writes_a_member_from_the_patterns(strict: bool) -> None:
    # objects that need a member and declare none but patternProperties, nested (a
    # graph-import config): the generic search ran out of states inside the value
    word = {"type": "object", "properties": {"column": {"type": "string"}}}
    props = {"type": "object", "minProperties": 1, "patternProperties": {"^\\w+$": word}}
    node = {"type": "object", "required": ["label", "props"],
            "properties": {"label": {"type": "string"}, "props": props}}
    schema = {"type": "object", "required": ["nodes"], "properties": {
        "nodes": {"type": "object", "minProperties": 1, "patternProperties": {"^\\w+$": node}}}}
    p = JsonSchema(schema, strict=strict)
    done = p.shortest()
    assert done is not None and p.accepts(done)
    assert jsonschema.Draft202012Validator(schema).is_valid(json.loads(done))


@pytest.mark.parametrize("strict", [True, False])
def test_branches_that_only_require_names_impose_no_key_order(strict: bool) -> None:
    # under key_order="schema", a oneOf branch {"required": ["src"]} ordered its one
    # name before any other key, while the properties beside it put "id" first:
    # without strict's merging, no object could be written at all
    schema = {"type": "object", "required": ["id"], "oneOf": [{"required": ["vcs"]}, {"required": ["src"]}],
              "properties": {"id": {"type": "string"}, "vcs": {"type": "object"}, "src": {"type": "string"}}}
    p = JsonSchema(schema, strict=strict)
    assert p.accepts('{"id": "a", "src": "b"}') and p.accepts('{"id": "a", "vcs": {}}')
    assert not p.accepts('{"id": "a"}') and not p.accepts('{"id": "a", "vcs": {}, "src": "b"}')
    assert not p.accepts('{"src": "b", "id": "a"}')  # the declared order still holds


def test_a_member_that_recurses_into_its_own_schema_is_live() -> None:
    # an expression schema: {"exp": <expression>} is one of the expressions; asked
    # whether "exp" can take any value while the expression's start was under way,
    # the recursion guard answered Never, and every {"exp": ...} was refused
    branch = {"type": "object", "required": ["exp"], "additionalProperties": False,
              "properties": {"exp": {"$ref": "#/definitions/e"}}}
    schema = {"definitions": {"e": {"anyOf": [{"type": "number"}, branch]}}, "$ref": "#/definitions/e"}
    for strict in (True, False):
        p = JsonSchema(schema, strict=strict, key_order="any")
        assert p.accepts('{"exp": 2}') and p.accepts('{"exp": {"exp": 2}}')
        assert not p.accepts('{"exp": "x"}') and not p.accepts("{}")


def test_a_ref_target_that_names_its_draft_is_read_in_it() -> None:
    # Heroku's platform schema copied into a newer document: its definitions keep
    # "$schema": draft-04, where an integer has no fraction; reached through $ref
    # they were read as draft 2020-12, and 5.0 was written where jsonschema refuses it
    old = {"$schema": "http://json-schema.org/draft-04/schema", "type": "object",
           "properties": {"port": {"type": ["integer"]}}}
    schema = {"definitions": {"c": old}, "type": "object",
              "properties": {"container": {"$ref": "#/definitions/c"}}}
    # and a $ref deeper into such a definition (through its "properties")
    deep = {"definitions": {"c": old}, "type": "object",
            "properties": {"port": {"$ref": "#/definitions/c/properties/port"}}}
    cases = [(schema, '{"container": {"port": 5.0}}'), (schema, '{"container": {"port": 5}}'),
             (deep, '{"port": 5.0}'), (deep, '{"port": 5}')]
    for doc, text in cases:
        accepted = JsonSchema(doc).accepts(text)
        assert accepted == jsonschema.Draft202012Validator(doc).is_valid(json.loads(text)), text


@pytest.mark.parametrize("strict", [True, False])
def test_no_closing_brace_where_only_the_excluded_condition_could_end(strict: bool) -> None:
    # ui5.yaml: "if" specVersion is a newer one "then" more keys are required; the
    # "else" side runs "not the if", which allowed "}" after "3.0" -- the if matches
    # the closed object, so that path ended nowhere (a dead end in the mask)
    schema = {"type": "object", "required": ["v"],
              "properties": {"v": {"enum": ["a", "b"]}, "t": {"type": "string"}},
              "if": {"properties": {"v": {"enum": ["a"]}}}, "then": {"required": ["t"]}}
    p = JsonSchema(schema, strict=strict)
    after_a, after_b = p.advance_text('{"v": "a"'), p.advance_text('{"v": "b" ')
    assert after_a is not None and after_b is not None
    assert "}" not in after_a.allowed() and "," in after_a.allowed()
    assert "}" in after_b.allowed()
    assert p.accepts('{"v": "a", "t": ""}') and p.accepts('{"v": "b"}') and not p.accepts('{"v": "a"}')


def test_one_of_keys_offers_no_second_key() -> None:
    # a Snowplow bad row: the payload has exactly one of eventStruct / eventRaw
    # ("oneOf": [{"required": [...]}, ...]); once one was written the mask still
    # offered the other, after which no closing brace could follow (both match)
    schema = {"type": "object", "additionalProperties": False,
              "oneOf": [{"required": ["eventStruct"]}, {"required": ["eventRaw"]}],
              "properties": {"eventRaw": {"type": "string"}, "eventStruct": {"type": "object"},
                             "note": {"type": "string"}}}
    validator = jsonschema.Draft202012Validator(schema)
    for key_order in ("schema", "any"):
        p = JsonSchema(schema, key_order=key_order)
        after = p.advance_text('{"eventRaw": "x", "')
        assert after is not None and "e" not in after.allowed()
        assert p.accepts('{"eventRaw": "x", "note": "n"}') and p.accepts('{"eventStruct": {}}')
        assert not p.accepts('{"eventRaw": "x", "eventStruct": {}}') and not p.accepts("{}")
        rng = random.Random(3)
        for _ in range(30):
            text = random_walk(p, rng)
            assert text is not None and validator.is_valid(json.loads(text)), text


def test_no_closing_brace_that_every_one_of_branch_takes() -> None:
    # two object branches that both take {} (optional properties only): exactly one
    # can never hold for it, yet "}" was offered after "{" -- a dead end
    one = {"type": "object", "properties": {"red": {"type": "string"}}}
    two = {"type": "object", "properties": {"blue": {"type": "string"}}}
    schema = {"type": "object", "properties": {"thing": {"oneOf": [one, two]}}}
    validator = jsonschema.Draft202012Validator(schema)
    for strict in (True, False):
        p = JsonSchema(schema, strict=strict)
        after = p.advance_text('{"thing": {')
        assert after is not None and "}" not in after.allowed()
        for text in ['{"thing": {"blue": 1}}', '{"thing": {}}', '{"thing": {"red": "a"}}']:
            valid = validator.is_valid(json.loads(text))
            # (strict narrows what is taken, so there only: nothing invalid is taken)
            assert p.accepts(text) <= valid if strict else p.accepts(text) == valid, text


def test_shortest_follows_the_parts_as_far_as_they_agree() -> None:
    # an ORT package configuration: an anyOf of required lists beside the declared
    # properties (no part's own completion is taken by the others, but their common
    # prefixes are), under a oneOf of required lists; the generic search took ~28 s
    vcs = {"type": "object", "anyOf": [{"required": ["type"]}, {"required": ["url"]}],
           "properties": {"type": {"type": "string"}, "url": {"type": "string"}}}
    schema = {"type": "object", "required": ["id"], "oneOf": [{"required": ["vcs"]}, {"required": ["src"]}],
              "properties": {"id": {"type": "string"}, "vcs": vcs, "src": {"type": "string"}}}
    validator = jsonschema.Draft202012Validator(schema)
    for strict in (True, False):
        p = JsonSchema(schema, strict=strict)
        for prefix in ["", '{"id": "a", "vcs": ']:
            state = p.advance_text(prefix)
            assert state is not None
            done = state.shortest()
            assert done is not None and p.accepts(prefix + done)
            assert validator.is_valid(json.loads(prefix + done))


@pytest.mark.parametrize("index", range(len(SCHEMAS)))
def test_shortest_is_accepted_and_valid(index: int) -> None:
    schema = SCHEMAS[index]
    p = JsonSchema(schema)
    text = p.shortest()
    assert text is not None and p.accepts(text)
    jsonschema.validate(exact_loads(text), schema)
    mid = p.advance_text(text[: len(text) // 2])
    assert mid is not None
    tail = mid.shortest()
    assert tail is not None and mid.accepts(tail)


@pytest.mark.parametrize("index", range(len(SCHEMAS)))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1))
def test_random_walks_validate(index: int, seed: int) -> None:
    schema = SCHEMAS[index]
    p = JsonSchema(schema)
    text = random_walk(p, random.Random(seed))
    if text is None:
        return
    assert p.accepts(text), text
    jsonschema.validate(exact_loads(text), schema)


# -- hypothesis-drawn instances: accepted iff valid -------------------------------------------

json_values = st.recursive(
    # floats stay below 1e16: integers written with an exponent (1e+16) are a known gap
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(-1e12, 1e12, allow_nan=False)
    | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["a", "b", "id", "tags", "x-y", "make", "value", "children", "k"]),
        children, max_size=4),
    max_leaves=12,
)


@pytest.mark.parametrize("index", range(len(SCHEMAS)))
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=json_values)
def test_drawn_instances_accepted_iff_valid(index: int, value: Any) -> None:
    schema = SCHEMAS[index]
    p = JsonSchema(schema, strict=False, key_order="any")
    valid = jsonschema.Draft202012Validator(schema).is_valid(value)
    for text in dumps3(value):
        assert p.accepts(text) == valid, (text, valid)


# anyOf branches that only require names, folded into the object (non-strict): in a
# fixed key order a name past which no branch could be met is not offered
REQUIRED_GROUPS: list[dict[str, Any]] = [
    {"type": "object",
     "properties": {"a": {"type": "integer"}, "b": {"type": "string"}, "k": {"type": "boolean"}},
     "anyOf": [{"required": ["a", "k"]}, {"title": "b", "required": ["b"]}], "additionalProperties": False},
    {"anyOf": [{"required": ["k"]}, {"required": ["x-y"]}], "properties": {"k": {"type": "null"}}},
    {"type": "object", "properties": {"id": {"type": "integer"}, "value": {"type": "integer"}},
     "anyOf": [{"required": ["id"]}, {"required": ["value"]}], "minProperties": 2,
     "oneOf": [{"required": ["tags"]}, {"required": ["make"]}]},
    {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
     "anyOf": [{"required": ["a"]}, {"required": ["b"]}], "additionalProperties": {"type": "string"}},
    # no branch an object can meet (no other key may come): only the strings are left
    {"type": ["object", "string"], "properties": {"a": {"type": "integer"}}, "additionalProperties": False,
     "anyOf": [{"required": ["q"]}, {"required": ["a", "r"]}]},
]


@pytest.mark.parametrize("index", range(len(REQUIRED_GROUPS)))
@pytest.mark.parametrize("order", ["schema", "any"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=json_values, seed=st.integers(0, 2**32 - 1))
def test_required_only_branches_fold_into_the_object(index: int, order: str, value: Any, seed: int) -> None:
    schema = REQUIRED_GROUPS[index]
    p = JsonSchema(schema, strict=False, key_order=order)
    validator = jsonschema.Draft202012Validator(schema)
    valid = validator.is_valid(value)
    texts = dumps3(value if order == "any" else schema_order(value, schema))
    for text in texts:
        accepted = p.accepts(text)
        assert accepted == valid or (order == "schema" and not accepted), (text, valid)
    text = random_walk(p, random.Random(seed))
    if text is not None:
        assert p.accepts(text), text
        assert validator.is_valid(exact_loads(text)), text
    start = p.advance_text("{")
    if "oneOf" not in schema and start is not None:  # one object, not an intersection with a union
        assert start.__class__.__name__ == "ObjectState"
    assert (start is None) == (index == len(REQUIRED_GROUPS) - 1)


@pytest.mark.parametrize("index", range(len(REQUIRED_GROUPS)))
@pytest.mark.parametrize("order", ["schema", "any"])
def test_required_only_branches_leave_no_dead_end(index: int, order: str) -> None:
    # every walk through allowed() still finishes valid: no key is offered after
    # which no branch's names could all come
    schema = REQUIRED_GROUPS[index]
    assert_walks_finish_valid(JsonSchema(schema, strict=False, key_order=order), jsonschema_oracle(schema),
                              alphabet='{}":,[]abkidvlueagsmx-y0123 tn', walks=150, max_steps=40, seed=index)


def car_instances() -> st.SearchStrategy[dict[str, Any]]:
    s = st.text(max_size=6)
    audio = st.fixed_dictionaries({}, optional={"brand": s, "speakers": st.integers(0, 20),
                                                "hasBluetooth": st.booleans()})
    features = st.fixed_dictionaries({}, optional={"audio": audio})
    owner = st.fixed_dictionaries({"firstName": s, "lastName": s}, optional={"age": st.integers(-5, 99)})
    return st.fixed_dictionaries(
        {"make": s, "model": s, "year": st.integers(1850, 2050)},
        optional={"colors": st.lists(s, max_size=3), "features": features, "owner": owner})


@settings(max_examples=150, deadline=None)
@given(value=car_instances())
def test_car_instances_accepted_iff_valid(value: dict[str, Any]) -> None:
    valid = jsonschema.Draft202012Validator(CAR).is_valid(value)
    anyorder = JsonSchema(CAR, key_order="any")
    for text in dumps3(value):
        assert anyorder.accepts(text) == valid, text
    ordered = JsonSchema(CAR)  # default key order: the schema's
    for text in dumps3(schema_order(value, CAR)):
        assert ordered.accepts(text) == valid, text


def schema_order(value: Any, schema: dict[str, Any]) -> Any:
    """``value`` with object keys rearranged into the order of ``properties``."""
    if not isinstance(value, dict):
        return value
    props = schema.get("properties", {})
    keys = [k for k in props if k in value] + [k for k in value if k not in props]
    return {k: schema_order(value[k], props.get(k, {})) for k in keys}


def test_fixed_key_order_forces_canonical_key_text() -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
              "required": ["name", "age"]}
    fixed = JsonSchema(schema)
    state = fixed.advance_text('{"')
    assert state is not None and state.forced() == 'name":'
    escaped = '{"n\\u0061me": "x", "age": 1}'
    assert not fixed.accepts(escaped)  # one spelling when generating
    assert JsonSchema(schema, key_order="any").accepts(escaped)  # any spelling when validating
    assert fixed.accepts(json.dumps({"name": "x", "age": 1}))
    quoted = {"type": "object", "properties": {'a"b': {"type": "integer"}}, "required": ['a"b']}
    assert JsonSchema(quoted).accepts(json.dumps({'a"b': 1}))


# Schemas whose values run side by side (anyOf branches of objects as function-calling
# tools are written, oneOf, not): the generic completion search ran out of states in
# the middle of such an object (~12 s on a string value, then None), which the
# generation loop's token budget asks at every candidate token.
_TOOL = {"type": "object", "properties": {"team": {"type": "string"}, "games": {"type": "integer"},
                                          "league": {"type": "string"}},
         "required": ["team", "games", "league"], "additionalProperties": False}
SIDE_BY_SIDE_COMPLETIONS = [
    ({"anyOf": [{"type": "object", "properties": {"get_schedule": _TOOL}, "required": ["get_schedule"],
                 "additionalProperties": False},
                {"type": "object", "properties": {"find_hotel": {"type": "object"}},
                 "required": ["find_hotel"], "additionalProperties": False}]},
     '{"get_schedule": {"team": "Buty reads keyboard Kumar'),
    ({"type": "object", "oneOf": [{"properties": {"kind": {"const": "a"}, "n": {"type": "integer"},
                                                  "note": {"type": "string"}},
                                   "required": ["kind", "n"]},
                                  {"properties": {"kind": {"const": "b"}}, "required": ["kind"]}]},
     '{"kind": "a", "n": 1, "note": "some text'),
    ({"type": "object", "properties": {"x": {"type": "string"}}, "required": ["x", "y"],
      "not": {"required": ["z"]}},
     '{"x": "words words'),
]


@pytest.mark.parametrize("index", range(len(SIDE_BY_SIDE_COMPLETIONS)))
def test_completions_of_values_side_by_side_come_from_the_parts(index: int) -> None:
    schema, text = SIDE_BY_SIDE_COMPLETIONS[index]
    for strict in (True, False):
        state = JsonSchema(schema, strict=strict).advance_text(text)
        assert state is not None
        # with a search too small to reach the end of the object from here: the
        # answer must come from the parts' own completions, not the search
        tail = state.shortest(limit=200)
        assert tail is not None and state.accepts(tail)
        jsonschema.validate(exact_loads(text + tail), schema)


# oneOf branches written for objects, without "type": "object": any string (or other
# non-object) is valid under every branch, so under none as "exactly one". A random
# token walk on JSON Schema Store's json-patch schema opened a string as an item and
# could never finish it.
ONE_OF_OBJECTS = {"oneOf": [{"properties": {"a": {"type": "integer"}}, "required": ["a"]},
                            {"properties": {"b": {"type": "string"}}, "required": ["b"]}]}


def test_one_of_branches_alike_on_other_types_take_none_of_them() -> None:
    parser = JsonSchema(ONE_OF_OBJECTS, strict=False, key_order="any")
    for first in ['"', "[", "1", "-", "t", "n"]:
        assert first not in parser.allowed() and parser.advance_text(first) is None, first
    assert "{" in parser.allowed()
    for value in [{"a": 1}, {"b": "x"}, {"a": 1, "b": "x"}, {"a": "x"}, {}, "text", [1], [], 3, None]:
        text = json.dumps(value)
        valid = jsonschema.Draft202012Validator(ONE_OF_OBJECTS).is_valid(value)
        assert parser.accepts(text) == valid, text


@pytest.mark.parametrize("draft", ["http://json-schema.org/draft-04/schema#", "http://json-schema.org/draft-06/schema#",
                                   "https://json-schema.org/draft/2020-12/schema"])
def test_integers_with_a_zero_fraction_follow_the_draft(draft: str) -> None:
    """``24.0`` is an integer from draft 6 on, not before (a random walk on a draft-04
    schema wrote one and jsonschema's draft-4 checker refused it)."""
    # (an enum is matched by value, 24 == 24.0, but the type still judges the spelling)
    for extra in ({}, {"multipleOf": 3}, {"minimum": 0}, {"enum": [24, -9, "24"]}):
        schema = {"$schema": draft, "type": "integer", **extra}
        parser = JsonSchema(schema, strict=False)
        validator = jsonschema.validators.validator_for(schema)(schema)
        for text in ["24", "24.0", "-9.0", "3.00", "7"]:
            assert parser.accepts(text) == validator.is_valid(json.loads(text)), (draft, extra, text)


# Schemas whose subschemas are *excluded* somewhere (not, a failed if, the other
# branches of a oneOf, a dependency's trigger, at most so many contains), each with
# an instance that the excluded subschema matches under JSON Schema but not under
# a generation option (an undeclared key, another key order, an escaped name).
EXCLUDED_CASES: list[tuple[dict[str, Any], str]] = [
    ({"not": {"properties": {"t": {"const": "ab"}}}}, '{"t": "ab", "x": "s"}'),
    ({"not": {"required": ["a", "b"], "properties": {"a": {}, "b": {}}}}, '{"b": 1, "a": 1}'),
    ({"not": {"type": "object", "properties": {"ab": {"type": "integer"}}, "required": ["ab"]}},
     '{"a\\u0062": 1}'),
    ({"if": {"properties": {"t": {"const": "ab"}}}, "then": {"properties": {"x": {"type": "integer"}}}},
     '{"t": "ab", "x": "s"}'),
    ({"if": {"properties": {"t": {"enum": ["ab"]}}, "required": ["t"]},
      "then": {"properties": {"x": {"type": "integer"}}}}, '{"t": "a\\u0062", "x": "s"}'),
    ({"oneOf": [{"properties": {"t": {"const": "ab"}}}, {"required": ["x"]}]}, '{"t": "ab", "x": "s"}'),
    ({"oneOf": [{"properties": {"a": {"type": "integer"}}, "required": ["a"]},
                {"properties": {"b": {"type": "integer"}}, "required": ["b"]}]}, '{"a": 1, "b": 2}'),
    ({"dependentSchemas": {"a": {"required": ["c"]}}, "properties": {"a": {}, "b": {}, "c": {}}},
     '{"b": 1, "a": 1}'),
    ({"type": "array", "contains": {"properties": {"t": {"const": 1}}}, "maxContains": 1},
     '[{"t": 1, "x": 2}, {"t": 1, "y": 2}]'),
]


@pytest.mark.parametrize(("strict", "key_order"), [(True, "schema"), (True, "any"), (False, "schema"),
                                                   (False, "any")])
@pytest.mark.parametrize("index", range(len(EXCLUDED_CASES)))
def test_excluded_subschemas_keep_their_whole_language(index: int, strict: bool, key_order: str) -> None:
    """Generation options narrow what a schema takes, never what it excludes: each
    instance is invalid (the oracle says so) and rejected under every option."""
    schema, text = EXCLUDED_CASES[index]
    assert not jsonschema.validators.validator_for(schema)(schema).is_valid(json.loads(text))
    assert not JsonSchema(schema, strict=strict, key_order=key_order).accepts(text)


def test_excluded_subschemas_still_generate_under_strict_options() -> None:
    """The exact subschemas only take texts away: a strict oneOf of objects still
    writes its declared keys in schema order, and only those."""
    pair = {"a": {"type": "integer"}, "b": {"type": "integer"}}
    schema = {"oneOf": [{"properties": pair, "required": ["a"]},
                        {"properties": {"c": {"type": "string"}}, "required": ["c"]}]}
    parser = JsonSchema(schema)
    assert parser.accepts('{"a": 1, "b": 2}') and parser.accepts('{"c": "x"}')
    assert not parser.accepts('{"b": 2, "a": 1}')  # (schema order)
    assert not parser.accepts('{"a": 1, "z": 2}')  # (strict: no undeclared key)
    shortest = parser.shortest()
    assert shortest is not None and jsonschema.Draft202012Validator(schema).is_valid(json.loads(shortest))


def test_shortest_through_a_member_that_is_an_intersection() -> None:
    """A required member whose schema is an anyOf of $refs to objects (MCP's
    CreateMessageResult): the node's shortest comes from its state's parts, where
    the generic search alone ran out of states and answered None for the root."""
    defs = {"Text": {"properties": {"text": {"type": "string"}, "type": {"const": "text", "type": "string"}},
                     "required": ["text", "type"], "type": "object"},
            "Image": {"properties": {"data": {"type": "string"}, "type": {"const": "image"}},
                      "required": ["data", "type"], "type": "object"}}
    content = {"anyOf": [{"$ref": "#/definitions/Text"}, {"$ref": "#/definitions/Image"}]}
    schema = {"type": "object", "definitions": defs, "required": ["content", "model"],
              "properties": {"content": content, "model": {"type": "string"}}}
    for parser in (JsonSchema(schema), JsonSchema(schema).advance_text('{"co')):
        assert parser is not None
        tail = parser.shortest()
        assert tail is not None
    text = JsonSchema(schema).shortest()
    assert text is not None and jsonschema.Draft7Validator(schema).is_valid(json.loads(text))


def test_members_no_value_satisfies_are_never_offered() -> None:
    """An optional property whose schema is unsatisfiable (an enum of strings with
    type object, as in a real-world schema) is not offered as a key: once written,
    no value could follow. A required one makes the object itself unsatisfiable."""
    dead = {"enum": ["MODIFIABLE", "DELETABLE"], "type": "object"}
    schema = {"type": "object", "properties": {"builtin": dead, "feature": {"type": "string"}}}
    for key_order in ("schema", "any"):
        parser = JsonSchema(schema, key_order=key_order)
        assert parser.advance_text('{"b') is None
        assert parser.accepts('{"feature": "x"}')
    required = {"type": "object", "properties": {"builtin": dead}, "required": ["builtin"]}
    assert JsonSchema(required).advance_text("{") is None
    assert JsonSchema({"anyOf": [required, {"type": "string"}]}).advance_text("{") is None


# -- the generic completion search ------------------------------------------------------------

def test_the_search_does_not_try_layout() -> None:
    """Whitespace between tokens and ``\\u`` escapes of characters with a shorter
    spelling are never needed by a shortest completion (``Parser.layout``): the search
    skips them, and finds within 300 states what every way to indent a member and
    every ``\\uXXXX`` in a string used to exhaust."""
    from lmparsec.combinators.base import search_shortest

    for schema in [{"type": "object", "required": ["ab", "cd"], "properties": {
                       "ab": {"type": "integer"}, "cd": {"type": "integer"}}},
                   {"type": "string", "not": {"maxLength": 3}}]:
        parser = JsonSchema(schema, strict=False)
        text = search_shortest(parser, 300)
        assert text is not None and len(text) == len(parser.shortest() or ""), text
        assert jsonschema.Draft202012Validator(schema).is_valid(json.loads(text))


@pytest.mark.parametrize("index", range(len(SCHEMAS)))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1))
def test_layout_whitespace_can_be_left_out(index: int, seed: int) -> None:
    """Along random walks: where whitespace is layout, the completion of the state
    after it completes the state without it (the promise the search relies on)."""
    rng = random.Random(seed)
    state: Parser | None = JsonSchema(SCHEMAS[index], strict=False)
    for _ in range(60):
        assert state is not None
        for char in " \n":
            if char in state.layout():
                after = state.advance(char)
                tail = None if after is None else after.shortest()
                if tail is not None:
                    assert state.accepts(tail), (char, tail)
        allowed = state.allowed()
        if not allowed:
            break
        lo, hi = allowed.ranges[rng.randrange(len(allowed.ranges))]
        state = state.advance(chr(rng.randint(lo, min(hi, max(lo, 0x7E)))))


def test_an_alternative_needs_no_answer_longer_than_one_found() -> None:
    """A union searches its later alternatives only for completions shorter than the
    best so far (``shorter_than``); a schema node met there as an alternative (``x``,
    whose value only the search finds) still has its own value where it is the only
    choice (``b``): node values are kept for every later question, so they are never
    computed under a caller's bound (``own_search``)."""
    x = {"type": "string", "not": {"maxLength": 3}}  # (its shortest value comes from the search)
    schema = {"type": "object", "required": ["a", "b"], "$defs": {"x": x},
              "properties": {"a": {"anyOf": [{"const": 1}, {"$ref": "#/$defs/x"}]},
                             "b": {"$ref": "#/$defs/x"}}}
    text = JsonSchema(schema).shortest()
    assert text is not None and jsonschema.Draft202012Validator(schema).is_valid(json.loads(text)), text
    assert json.loads(text)["a"] == 1


@pytest.mark.parametrize("key_order", ["schema", "any"])
def test_no_key_after_which_min_properties_cannot_be_met(key_order: str) -> None:
    """Only declared names may come and minProperties is 2: in the schema's key order
    the last name first leaves no second member (a walk over MaskBench wrote
    ``{"manage_underlay": true`` and could go nowhere)."""
    schema = {"type": "object", "minProperties": 2, "additionalProperties": False,
              "properties": {"a": {}, "b": {}, "c": {}}}
    p = JsonSchema(schema, key_order=key_order)
    assert (p.advance_text('{"c"') is None) == (key_order == "schema")
    for prefix in ['{"a"', '{"b"', '{"a": 1, "c"', '{"b": 1, "c"']:
        state = p.advance_text(prefix)
        assert state is not None, prefix
        tail = state.shortest()
        assert tail is not None
        assert jsonschema.Draft202012Validator(schema).is_valid(json.loads(prefix + tail))
    for seed in range(30):
        text = random_walk(p, random.Random(seed))
        assert text is not None, seed  # (no dead end)
        assert jsonschema.Draft202012Validator(schema).is_valid(exact_loads(text)), text


def test_one_of_branches_strictness_would_leave_without_an_end() -> None:
    """oneOf of objects that only declare properties (a Snowplow schema's "size": eq,
    lt, gt): strictness closes the branch being written, and every other branch takes
    what it writes, so no text of it is exactly one -- ``{"eq": 0`` could then go
    nowhere. Such branches are not generated; where none is left, the oneOf is
    generated as the schema says it."""
    size = {"type": "object", "oneOf": [{"properties": {"eq": {"type": "integer"}}},
                                        {"properties": {"lt": {"type": "integer"}}},
                                        {"properties": {"gt": {"type": "integer"}}}]}
    p = JsonSchema(size)
    state = p.advance_text('{"eq": 0')
    assert state is not None and "," in state.allowed()
    assert p.accepts('{"eq": "", "gt": ""}') and not p.accepts('{"eq": 0}')
    # one branch can be the one (the other requires its key): only it is written
    pair = {"type": "object", "oneOf": [{"properties": {"a": {"type": "integer"}}},
                                        {"properties": {"b": {"type": "integer"}}, "required": ["b"]}]}
    p = JsonSchema(pair)
    assert p.advance_text('{"b"') is None
    for text in ['{"a": 1}', "{}"]:
        assert p.accepts(text) and jsonschema.Draft202012Validator(pair).is_valid(json.loads(text))
    text = p.shortest()
    assert text is not None and jsonschema.Draft202012Validator(pair).is_valid(json.loads(text))


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize("key_order", ["schema", "any"])
def test_a_dependency_beside_the_object_refuses_none_of_its_members(strict: bool, key_order: str) -> None:
    """``dependencies: {"type": {"oneOf": [...]}}`` beside declared properties (a Reward
    webhook schema): the dependency's branches, compiled as objects of their own, were
    closed by strictness to their own names or kept their own key order, so after
    ``{"id": "", "type": "B"`` no closing brace was allowed -- no object at all under
    the defaults. Such parts are read as the schema says; the object keeps the
    generation choices."""
    schema = {"$schema": "http://json-schema.org/draft-06/schema#", "type": "object",
              "properties": {"id": {"type": "string"}, "type": {"type": "string"}},
              "required": ["id", "type"],
              "dependencies": {"type": {"oneOf": [
                  {"properties": {"type": {"enum": ["A"]}, "u": {"const": "%"}}},
                  {"properties": {"type": {"enum": ["B"]}, "u": {"type": "string"}}}]}}}
    p = JsonSchema(schema, strict=strict, key_order=key_order)
    state = p.advance_text('{"id": "", "type": "B"')
    assert state is not None and "}" in state.allowed()
    assert p.accepts('{"id": "", "type": "B"}') and not p.accepts('{"id": "", "type": "C"}')
    text = p.shortest()
    assert text is not None and jsonschema.Draft6Validator(schema).is_valid(json.loads(text))
    if strict:
        assert p.advance_text('{"id": "", "type": "A", "x"') is None


def test_a_not_ends_where_what_it_excludes_takes_any_rest() -> None:
    """``not: {"required": ["a"]}``: once ``"a"`` is written as a key, every way to
    finish the object is excluded -- nothing is allowed there (ValueComplement), where
    the masks used to go on to the closing brace, and a completion search after the
    "else" of a ``dependencies`` entry wrote keys "type", "typea", "typeaa"... for 20 s."""
    schema = {"not": {"type": "object", "required": ["a"]}}
    p = JsonSchema(schema)
    for dead in ['{"a"', '{"b": 1, "a"']:
        assert p.advance_text(dead) is None, dead
    state = p.advance_text('{"b": 1, "ab"')
    assert state is not None and ":" in state.allowed()
    for text in ['{"b": 1}', '{"ab": 0}', "[]", "0"]:
        assert p.accepts(text) and jsonschema.Draft202012Validator(schema).is_valid(json.loads(text)), text
    assert '"' not in p.advance_text('{"b": 1, "a').allowed()  # (the quote would close "a")


@pytest.mark.parametrize("schema", [
    # a discriminator both branches take from the object around them (redFish / blueFish)
    {"type": "object", "properties": {"discriminator": {"enum": ["One", "Two"]}},
     "oneOf": [{"type": "object", "properties": {"redFish": {"type": "string"}}},
               {"type": "object", "properties": {"blueFish": {"type": "string"}}}]},
    # an object that only requires names, its branches declaring them (an entity register)
    {"type": "object", "required": ["kind", "props"],
     "oneOf": [{"properties": {"kind": {"enum": ["company"]}, "props": {"type": "object"}}},
               {"properties": {"kind": {"enum": ["person"]}, "props": {"type": "object",
                                                                       "required": ["name"]}}}]},
], ids=["shared-discriminator", "required-only-base"])
def test_one_of_beside_an_object_has_no_dead_ends(schema: dict[str, Any]) -> None:
    """Random walks under the defaults always finish valid (MaskBench: after a
    member of the first branch no comma and no closing brace was allowed; after
    "props" written first, "kind" could no longer follow in the branch's order)."""
    p = JsonSchema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for seed in range(8):  # (each walk's completion runs a search of ~0.4 s)
        text = random_walk(p, random.Random(seed))
        assert text is not None, seed
        assert validator.is_valid(exact_loads(text)), text


def test_a_dependency_may_require_names_declared_before_its_trigger() -> None:
    """``dependencies: {"profile": {"anyOf": [{"required": ["channel"]}, ...]}}``, with
    "channel" declared before "profile" (rust-toolchain): in the schema's key order,
    writing "profile" first left no way to add what it requires. An object with such
    parts beside it imposes no key order."""
    schema = {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
              "properties": {"channel": {"type": "string"}, "components": {"type": "array"},
                             "profile": {"type": "string"}},
              "dependencies": {"profile": {"anyOf": [{"required": ["channel"]},
                                                     {"required": ["components"]}]}}}
    p = JsonSchema(schema)
    state = p.advance_text('{"profile": "a", "channel"')
    assert state is not None
    validator = jsonschema.Draft7Validator(schema)
    for seed in range(12):
        text = random_walk(p, random.Random(seed))
        assert text is not None, seed
        assert validator.is_valid(exact_loads(text)), text


def test_one_of_required_lists_that_differ_in_one_key() -> None:
    """oneOf of required lists sharing all keys but one (type, name, and styleUrl or
    styleName, an Esri schema): an object with both last keys matches both branches
    once the common ones are written, so each branch is generated without the other's
    key -- after "styleName", "styleUrl" was offered and then no closing brace."""
    schema = {"type": "object", "additionalProperties": False,
              "properties": {"name": {"type": "string"}, "styleName": {"type": "string"},
                             "styleUrl": {"type": "string"}, "type": {"enum": ["ref"]}},
              "oneOf": [{"required": ["type", "name", "styleUrl"]},
                        {"required": ["type", "name", "styleName"]}]}
    p = JsonSchema(schema, key_order="any")
    assert p.advance_text('{"name": "a", "styleName": "", "styleU') is None
    validator = jsonschema.Draft202012Validator(schema)
    for seed in range(20):
        text = random_walk(p, random.Random(seed))
        assert text is not None, seed
        assert validator.is_valid(exact_loads(text)), text


def test_unique_string_elements_stand_in_by_a_state_certain_to_be_new() -> None:
    # The token layer answers such a state from the marked one's shared masks and
    # walks only the tokens under these prefixes: every way to close the string on
    # an earlier element's text. The exactness of the masks is checked on real
    # tokenizers in tests/tokens/test_cache.py (the "unique-*" states).
    from lmparsec.combinators.jsonschema.arrays import Fresh

    schema = {"type": "array", "uniqueItems": True, "items": {"type": "string"}}
    parser = JsonSchema(schema)
    state = parser.advance_text('["ab", "a\\n", "x", "a')
    assert state is not None
    got = state.stand_in()
    assert got is not None
    other, prefixes = got
    # "ab": rest "b" raw or escaped; "a\n": rest "\n" only escaped; "x" is no candidate
    assert prefixes == ("\\", 'b"')
    assert other.text == Fresh("a")  # type: ignore[attr-defined]
    # the marked state never refuses to close: the element cannot equal an earlier one
    done = other.advance_text('", "')
    assert done is not None and done.advance_text('a"]') is None  # starts like it: refused
    assert done.advance_text('q"]') is not None
    # the real state refuses exactly the earlier texts
    assert state.advance_text('b"]') is None and state.advance_text('\\u0062"]') is None
    assert state.advance_text('c"]') is not None
    # outside a string element, or with no text at all to compare, no stand-in
    assert parser.advance_text('["ab", ').stand_in() is None  # type: ignore[union-attr]
    fresh = parser.advance_text('["ab", "q')
    assert fresh is not None and fresh.stand_in() is not None and fresh.stand_in()[1] == ()  # type: ignore[index]


@settings(max_examples=150, deadline=None)
@given(values=st.lists(st.text(alphabet='ab"\\\n/\té', min_size=1, max_size=4), min_size=1, max_size=5,
                       unique=True), data=st.data())
def test_unique_enum_elements_with_escapes_are_accepted(values: list[str], data: st.DataObject) -> None:
    """Every valid array of distinct enum strings -- names holding a quote, a
    backslash or a newline, which JSON writes only escaped -- is accepted, and a
    repeat refused: the check for an element that can only repeat read the
    backslash beside "b" (after "a") as spelling "b", and refused the "a\\"c"
    that it also begins."""
    schema = {"type": "array", "uniqueItems": True, "items": {"enum": values}}
    parser = JsonSchema(schema)
    picked = data.draw(st.permutations(values))[: data.draw(st.integers(1, len(values)))]
    for text in (json.dumps(picked), json.dumps(picked, separators=(",", ":"))):
        state = parser.advance_text(text)
        assert state is not None and state.can_end(), text
    repeated = json.dumps([*picked, picked[0]])
    state = parser.advance_text(repeated)
    assert state is None or not state.can_end(), repeated


def test_many_conditionals_compile_quickly_under_strict() -> None:
    """Strict objects push each anyOf/oneOf/if into flat specs, one per branch
    combination; 20 ifs would be 2**20 of them (a Minecraft predicate schema
    compiled for minutes). Past the cap the object is its schema's whole language
    (strictness only narrows): it compiles at once and still decides as
    jsonschema does."""
    import time

    schema = {
        "type": "object",
        "properties": {"kind": {"type": "string"}, **{f"p{i}": {"type": "integer"} for i in range(20)}},
        "allOf": [{"if": {"properties": {"kind": {"const": f"k{i}"}}},
                   "then": {"required": [f"p{i}"]}} for i in range(20)],
    }
    start = time.perf_counter()
    parser = JsonSchema(schema)
    assert time.perf_counter() - start < 5
    validator = jsonschema.validators.validator_for(schema)(schema)
    for value in ({"kind": "k3", "p3": 1}, {"kind": "k3"}, {"kind": "k19", "p19": 2, "p1": 0}, {"kind": "x"},
                  {"kind": "k7", "p8": 1}):
        text = json.dumps(value)
        assert parser.accepts(text) == validator.is_valid(value), text


EXPRESSIONS = {  # the shape of an executable unit's IR (MaskBench Github_medium/o58661)
    "type": "object", "required": ["body"],
    "properties": {"body": {"$ref": "#/definitions/expression"}},
    "definitions": {"expression": {"oneOf": [
        {"type": "object", "required": ["kind", "main", "bindings"],
         "properties": {"kind": {"enum": ["let"]}, "main": {"$ref": "#/definitions/expression"},
                        "bindings": {"type": "array"}}},
        {"type": "object", "required": ["kind", "defs", "main"],
         "properties": {"kind": {"enum": ["letfun"]}, "main": {"$ref": "#/definitions/expression"},
                        "defs": {"type": "array", "items": {"$ref": "#/definitions/expression"}}}},
        {"type": "object", "required": ["kind", "variable"],
         "properties": {"kind": {"enum": ["variable"]}, "variable": {"type": "string"}}},
    ]}},
}


def test_shortest_of_a_recursive_oneof_skips_the_branches_that_recurse(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A branch whose required member is the expression being completed holds a
    whole expression, so it is never the shortest: its object answers none there
    without the generic search (20,000 states, ~4 s a branch on the real schema).
    Inside such a branch, where the expression is not being computed, its own
    completion is still found."""
    import lmparsec.combinators.base as base

    searched: list[int] = []
    generic = base.search_shortest

    def counting(state: Any, limit: int = 20000, **kw: Any) -> str | None:
        searched.append(limit)
        return generic(state, limit, **kw)

    monkeypatch.setattr(base, "search_shortest", counting)
    p = JsonSchema(EXPRESSIONS)
    done = p.shortest()
    assert done == '{"body":{"kind":"variable","variable":""}}'
    assert searched == []
    inside = p.advance_text('{"body": {"kind": "let", "main": {"kind": "letfun", ')
    assert inside is not None
    rest = inside.shortest()
    assert rest is not None
    text = '{"body": {"kind": "let", "main": {"kind": "letfun", ' + rest
    assert jsonschema.Draft202012Validator(EXPRESSIONS).is_valid(json.loads(text)), text


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "string", "pattern": "^[a-c]{2,6}$"},
        {"type": "string", "pattern": "^[a-c]{2,6}$", "maxLength": 4},
        {"type": "string", "pattern": "^[a-c]+$", "minLength": 3, "maxLength": 5},
        {"type": "string", "allOf": [{"pattern": "^[a-c]+$"}, {"pattern": "^[b-d]{0,3}$"}]},
        {"type": "string", "pattern": "^[a-c]{2,6}$", "minLength": 7},
    ],
)
@settings(max_examples=40, deadline=None)
@given(text=st.text(alphabet="abcd", max_size=8))
def test_patterns_of_one_counted_class_read_as_counted_strings(schema: dict[str, Any], text: str) -> None:
    # a pattern that is a count of one class is compiled as the counted string it is
    # (one FreeText, met with the string's own bounds): the same texts, by the oracle
    parser = JsonSchema(schema, strict=False)
    value = getattr(parser, "value", None)
    assert type(value).__name__ == "FreeText" or parser.key() == ("never",)
    doc = json.dumps(text)
    assert parser.accepts(doc) == jsonschema_oracle(schema)(doc), (schema, text)


def test_compiling_finishes_what_nodes_leave_to_first_use() -> None:
    # An enum's values are checked against the rest of its schema, and an object's
    # live names found, at their first use; JsonSchema does both for every node it
    # compiled (behind arrays, branches and refs too), not a request's first masks.
    from lmparsec.combinators.jsonschema.compiler import EnumNode
    from lmparsec.combinators.jsonschema.nodes import Node
    from lmparsec.combinators.jsonschema.objects import ObjectNode

    def enum(tag: str) -> dict[str, Any]:
        return {"type": "string", "enum": [f"{tag}-a", f"{tag}-b", 3]}

    schema = {
        "$defs": {"tree": {"type": "object", "properties": {
            "kind": enum("ref"), "kids": {"type": "array", "items": {"$ref": "#/$defs/tree"}}}}},
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": {"type": "object", "properties": {"e": enum("items")}}},
            "prefix": {"type": "array", "prefixItems": [enum("prefix")]},
            "typed": {"type": ["integer", "object"], "properties": {"e": enum("typed")}},
            "any": {"anyOf": [{"type": "object", "properties": {"e": enum("any")}}, {"type": "null"}]},
            "tree": {"$ref": "#/$defs/tree"},
        },
        "additionalProperties": enum("additional"),
        "patternProperties": {"^x-": enum("pattern")},
    }
    root = JsonSchema(schema)
    assert isinstance(root, Parser)
    seen: dict[int, Node] = {}
    todo: list[Node] = [root.node]  # type: ignore[attr-defined]
    while todo:
        node = todo.pop()
        if id(node) not in seen:
            seen[id(node)] = node
            todo.extend(node.children())
    enums = [n for n in seen.values() if isinstance(n, EnumNode)]
    objects = [n for n in seen.values() if isinstance(n, ObjectNode)]
    assert len(enums) == 7  # (each position's own values: none missed)
    assert all(n._node is not None for n in enums)
    assert all(n._live is not None for n in objects) and len(objects) >= 5


def test_value_starts_are_shared_but_not_those_made_inside_a_guard() -> None:
    # A value's first state is made once per depth and shared by every walk; one
    # made while another start is under way (where left recursion contributes
    # nothing) is that context's own: kept, "a" would take B's start without A.
    defs = {
        "A": {"anyOf": [{"$ref": "#/$defs/B"}, {"type": "integer"}]},
        "B": {"anyOf": [{"$ref": "#/$defs/A"}, {"type": "string"}]},
    }
    schema = {"$defs": defs, "type": "object",
              "properties": {"b": {"$ref": "#/$defs/B"}, "a": {"$ref": "#/$defs/A"}}}
    root = JsonSchema(schema, key_order="any")
    node = root.node  # type: ignore[attr-defined]
    for value in node.values:
        assert value.start(1) is value.start(1)
    # (A and B are each "an integer or a string"; the validator recurses forever on them)
    for text in ['{"b": "x"}', '{"b": 1}', '{"a": "x"}', '{"a": 1}', '{"a": 1, "b": "y"}']:
        assert root.accepts(text), text
    assert not root.accepts('{"a": null}') and not root.accepts('{"b": [1]}')


def test_a_start_made_while_an_object_assumes_its_names_live_is_not_kept() -> None:
    # Finding its live names, an object takes itself as live (its own member may
    # recurse into it); its start made meanwhile is that assumption's, not the
    # object's: "bad" is required and no value satisfies it, so none is valid.
    schema = {"$defs": {"n": {"type": "object", "properties": {
        "self": {"$ref": "#/$defs/n"}, "bad": {"type": "string", "enum": [1]}}, "required": ["bad"]}},
        "$ref": "#/$defs/n"}
    root = JsonSchema(schema)
    for value in [{}, {"bad": "x"}, {"self": {}}, {"bad": 1}]:
        assert not jsonschema.Draft202012Validator(schema).is_valid(value)
        assert not root.accepts(json.dumps(value)), value
    assert root.advance("{") is None  # (not even a first character: it leads nowhere)

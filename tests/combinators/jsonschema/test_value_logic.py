"""What JSON value readers run side by side keep between the states a walk makes:
a memo may only skip work, never change what a state allows."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lmparsec.combinators import logic
from lmparsec.combinators.base import Parser
from lmparsec.combinators.jsonschema import JsonSchema, nodes
from lmparsec.combinators.jsonschema.objects import ObjectState

#: a nodemon config's dependency: "nodeArgs" wants "exec" to be "node" -- read as
#: "the object with nodeArgs and such an exec" or "an object without nodeArgs"
DEPENDENT = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {"exec": {"type": "string"}, "nodeArgs": {"type": "array"}, "delay": {"type": "number"}},
    "dependencies": {"nodeArgs": {"properties": {"exec": {"const": "node"}}, "required": ["exec"]}},
}


def _complements(state: Parser) -> list[nodes.ValueComplement]:
    """The ValueComplements among ``state``'s parts, however deep."""
    found: list[nodes.ValueComplement] = []
    todo: list[Any] = [state]
    while todo:
        cur = todo.pop()
        if isinstance(cur, nodes.ValueComplement):
            found.append(cur)
        todo.extend(p for p in getattr(cur, "parts", ()) or () if p is not None)
        for name in ("universe", "excluded", "alternatives"):
            got = getattr(cur, name, None)
            if isinstance(got, Parser):
                todo.append(got)
            elif isinstance(got, tuple):
                todo.extend(p for p in got if isinstance(p, Parser))
    return found


def test_a_complements_checked_characters_are_kept_by_its_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """A walk inside a key makes the dependency's "not that object" anew at every
    trie node, and each checked the characters that may close a value by
    advancing on them (~30 ms a mask on a nodemon config): a state of a key met
    before is answered without one advance."""
    logic._KEPT.clear()
    text = '{"delay": 1, "zz'
    first = JsonSchema(DEPENDENT, strict=False, key_order="any").advance_text(text)
    assert first is not None
    made = _complements(first)
    assert made, "the dependency reads as a complement here"
    before = [c.allowed() for c in made]

    def no_advance(self: Parser, char: str) -> Parser | None:
        raise AssertionError("a kept complement advanced again")

    again = JsonSchema(DEPENDENT, strict=False, key_order="any").advance_text(text)
    assert again is not None
    monkeypatch.setattr(nodes.ValueComplement, "advance", no_advance)
    assert [c.allowed() for c in _complements(again)] == before


_NAMES = st.sampled_from(["exec", "nodeArgs", "delay", "x", "ex"])
_VALUES = st.one_of(st.just("node"), st.just("npm"), st.integers(0, 9), st.just([]), st.just([1]))


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(_NAMES, _VALUES, max_size=4))
def test_kept_allowed_sets_equal_fresh_ones(doc: dict[str, Any]) -> None:
    """Every prefix of any object (valid or not): the allowed set of a state whose
    complements were answered from the memo equals that of a state made and
    checked with the memo empty."""
    _assert_kept_equal_fresh(DEPENDENT, doc)


def _assert_kept_equal_fresh(schema: dict[str, Any], doc: dict[str, Any]) -> None:
    """At every prefix of ``doc``'s text: a state checked with the memo empty, and
    one made again (its checked parts now from the memo), allow the same."""
    text = json.dumps(doc)
    parser = JsonSchema(schema, strict=False, key_order="any")
    for cut in range(1, len(text) + 1):
        logic._KEPT.clear()
        fresh = parser.advance_text(text[:cut])
        if fresh is None:
            break
        expected = fresh.allowed()
        kept = parser.advance_text(text[:cut])  # (its checked parts now from the memo)
        assert kept is not None
        assert kept.allowed() == expected, text[:cut]


#: a Vega-Lite spec's top: a unit with a "mark", a facet, or a layer -- objects
#: that all take a "mark" (the two others as any value)
SPECS = {
    "oneOf": [
        {"type": "object", "properties": {"mark": {"enum": ["bar", "area", "line"]}}, "required": ["mark"]},
        {"type": "object", "properties": {"facet": {"type": "object"}}, "required": ["facet"]},
        {"type": "object", "properties": {"layers": {"type": "array"}}, "required": ["layers"]},
    ]
}


def test_a_oneofs_checked_characters_are_kept_by_its_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Inside a string the three branches read side by side, and each new state
    advanced on the characters that may close a value to check them (~200 ms a
    mask): a state of a key met before is answered without one advance."""
    logic._KEPT.clear()
    text = '{"mark": "ba'
    parser = JsonSchema(SPECS, strict=False, key_order="any")
    first = parser.advance_text(text)
    assert isinstance(first, logic.ExactlyOne)
    before = first.allowed()
    assert "r" in before and '"' in before  # ("ba": no mark, but any value of the others)

    def no_advance(self: Parser, char: str) -> Parser | None:
        raise AssertionError("a kept oneOf advanced again")

    again = parser.advance_text(text)
    monkeypatch.setattr(logic.ExactlyOne, "advance", no_advance)
    assert isinstance(again, logic.ExactlyOne) and again.allowed() == before


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(["mark", "facet", "layers", "x"]),
                       st.one_of(st.sampled_from(["bar", "ba", "", "area"]), st.just({}), st.just([])),
                       max_size=3))
def test_kept_oneof_allowed_sets_equal_fresh_ones(doc: dict[str, Any]) -> None:
    _assert_kept_equal_fresh(SPECS, doc)


#: a service's kinds, told apart by name; a kind's "then" may say only what it is
SERVICES = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "route": {"type": "string"}},
    "allOf": [
        {"if": {"properties": {"name": {"const": "chat"}}}, "then": {"description": "a chat service"}},
        {"if": {"properties": {"name": {"const": "crud"}}}, "then": {"required": ["route"]}},
    ],
}


def _intersections(state: Parser) -> int:
    """How many ValueIntersects ``state`` runs, however deep."""
    count = 0
    todo: list[Any] = [state]
    while todo:
        cur = todo.pop()
        count += isinstance(cur, nodes.ValueIntersect)
        for name in {n for klass in type(cur).__mro__ for n in getattr(klass, "__slots__", ())}:
            got = getattr(cur, name, None)
            if isinstance(got, Parser):
                todo.append(got)
            elif isinstance(got, (tuple, frozenset)):
                todo.extend(p for p in got if isinstance(p, Parser))
    return count


def test_a_condition_whose_then_says_nothing_more_runs_alone() -> None:
    """A "then" of only a description takes any value: the condition is not run
    beside it (each walk advanced both, at every character of the name)."""
    state = JsonSchema(SERVICES, strict=False, key_order="any").advance_text('{"name": "c')
    assert state is not None
    # the object beside the two conditions, and the crud kind's condition beside its
    # "then" -- the chat kind's alone (and each kind's failing side alone)
    assert _intersections(state) == 2


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["chat", "crud", "cha", "file"]), st.booleans())
def test_conditions_that_say_nothing_more_keep_their_language(name: str, route: bool) -> None:
    from jsonschema import Draft202012Validator

    doc: dict[str, Any] = {"name": name}
    if route:
        doc["route"] = "/x"
    state = JsonSchema(SERVICES, strict=False, key_order="any").advance_text(json.dumps(doc))
    accepted = state is not None and state.can_end()
    assert accepted == Draft202012Validator(SERVICES).is_valid(doc)


#: a root that names its type beside one anyOf of definitions (a Skaffold config)
TYPED_ANYOF = {
    "type": "object",
    "anyOf": [{"$ref": "#/definitions/config"}, {"$ref": "#/definitions/legacy"}],
    "definitions": {
        "config": {"additionalProperties": False, "required": ["kind"],
                   "properties": {"kind": {"type": "string"}, "n": {"type": "integer"}}},
        "legacy": {"type": ["object", "string"], "maxProperties": 1, "minLength": 2,
                   "properties": {"old": {"enum": [1, 2]}}},
    },
}


#: the same with a oneOf (a value of both branches is refused)
TYPED_ONEOF = {**TYPED_ANYOF, "oneOf": TYPED_ANYOF["anyOf"]}
del TYPED_ONEOF["anyOf"]


def test_a_type_beside_an_anyof_goes_into_its_branches() -> None:
    """"type": "object" beside one anyOf is read as each branch with the type, not as
    an object of any keys run beside the branches (two objects at every character,
    and no shared path for a key's mask through the pair); beside a oneOf, the typed
    branches beside "exactly one" of the whole ones."""
    state = JsonSchema(TYPED_ANYOF, strict=False).advance_text('{"kind": "x", "')
    assert state is not None
    assert _intersections(state) == 0
    state = JsonSchema(TYPED_ONEOF, strict=False).advance_text('{"kind": "x", "')
    assert state is not None
    assert _intersections(state) == 1


@settings(max_examples=150, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from(["x", "ab", "kind"]),
                    lambda kids: st.dictionaries(st.sampled_from(["kind", "n", "old", "z"]), kids,
                                                 max_size=3),
                    max_leaves=4))
def test_a_type_beside_an_anyof_keeps_its_language(value: Any) -> None:
    from jsonschema import Draft7Validator

    for schema in (TYPED_ANYOF, TYPED_ONEOF):
        parser = JsonSchema(schema, strict=False, key_order="any")
        state = parser.advance_text(json.dumps(value))
        accepted = state is not None and state.can_end()
        assert accepted == Draft7Validator(schema).is_valid(value), (schema, value)


#: typed unions whose branches lead back to themselves
TYPED_CYCLES = [
    {"type": "object", "anyOf": [{"$ref": "#"}]},
    {"type": "object", "oneOf": [{"$ref": "#"}, {"properties": {"a": {"type": "integer"}}}]},
    {"$defs": {"n": {"type": "object", "anyOf": [{"$ref": "#/$defs/n"}, {"required": ["x"]}]}},
     "$ref": "#/$defs/n"},
]
#: one whose branch leads back to it through a property: a tree of objects
TYPED_TREE = {"type": "object", "anyOf": [{"$ref": "#/$defs/a"}],
              "$defs": {"a": {"properties": {"k": {"$ref": "#"}, "v": {"type": "integer"}}}}}


@pytest.mark.parametrize("schema", TYPED_CYCLES, ids=json.dumps)
def test_a_typed_union_leading_back_to_itself_compiles(schema: dict[str, Any]) -> None:
    """A branch met again inside its own typed copy is compiled as it stands (the
    reference closes the cycle), not flattened again for ever."""
    parser = JsonSchema(schema, strict=False)
    assert parser.advance_text("[") is None  # (an object if anything, as the type says)


@settings(max_examples=80, deadline=None)
@given(st.recursive(st.integers(-2, 2) | st.sampled_from(["s", None]),
                    lambda kids: st.dictionaries(st.sampled_from(["k", "v", "z"]), kids, max_size=2),
                    max_leaves=5))
def test_a_typed_union_through_a_property_keeps_its_language(value: Any) -> None:
    from jsonschema import Draft202012Validator

    state = JsonSchema(TYPED_TREE, strict=False, key_order="any").advance_text(json.dumps(value))
    accepted = state is not None and state.can_end()
    assert accepted == Draft202012Validator(TYPED_TREE).is_valid(value), value


def _tagged(branches: list[dict[str, Any]], typed: bool = True, draft: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"oneOf": branches}
    if typed:
        schema["type"] = "object"
    if draft is not None:
        schema["$schema"] = draft
    return schema


_CLOSED = {"additionalProperties": False}
#: oneOfs of objects no value satisfies twice (so "exactly one" is "some"): by a name
#: one requires that the other, closed, refuses; by a discriminator's values
TAGGED = [
    _tagged([{**_CLOSED, "properties": {"path": {"type": "string"}, "kind": {"enum": ["asset", "file"]}},
              "required": ["kind", "path"]},
             {**_CLOSED, "properties": {"family": {"type": "string"}, "style": {"type": "string"}},
              "required": ["style"]}]),
    _tagged([{"properties": {"kind": {"const": "a"}, "n": {"type": "integer"}}, "required": ["kind"]},
             {"properties": {"kind": {"const": "b"}, "s": {"type": "string"}}, "required": ["kind"]},
             {"properties": {"kind": {"enum": ["c", "d"]}}, "required": ["kind"]}]),
    {"type": "object", "oneOf": [{"$ref": "#/$defs/a"}, {"$ref": "#/$defs/b"}],
     "$defs": {"a": {"properties": {"kind": {"const": 1}}, "required": ["kind"]},
               "b": {"properties": {"kind": {"const": 2}, "n": {"type": "integer"}},
                     "required": ["kind", "n"]}}},
]
#: oneOfs that look alike but that one value may satisfy twice: kept exactly-one
NOT_TAGGED = [
    # no type: a string is in both branches, so in neither of "exactly one"
    _tagged(TAGGED[1]["oneOf"], typed=False),
    # "const" is not a draft-04 word: both branches take any "kind"
    _tagged(TAGGED[1]["oneOf"], draft="http://json-schema.org/draft-04/schema#"),
    # discriminators that share a value, a branch that is not closed
    _tagged([{"properties": {"kind": {"enum": ["a", "b"]}}, "required": ["kind"]},
             {"properties": {"kind": {"enum": ["b", "c"]}}, "required": ["kind"]}]),
    _tagged([{"properties": {"path": {"type": "string"}}, "required": ["path"]},
             {"properties": {"style": {"type": "string"}}, "required": ["style"]}]),
]


def test_a_oneof_of_tagged_objects_is_read_as_one_branch() -> None:
    """Objects told apart by a name or a discriminator: once the tag is written the
    value is read as the one branch (no ValueIntersect of the branches beside a
    check of every one of them at every character)."""
    texts = ['{"kind": "file", "path": "x', '{"kind": "a", "n": 1', '{"kind": 2, "n": 1']
    for schema, text in zip(TAGGED, texts, strict=True):
        state = JsonSchema(schema, strict=False, key_order="any").advance_text(text)
        assert state is not None, text
        assert isinstance(state, ObjectState), state
    # where a value may satisfy two branches, it is refused ("a" in both, untyped)
    state = JsonSchema(NOT_TAGGED[0], strict=False).advance_text('"a"')
    assert state is None or not state.can_end()


@settings(max_examples=200, deadline=None)
@given(st.one_of(
    st.dictionaries(st.sampled_from(["kind", "path", "style", "family", "n", "s"]),
                    st.sampled_from(["a", "b", "c", "d", "file", "x", 1, 2, None]), max_size=3),
    st.sampled_from(["a", 1, None, []])))
def test_tagged_oneofs_keep_their_language(value: Any) -> None:
    from jsonschema import validators

    for schema in TAGGED + NOT_TAGGED:
        for order in ("schema", "any"):
            state = JsonSchema(schema, strict=False, key_order=order).advance_text(json.dumps(value))
            accepted = state is not None and state.can_end()
            checker = validators.validator_for(schema, default=validators.Draft202012Validator)
            valid = checker(schema).is_valid(value)
            # (schema order writes the declared names in their order: a subset of the language)
            assert accepted == valid or (order == "schema" and valid and not accepted), (schema, value)

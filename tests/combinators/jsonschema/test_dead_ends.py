"""Masks without dead ends where parts read side by side disagree later: a name
another part forbids is not begun, a closing quote the excluded side takes is not
offered -- every walk through allowed() can still finish valid."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import assert_walks_finish_valid, jsonschema_oracle

from lmparsec.combinators.jsonschema import JsonSchema

EXCLUSIVE = {
    "$schema": "http://json-schema.org/draft-07/schema#",  # (where "dependencies" is a keyword)
    "type": "object",
    "properties": {"channel": {"type": "string"}, "components": {"type": "array"},
                   "path": {"type": "string"}, "profile": {"type": "string"}},
    "dependencies": {"channel": {"not": {"required": ["path"]}},
                     "path": {"not": {"required": ["channel"]}}},
}


def test_mutually_exclusive_names_are_not_begun() -> None:
    """The idiom for names that exclude each other (rust-toolchain's "channel" and
    "path"): after one, the other's first letters are not offered where they force
    its whole name -- the dead end showed at its closing quote, letters later."""
    parser = JsonSchema(EXCLUSIVE)
    after_channel = parser.advance_text('{"channel":"x","p')
    assert after_channel is not None
    assert "a" not in after_channel.allowed() and "r" in after_channel.allowed()
    after_path = parser.advance_text('{"path":"x","c')
    assert after_path is not None
    assert "h" not in after_path.allowed() and "o" in after_path.allowed()


def test_walks_through_exclusive_names_finish_valid() -> None:
    assert_walks_finish_valid(JsonSchema(EXCLUSIVE), jsonschema_oracle(EXCLUSIVE),
                              alphabet='{}":,[]xachnlpromets', walks=150, max_steps=40, seed=11)


def test_no_closing_quote_that_the_excluded_pattern_takes() -> None:
    """madness.json: a string whose "not": {"pattern": ",,|^,|,$"} refuses a trailing
    comma -- after "a," the closing quote led to a value both sides had taken, with
    nothing left to write; it is not offered, and the completion goes on instead."""
    schema = {"type": "object", "properties": {"e": {"oneOf": [
        {"type": "string", "not": {"pattern": ",,|^,|,$"}}, {"type": "null"}]}}}
    state = JsonSchema(schema).advance_text('{"e":"a,')
    assert state is not None and '"' not in state.allowed()
    rest = state.shortest()
    assert rest is not None and jsonschema_oracle(schema)('{"e":"a,' + rest)


SERVICES = {  # the shape of a Puppet service list (MaskBench Github_trivial/o25761)
    "$schema": "http://json-schema.org/draft-04/schema#",
    "type": "object", "required": ["_elements"],
    "oneOf": [
        {"properties": {
            "_attributes": {"type": "object", "required": ["init_system"],
                            "properties": {"init_system": {"not": {"enum": ["upstart"]}, "type": "string"}}},
            "_elements": {"type": "array", "items": {"type": "object", "required": ["name"],
                                                     "properties": {"name": {"type": "string"}}}}}},
        {"properties": {
            "_attributes": {"type": "object", "required": ["init_system"],
                            "properties": {"init_system": {"enum": ["upstart"]}}},
            "_elements": {"type": "array", "items": {"type": "object", "required": ["name", "legacy"],
                                                     "properties": {"name": {"type": "string"},
                                                                    "legacy": {"type": "boolean"}}}}}},
    ],
}


def test_a_oneof_that_needs_a_passed_key_takes_it_later() -> None:
    """{"_elements": []} is valid under both branches, so under neither as "exactly
    one": "_attributes" must follow, though the schema declares it first -- in the
    schema's key order the walk had nowhere to go (16 of 40 random walks)."""
    state = JsonSchema(SERVICES).advance_text('{"_elements":[]')
    assert state is not None and "," in state.allowed()
    rest = state.shortest()
    assert rest is not None and jsonschema_oracle(SERVICES)('{"_elements":[]' + rest)


def test_walks_through_the_services_oneof_finish_valid() -> None:
    # (completions kept by state key: from "{" alone one takes ~2 s)
    assert_walks_finish_valid(JsonSchema(SERVICES), jsonschema_oracle(SERVICES),
                              alphabet='{}":,[]_elmntsaibuyrx', walks=40, max_steps=30, seed=13, memo=True)


ITEM_MODIFIERS = {  # the shape of a Minecraft item modifier list (MaskBench JsonSchemaStore)
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "array",
    "items": {
        "properties": {"function": {"type": "string", "enum": ["copy", "set"]}},
        "allOf": [
            {"if": {"properties": {"function": {"const": "copy"}}},
             "then": {"type": "object", "properties": {"source": {"type": "string"}}}},
            {"if": {"properties": {"function": {"const": "set"}}},
             "then": {"type": "object", "properties": {"count": {"type": "integer"}}}},
        ],
    },
}


def test_a_value_every_condition_takes_is_not_begun() -> None:
    """Every ``if`` whose condition speaks of objects only is met by any other
    value, so each ``then`` (an object) applies to it: a boolean, string, number
    or array item can never be valid. Their first characters are not offered;
    before, "[fals" was, and then no letter at all (nor a closing quote after
    '["a')."""
    parser = JsonSchema(ITEM_MODIFIERS)
    items = parser.advance_text("[")
    assert items is not None
    assert set("tfn\"-0[").isdisjoint(items.allowed()), items.allowed()
    assert "{" in items.allowed() and "]" in items.allowed()


def test_walks_through_conditional_items_finish_valid() -> None:
    assert_walks_finish_valid(JsonSchema(ITEM_MODIFIERS), jsonschema_oracle(ITEM_MODIFIERS),
                              alphabet='{}":,[]funcopysetrl01a', walks=80, max_steps=40, seed=17)


API = {  # the shape of a Tabris.js API definition (MaskBench Github_hard/o37789)
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {"category": {"enum": ["core", "widget"]}, "title": {"type": "string"},
                   "type": {"type": "string"}, "jsx": {"items": {"type": "string"}},
                   "object": {"type": "string"}, "extends": {"type": "string"}},
    "dependencies": {"object": ["type"], "extends": ["type"]},
    "allOf": [{"anyOf": [{"required": ["type"]}, {"required": ["object"]}, {"required": ["title"]}]}],
    "required": ["category"], "additionalProperties": False,
}


def test_a_name_needed_later_brings_its_dependencies_into_the_key_order() -> None:
    """In the schema's key order, "jsx" passes "title" and "type"; the group's
    last way out is "object", which depends on "type": past "jsx" no closing
    brace could follow, so "jsx" is not offered before one of them is written."""
    for strict in (True, False):
        parser = JsonSchema(API, strict=strict)
        key = parser.advance_text('{"category": "core", "')
        assert key is not None and "j" not in key.allowed() and "t" in key.allowed()
        later = parser.advance_text('{"category": "core", "type": "x", "')
        assert later is not None and "j" in later.allowed()


def test_walks_through_names_with_dependencies_finish_valid() -> None:
    assert_walks_finish_valid(JsonSchema(API), jsonschema_oracle(API),
                              alphabet='{}":,[]cortewigltyjsxbnd', walks=80, max_steps=60, seed=19)


WIDGET_CONFIG = {  # the shape of a dashboard widget's config (MaskBench Github_medium/o74598)
    "$schema": "http://json-schema.org/draft-04/schema#",
    "oneOf": [
        {"type": "object", "required": ["providerId", "feedUrl"],
         "properties": {"providerId": {"type": "string", "enum": ["amazon", "google"]},
                        "feedUrl": {"type": "string"}}},
        {"type": "object", "required": ["feedUrl"], "properties": {"feedUrl": {"type": "string"}}},
        {"type": "object", "required": ["serviceId"], "properties": {"serviceId": {"type": "string"}}},
        {"type": "object", "additionalProperties": False,
         "properties": {"id": {"type": "string"}, "name": {"type": "string"}}},
    ],
}


def test_two_oneof_branches_that_take_every_rest_end_the_value() -> None:
    """Every object with a cloud status's "providerId" and "feedUrl" is an RSS
    feed too (it only requires "feedUrl"), so under "exactly one" it is never
    valid: once both branches take every way on, nothing is left -- a string
    value for "feedUrl" is not begun (a number makes both refuse: the service
    branch is then the one). In the schema's key order, "providerId" is not
    offered first at all: the branch that begins with it can never be the one."""
    whole = JsonSchema(WIDGET_CONFIG, key_order="any", strict=False)
    value = whole.advance_text('{"providerId": "amazon", "feedUrl": ')
    assert value is not None and '"' not in value.allowed() and "1" in value.allowed()
    ordered = JsonSchema(WIDGET_CONFIG).advance_text('{"')
    assert ordered is not None and "p" not in ordered.allowed() and "f" in ordered.allowed()


def test_walks_through_overlapping_oneof_branches_finish_valid() -> None:
    for options in ({}, {"key_order": "any", "strict": False}):
        assert_walks_finish_valid(JsonSchema(WIDGET_CONFIG, **options), jsonschema_oracle(WIDGET_CONFIG),
                                  alphabet='{}":,providerIdfeUlsvcnamog1 ', walks=60, max_steps=50, seed=23)


RECOVERY_VALUE = {  # a Snowplow recovery step's value (MaskBench Snowplow/sp_309)
    "oneOf": [
        {"type": "string"},
        {"type": "object", "properties": {"value": {"type": ["number", "string"]}}},
        {"type": "object", "additionalProperties": False, "required": ["regex"],
         "properties": {"regex": {"type": "string"}}},
        {"type": "object", "additionalProperties": False,
         "properties": {"size": {"type": "object", "oneOf": [
             {"properties": {"eq": {"type": "integer"}}}, {"properties": {"lt": {"type": "integer"}}}]}}},
    ],
}


def test_a_branch_closed_by_its_own_schema_that_another_takes_whole_is_not_begun() -> None:
    """The static-value branch takes any object without a non-number "value":
    every object the closed "regex" and "size" branches write is one of its
    too, so neither can be the one -- "r" and "s" were offered, and after
    '{"size":' no text was valid."""
    key = JsonSchema(RECOVERY_VALUE).advance_text('{"')
    assert key is not None and set(key.allowed()) == {"v"}


def test_walks_through_a_static_value_and_closed_branches_finish_valid() -> None:
    assert_walks_finish_valid(JsonSchema(RECOVERY_VALUE), jsonschema_oracle(RECOVERY_VALUE),
                              alphabet='{}":,[]valuegxszqt01 ', walks=60, max_steps=40, seed=29)


STEP = {  # the shape of a CodeShip step (MaskBench JsonSchemaStore/codeship-steps)
    "$schema": "http://json-schema.org/draft-07/schema#",
    "properties": {"name": {"type": "string"}, "type": {"enum": [None, "run", "push", "manual"]},
                   "command": {"type": "string"}, "image": {"type": "string"},
                   "registry": {"type": "string"}, "on_fail": {"type": "array", "items": {"$ref": "#"}}},
    "if": {"properties": {"type": {"anyOf": [{"const": "run"}, {"type": "null"}]}}},
    "then": {"properties": {"image": {"type": "null"}}, "required": ["command"]},
    "else": {"if": {"properties": {"type": {"const": "push"}}},
             "then": {"required": ["image", "registry"]}},
}


def test_a_failed_if_on_one_property_needs_that_property() -> None:
    """Where the ``if`` only says which values "type" takes, it fails on an object
    only if "type" is there with another value: in the schema's key order no key
    past "type" and "command" is offered first ("on_fail" was, and then neither
    branch could close the object). Valid objects of either branch are taken."""
    parser = JsonSchema(STEP)
    key = parser.advance_text('{"')
    assert key is not None and set(key.allowed()) == {"n", "t", "c"}
    for value in ({"command": "make"}, {"type": "push", "image": "a", "registry": "r"},
                  {"name": "x", "type": "manual"},
                  {"type": None, "command": "x", "on_fail": [{"command": "y"}]}):
        assert jsonschema_oracle(STEP)(json.dumps(value)), value
        assert parser.accepts(json.dumps(value)), value
    assert not parser.accepts('{"type": "push", "image": "a"}')
    assert not parser.accepts('{"on_fail": []}')


def test_walks_through_steps_decided_by_their_type_finish_valid() -> None:
    # (under strict=False, key_order="any" the failed if was a complement, whose
    # completions inside an undeclared key searched ~10 s each; with the schema's
    # key order and strict=False they still take ~3 s: not walked here)
    for options in ({}, {"key_order": "any", "strict": False}):
        assert_walks_finish_valid(JsonSchema(STEP, **options), jsonschema_oracle(STEP),
                                  alphabet='{}":,[]nametypcoimgrsfulhx ', walks=60, max_steps=60, seed=31)


_ID_ATOMS = st.sampled_from(["a", "b", "[ab]", "[0-9]", ".", "[^a]"])
_ID_QUANTS = st.sampled_from(["", "+", "*", "?", "{2}", "{1,3}"])


@st.composite
def _counted_string(draw: st.DrawFn) -> dict[str, Any]:
    body = "".join(draw(_ID_ATOMS) + draw(_ID_QUANTS) for _ in range(draw(st.integers(1, 3))))
    pattern = ("^" if draw(st.booleans()) else "") + body + ("$" if draw(st.booleans()) else "")
    most = draw(st.integers(0, 8))
    return {"type": "string", "pattern": pattern, "minLength": draw(st.integers(0, most)), "maxLength": most}


@settings(max_examples=120, deadline=None)
@given(_counted_string(), st.integers(0, 2**32))
def test_counted_patterns_have_no_dead_ends(schema: dict[str, Any], seed: int) -> None:
    """A short ``maxLength`` beside a ``pattern`` is one automaton: every character
    offered leads to a string that can still close within the bounds (a count
    and a pattern read side by side took twelve "!" for a 12-character hex id)."""
    parser = JsonSchema(schema)
    if parser.shortest() is None:
        return  # (bounds no text of the pattern meets: nothing is offered at all)
    assert_walks_finish_valid(parser, jsonschema_oracle(schema), alphabet='"ab01!', walks=6,
                              max_steps=12, seed=seed)


def test_a_counted_hex_id_offers_hex_at_its_last_place() -> None:
    schema = {"type": "string", "minLength": 12, "maxLength": 12, "pattern": "[0-9a-fA-F]+"}
    last = JsonSchema(schema).advance_text('"' + "!" * 11)
    assert last is not None and "!" not in last.allowed() and "7" in last.allowed()


TAGS = {  # a WinGet manifest's tags (MaskBench JsonSchemaStore/winget-pkgs-locale-1.0.0)
    "type": ["array", "null"], "maxItems": 4, "uniqueItems": True,
    "items": {"type": ["string", "null", "boolean"], "minLength": 1, "maxLength": 4},
}


def test_a_unique_array_does_not_begin_a_literal_it_has_written() -> None:
    """After a ``null`` element, another ``null`` has one way to finish and is a
    repeat: its "n" is not offered (it was refused only at its last letter,
    where nothing else could be written)."""
    parser = JsonSchema(TAGS)
    after = parser.advance_text('[null, true, ')
    assert after is not None and not {"n", "t"} & set(after.allowed()) and {"f", '"'} <= set(after.allowed())
    assert parser.advance_text('[null, "a", n') is None


def test_walks_through_unique_literals_finish_valid() -> None:
    assert_walks_finish_valid(JsonSchema(TAGS), jsonschema_oracle(TAGS),
                              alphabet='[]",nultrefasb ', walks=80, max_steps=40, seed=37)


def test_a_unique_array_does_not_begin_a_string_it_has_written() -> None:
    """Azure proxies' HTTP methods: after "TRACE", a string element whose one way
    on is "TRACE" again -- however its letters are spelled -- is refused where
    that is decided (an escape could spell the "E": it was offered)."""
    schema = {"type": "array", "uniqueItems": True, "items": {"enum": ["GET", "TRACE", "PUT"]}}
    parser = JsonSchema(schema)
    second = parser.advance_text('["TR\\u0041CE", "')
    assert second is not None and "T" not in second.allowed() and "G" in second.allowed()
    assert parser.advance_text('["TRACE", "TRAC') is None
    assert_walks_finish_valid(parser, jsonschema_oracle(schema), alphabet='[]",GETRACPU\\u0045 ',
                              walks=80, max_steps=40, seed=41)


RESULTS = {  # a game log's per-player results (MaskBench Github_hard/o10293)
    "type": "object",
    "properties": {"final_results": {"type": "object", "patternProperties": {"^\\d+$": {
        "type": "object", "properties": {"score": {"type": "integer"}},
        "additionalProperties": False, "required": ["score", "rating"]}}}},
}


def test_a_key_whose_pattern_takes_no_value_is_not_closed() -> None:
    """The results' schema requires a "rating" it does not let in: no value meets
    it, so a key that matches its pattern cannot be closed (and where no other
    key may come, none is begun) -- "87" was, and no value could follow."""
    strict = JsonSchema(RESULTS).advance_text('{"final_results": {')
    assert strict is not None and '"' not in strict.allowed() and "}" in strict.allowed()
    loose = JsonSchema(RESULTS, strict=False).advance_text('{"final_results": {"87')
    assert loose is not None and '"' not in loose.allowed() and "a" in loose.allowed()
    for options in ({}, {"strict": False}):
        assert_walks_finish_valid(JsonSchema(RESULTS, **options), jsonschema_oracle(RESULTS),
                                  alphabet='{}":,final_results0187a ', walks=60, max_steps=40, seed=43)


SIZE_LIMIT = {  # the shape of a size-limit config section (SchemaStore)
    "$schema": "http://json-schema.org/draft-07/schema#",
    "allOf": [
        {"type": "object", "required": ["path"],
         "properties": {"path": {"type": "string"}, "webpack": {"type": "boolean"},
                        "ignore": {"type": "array", "items": {"type": "string"}}}},
        {"if": {"not": {"properties": {"webpack": {"type": "boolean", "enum": [False]}}}},
         "then": {"properties": {"config": {"type": "string"}}}},
    ],
}


def test_a_negated_condition_decides_as_its_own_words() -> None:
    """``if: {not: X}`` reads as ``if: X`` with ``then`` and ``else`` swapped: under
    strict, "config" is declared only where "webpack" is there and not false --
    once the schema's key order has passed "webpack", "config" is not begun (it
    was, and only the closing brace learnt that the object could not end)."""
    parser = JsonSchema(SIZE_LIMIT)
    passed = parser.advance_text('{"path": "x", "ignore": ["b"]')
    assert passed is not None and "," not in passed.allowed() and "}" in passed.allowed()
    declared = parser.advance_text('{"path": "x", "webpack": true, "ignore": ["b"], "')
    assert declared is not None and "c" in declared.allowed()
    for options in ({}, {"strict": False}, {"key_order": "any"}):
        assert_walks_finish_valid(JsonSchema(SIZE_LIMIT, **options), jsonschema_oracle(SIZE_LIMIT),
                                  alphabet='{}":,[]pathwebpckignorconfx tuel', walks=80, max_steps=50, seed=5)


DATA_TYPE = {  # the shape of a Swagger 1.2 data type (MaskBench Github_medium/o11667)
    "$schema": "http://json-schema.org/draft-04/schema#",
    "type": "object",
    "properties": {"type": {"type": "string"}, "format": {"type": "string"}},
    "dependencies": {"format": {"oneOf": [
        {"properties": {"type": {"enum": ["integer"]}, "format": {"enum": ["int32", "int64"]}}},
        {"properties": {"type": {"enum": ["string"]}, "format": {"enum": ["byte", "date"]}}}]}},
    "allOf": [{"required": ["type"]}, {"additionalProperties": False,
                                       "properties": {"type": {}, "format": {}}}],
}


def test_no_comma_where_no_name_can_follow() -> None:
    """Once "type" holds a value no branch of the dependency takes, "format" (the
    one name left) can never be valid: no comma is offered before it."""
    parser = JsonSchema(DATA_TYPE)
    other = parser.advance_text('{"type": "x"')
    assert other is not None and "," not in other.allowed() and "}" in other.allowed()
    known = parser.advance_text('{"type": "integer"')
    assert known is not None and "," in known.allowed()
    assert_walks_finish_valid(parser, jsonschema_oracle(DATA_TYPE),
                              alphabet='{}":, typeformatintegr32sbdx', walks=12, max_steps=30, seed=7)


def test_an_escape_does_not_spell_a_name_left_out() -> None:
    """After "path", "channel" is left out: "ch" is refused, and so is the "h" that
    the escape ``\\u0068`` spells, at the escape's last digit ("co" goes on)."""
    for options in ({}, {"key_order": "any"}):
        state = JsonSchema(EXCLUSIVE, **options).advance_text('{"path":"x","c\\u006')
        assert state is not None and "8" not in state.allowed() and "f" in state.allowed()


def test_a_name_left_out_is_not_begun_among_several() -> None:
    """With "components" written too, no name left starts with "c": it is refused
    at the key's first letter, among the first letters of the names left."""
    schema = {**EXCLUSIVE, "properties": {**EXCLUSIVE["properties"], "targets": {"type": "array"},
                                          "version": {"type": "string"}}}
    state = JsonSchema(schema, key_order="any").advance_text('{"path":"x","components":[],"')
    assert state is not None and "c" not in state.allowed() and set("ptv") <= set(state.allowed())


def test_a_unique_array_offers_no_comma_its_enum_cannot_follow() -> None:
    """``uniqueItems`` over a one-name enum (a Unity assembly's optional references):
    after "TestAssemblies" no element is left, so no comma is offered; a name of
    more than eight letters is refused where it begins too (it was not)."""
    schema = {"type": "array", "items": {"enum": ["TestAssemblies"]}, "uniqueItems": True}
    parser = JsonSchema(schema)
    one = parser.advance_text('["TestAssemblies"')
    assert one is not None and "," not in one.allowed() and "]" in one.allowed()
    two = JsonSchema({**schema, "items": {"enum": ["TestAssemblies", "Other"]}}).advance_text(
        '["TestAssemblies", "')
    assert two is not None and "T" not in two.allowed() and "O" in two.allowed()
    assert_walks_finish_valid(parser, jsonschema_oracle(schema), alphabet='[]", TestAsmbli',
                              walks=30, max_steps=40, seed=3)


def test_a_unique_integer_is_not_repeated_through_its_zero_fraction() -> None:
    """Unique integers (an error page's status codes): after 8, "8." could only go
    on with zeros, each text the value 8 again -- a walk wrote zeros for ever."""
    schema = {"type": "array", "uniqueItems": True, "items": {"type": "integer", "minimum": 1}}
    parser = JsonSchema(schema)
    again = parser.advance_text("[2, 8, 8")
    assert again is not None and "." not in again.allowed() and "0" in again.allowed()
    other = parser.advance_text("[2, 8, 3")
    assert other is not None and "." in other.allowed()
    assert_walks_finish_valid(parser, jsonschema_oracle(schema), alphabet="[], 2380.",
                              walks=40, max_steps=30, seed=9)


CATEGORIES = {  # the shape of a VS Code extension manifest's categories (SchemaStore)
    "type": "array", "uniqueItems": True,
    "items": {"type": "string", "enum": ["Azure Repos", "Azure Boards", "Azure Pipelines"]},
}


def test_completions_go_on_from_inside_an_escape() -> None:
    """A third category begun as ``"\\u``: the search for a completion skipped the
    escape's digits (they write characters a completion never needs to escape) --
    here the only way on -- and found none."""
    text = '["Azure Boards", "Azure Repos", "\\u'
    state = JsonSchema(CATEGORIES).advance_text(text)
    assert state is not None
    rest = state.shortest()
    assert rest is not None and jsonschema_oracle(CATEGORIES)(text + rest)


def test_no_escape_where_every_letter_it_could_write_repeats() -> None:
    """A third name begun after "Azure Boards" and "Azure Repos": at "Azure " the
    backslash (whose escape could write only "P", "B" or "R") stays while "P" does;
    of a two-name enum nothing is left there, the backslash included."""
    two = {**CATEGORIES, "items": {"type": "string", "enum": ["Azure Repos", "Azure Boards"]}}
    parser = JsonSchema(two)
    state = parser.advance_text('["Azure Boards", "Azure Repos", "Azure ')
    assert state is not None and not state.allowed()
    three = JsonSchema(CATEGORIES).advance_text('["Azure Boards", "Azure Repos", "Azure ')
    assert three is not None and "P" in three.allowed() and "B" not in three.allowed()


COMPLEX_TYPE = {  # the shape of a data element's complex type (MaskBench Github_medium/o90940)
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object", "required": ["type"], "additionalProperties": False,
    "properties": {"type": {"enum": ["value1", "value2"]}, "dataSets": {"type": "array"},
                   "subFields": {"type": "array"}},
    "dependencies": {"dataSets": {"properties": {"type": {"enum": ["value1"]}}},
                     "subFields": {"properties": {"type": {"const": "value2"}}}},
}


def test_names_whose_dependencies_disagree_on_a_required_value_exclude_each_other() -> None:
    """"dataSets" wants the required "type" to be "value1", "subFields" wants
    "value2": after one, the other is not begun (it was, and the "type" written
    after both found no value)."""
    for options in ({"key_order": "any"}, {"key_order": "any", "strict": False}):
        parser = JsonSchema(COMPLEX_TYPE, **options)
        state = parser.advance_text('{"dataSets": [], "')
        assert state is not None and "s" not in state.allowed() and "t" in state.allowed()
        state = parser.advance_text('{"subFields": [], "')
        assert state is not None and "d" not in state.allowed() and "t" in state.allowed()
        assert_walks_finish_valid(parser, jsonschema_oracle(COMPLEX_TYPE),
                                  alphabet='{}":,[] typevalu12dataSetsubFi', walks=25, max_steps=40, seed=2)


EMAIL_OR_EMPTY = {  # an author's e-mail (MaskBench Github_medium/o54613): "_format" is no keyword
    "type": "object",
    "properties": {"email": {"type": "string", "oneOf": [{"enum": [""]}, {"_format": "email"}]},
                   "tags": {"type": "array", "oneOf": [{"maxItems": 0}, {"type": "array"}]}},
}


def test_a_closing_quote_both_branches_take_is_not_offered() -> None:
    """The empty string is the enum's and any string's: never exactly one's, so
    the quote that would close it at once is not offered (nor the bracket that
    would close an empty array both branches take); one more letter and it is."""
    parser = JsonSchema(EMAIL_OR_EMPTY)
    opened = parser.advance_text('{"email": "')
    assert opened is not None and '"' not in opened.allowed() and "a" in opened.allowed()
    letter = opened.advance("a")
    assert letter is not None and '"' in letter.allowed()
    empty = parser.advance_text('{"tags": [')
    assert empty is not None and "]" not in empty.allowed() and "1" in empty.allowed()
    assert parser.advance_text('{"email": ""') is None


def test_walks_through_a_oneof_with_a_shared_empty_text_finish_valid() -> None:
    assert_walks_finish_valid(JsonSchema(EMAIL_OR_EMPTY), jsonschema_oracle(EMAIL_OR_EMPTY),
                              alphabet='{}[]":,emailtgsx1 ', walks=60, max_steps=40, seed=29)


PACKAGES = {  # a Composer repository's index (MaskBench Github_medium/o89914), cut down
    "type": "object",
    "oneOf": [{"required": ["packages"]}, {"required": ["providers"]},
              {"required": ["includes", "url"]}],
    "properties": {"packages": {"type": "object"}, "providers": {"type": "object"},
                   "includes": {"type": "object"}, "url": {"type": "string"},
                   "warning": {"type": "string"}},
}


def test_a_name_that_meets_a_second_oneof_branch_is_not_offered() -> None:
    """Each branch only requires names, read with the object's properties: once
    "packages" is written, writing both of the third branch's names makes two
    branches whole -- and each stays so whatever follows. The last of them is not
    offered (the quote that would close its name), and the branch still missing
    "providers" is dropped with them: every object it could finish the other two
    take as well."""
    for options in ({}, {"key_order": "any", "strict": False}):
        parser = JsonSchema(PACKAGES, **options)
        named = parser.advance_text('{"packages": {}, "includes": {}, "url')
        assert named is not None and '"' not in named.allowed()
        assert parser.advance_text('{"packages": {}, "includes": {}, "warning": "w"}') is not None
    loose = JsonSchema(PACKAGES, key_order="any", strict=False)
    assert loose.advance_text('{"url": "x", "includes": {}, "packages"') is None
    assert loose.advance_text('{"url": "x", "includes": {}, "providers": {}') is None
    assert loose.advance_text('{"packages": {}, "url": "x", "includesX": {}}') is not None


def test_walks_through_a_oneof_of_required_names_finish_valid() -> None:
    for options in ({}, {"key_order": "any", "strict": False}):
        assert_walks_finish_valid(JsonSchema(PACKAGES, **options), jsonschema_oracle(PACKAGES),
                                  alphabet='{}":,packgesrovidinclutwrx1 ', walks=80, max_steps=60, seed=31)


KEY_PAIR = {  # an e-mail key pair, existing or new (MaskBench Github_hard/o69719), cut down
    "oneOf": [
        {"type": "object", "required": ["public_key", "private_key"],
         "properties": {"certificate": {"type": "string", "description": "The certificate's name"},
                        "public_key": {"type": "string"}, "private_key": {"type": "string"}}},
        {"type": "object",
         "properties": {"certificate": {"type": "string", "description": "The certificate's name",
                                        "default": "grr"},
                        "key_size": {"type": "number", "minimum": 1024}}},
    ],
}


def test_a_branch_another_takes_whole_but_for_annotations_is_not_begun() -> None:
    """Every object the first branch writes under strictness (its three names,
    strings) the second takes too -- their "certificate"s differ only in a
    default -- so the first is never the one: its names are not offered, and a
    walk through "public_key" found no way to finish."""
    key = JsonSchema(KEY_PAIR).advance_text('{"certificate": "a", "')
    assert key is not None and set(key.allowed()) == {"k"}


def test_walks_through_branches_alike_but_for_annotations_finish_valid() -> None:
    assert_walks_finish_valid(JsonSchema(KEY_PAIR), jsonschema_oracle(KEY_PAIR),
                              alphabet='{}":,certifcaublk_yzvs1024 ', walks=60, max_steps=50, seed=37)

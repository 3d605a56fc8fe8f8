"""JsonSchema through the token layer, on the three real tokenizers.

Soundness: random token walks through the masks, stopped where EOS is allowed,
decode to JSON that ``jsonschema`` validates. Completeness: valid instances,
written the ways models write JSON and tokenized by the real tokenizer, are
accepted token by token, with EOS allowed at the end; real-world schemas from
MaskBench too.
"""

from __future__ import annotations

import json
import random
import warnings
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import SHARED_DIR, encode_mid, load_vocabulary
from hypothesis import HealthCheck, given, settings
from strategies import python_pattern

from lmparsec import JsonSchema, Matcher
from lmparsec.testing import TokenWalk, token_walks
from lmparsec.tokens import MaskCache

PERSON = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "description": "name in uppercase", "maxLength": 20},
        "age": {"type": "integer", "minimum": 0, "maximum": 150},
    },
    "required": ["name", "age"],
}

SCHEMAS: dict[str, dict[str, Any]] = {
    "car": {
        "type": "object",
        "properties": {
            "make": {"type": "string"},
            "year": {"type": "integer", "minimum": 1900, "maximum": 2030},
            "colors": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
            "features": {
                "type": "object",
                "properties": {
                    "audio": {
                        "type": "object",
                        "properties": {"brand": {"type": "string"}, "speakers": {"type": "integer"},
                                       "hasBluetooth": {"type": "boolean"}},
                        "required": ["brand", "speakers", "hasBluetooth"],
                    }
                },
                "required": ["audio"],
            },
        },
        "required": ["make", "year", "colors", "features"],
    },
    "persons": {"type": "array", "items": {"$ref": "#/$defs/Person"}, "maxItems": 3,
                "$defs": {"Person": PERSON}},
    "profile": {
        "type": "object",
        "properties": {
            "role": {"enum": ["admin", "user", "guest"]},
            "email": {"anyOf": [{"type": "string", "format": "email"}, {"type": "null"}]},
            "score": {"type": "number", "minimum": 0, "exclusiveMaximum": 10},
            "tag": {"type": "string", "pattern": "^[a-z]{2,6}-[0-9]+$"},
        },
        "required": ["role", "email", "score", "tag"],
    },
    # patterns with lookarounds (automaton intersections and differences), a '$'
    # inside a repeated group (a path's segments end with '/' or the text), a
    # '^' inside a group (a version at the start or after a '/'), and a multipleOf
    # with more remainders than an automaton takes (read by a remainder parser)
    "account": {
        "type": "object",
        "properties": {
            "host": {"type": "string", "pattern": "^(?!-)[a-z0-9-]{1,12}(?<!-)$"},
            "password": {"type": "string", "pattern": "^(?=.*\\d)(?=.*[A-Z]).{6,20}$"},
            "note": {"type": "string", "pattern": "^((?!TODO).)*$"},
            "path": {"type": "string", "pattern": "^(/?(\\.{2}|[a-z0-9-]*)($|/))*$"},
            "ref": {"type": "string", "pattern": "(^|/)v[0-9]+$"},
            "ttl": {"type": "integer", "multipleOf": 86400, "minimum": 0},
        },
        "required": ["host", "password", "note", "path", "ref", "ttl"],
    },
    # Unicode properties: the letters and digits of every script (written over
    # blocks of code points, see ecma.py)
    "names": {
        "type": "object",
        "properties": {
            "name": {"type": "string", "pattern": "^\\p{Lu}[\\p{L}'. -]{0,30}$"},
            "handle": {"type": "string", "pattern": "^[\\p{L}\\p{N}_]+$"},
            "note": {"type": "string", "pattern": "^\\P{L}*$"},
        },
        "required": ["name", "handle", "note"],
    },
}

INSTANCES: dict[str, list[Any]] = {
    "car": [
        {"make": "Toyota", "year": 2020, "colors": ["red", "blue"],
         "features": {"audio": {"brand": "Sony", "speakers": 6, "hasBluetooth": True}}},
        {"make": "Škoda “RS” 🚗", "year": 1999, "colors": [],
         "features": {"audio": {"brand": "日本語\n\"q\"", "speakers": -3, "hasBluetooth": False}}},
    ],
    "persons": [[{"name": "ALICE", "age": 31}, {"name": "BOB", "age": 25}], [],
                [{"name": "ÉLODIE Ñ", "age": 0}]],
    "profile": [
        {"role": "admin", "email": "a.b@example.com", "score": 9.75, "tag": "ab-12"},
        {"role": "guest", "email": None, "score": 0, "tag": "abcdef-0"},
        {"role": "admin", "email": "ops@[IPv6:2001:db8::1]", "score": 1, "tag": "ab-1"},
    ],
    "account": [
        {"host": "my-host1", "password": "Secret123", "note": "all done, no TOD0 left", "path": "/a/../b-2/",
         "ref": "api/v2", "ttl": 172800},
        {"host": "a", "password": "éé9Xéé", "note": "", "path": "", "ref": "v10", "ttl": 0},
    ],
    "names": [
        {"name": "Łucja Żółć-Brzęczyszczykiewicz", "handle": "łucja_٣3", "note": "12 :-) 😀"},
        {"name": "Δ", "handle": "東京", "note": ""},
        {"name": "O'Neil J. Smith", "handle": "Жена", "note": "--"},
    ],
}


def _for_re(schema: Any) -> Any:
    """``schema`` for jsonschema, whose Python re has no ``\\p{...}``: patterns
    with their properties spelled out (see :func:`strategies.python_pattern`)."""
    if isinstance(schema, dict):
        return {k: python_pattern(v) if k == "pattern" else _for_re(v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_for_re(v) for v in schema]
    return schema


def dumps_styles(value: Any) -> list[str]:
    return [
        json.dumps(value, ensure_ascii=False),
        json.dumps(value),
        json.dumps(value, separators=(",", ":"), ensure_ascii=False),
        json.dumps(value, indent=2, ensure_ascii=False),
    ]


def replay(name: str, schema: Any, text: str, **options: Any) -> None:
    vocab = load_vocabulary(name)
    matcher = Matcher(vocab, JsonSchema(schema, **options))
    for i, token in enumerate(encode_mid(name, text)):
        assert matcher.is_allowed(token), (
            f"token {i} {vocab.token_bytes[token]!r} rejected after "
            f"{vocab.decode(encode_mid(name, text)[:i])!r}"
        )
        assert matcher.accept(token)
    assert matcher.can_end()
    assert any(matcher.is_allowed(e) for e in vocab.eos_ids)


@pytest.mark.parametrize("schema_name", sorted(INSTANCES))
def test_instances_accepted_token_by_token(tokenizer_name: str, schema_name: str) -> None:
    for value in INSTANCES[schema_name]:
        jsonschema.validate(value, _for_re(SCHEMAS[schema_name]))
        for text in dumps_styles(value):
            replay(tokenizer_name, SCHEMAS[schema_name], text)


@pytest.mark.parametrize("schema_name", sorted(SCHEMAS))
def test_token_walks_validate(tokenizer_name: str, schema_name: str) -> None:
    vocab = load_vocabulary(tokenizer_name)
    schema = SCHEMAS[schema_name]
    parser = JsonSchema(schema)

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
    @given(walk=token_walks(vocab, parser, max_tokens=30))
    def check(walk: TokenWalk) -> None:
        assert parser.accepts(walk.text), walk.text
        jsonschema.validate(json.loads(walk.text), _for_re(schema))

    check()


def _maskbench_sample(count: int, seed: int) -> list[Path]:
    root = SHARED_DIR / "maskbench-dev"
    if not root.is_dir():
        pytest.skip(f"{root} is absent (../shared is not checked out)")
    files = sorted(root.glob("*/*.json"))
    return random.Random(seed).sample(files, count)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_real_world_schemas_accept_their_valid_instances(tokenizer_name: str, seed: int) -> None:
    """A seeded sample of MaskBench schemas: each valid instance, tokenized by the real
    tokenizer, is accepted token by token (the validator's view: any key order)."""
    replayed = 0
    for path in _maskbench_sample(6, seed * 31 + len(tokenizer_name)):
        data = json.loads(path.read_text(encoding="utf-8"))
        try:
            parser = JsonSchema(data["schema"], strict=False, key_order="any")
        except Exception as exc:
            if "unsupported" in type(exc).__name__.lower():
                continue
            raise
        vocab = load_vocabulary(tokenizer_name)
        for test in data["tests"]:
            if not test["valid"]:
                continue
            text = json.dumps(test["data"], ensure_ascii=False)
            ids = encode_mid(tokenizer_name, text)
            if len(ids) > 400:
                continue
            matcher = Matcher(vocab, parser)
            for token in ids:
                assert matcher.accept(token), f"{path.name}: {vocab.token_bytes[token]!r} rejected"
            assert matcher.can_end(), path.name
            replayed += 1
    assert replayed > 0


@pytest.mark.parametrize("seed", [0, 1])
def test_real_world_token_walks_complete_to_valid_json(tokenizer_name: str, seed: int) -> None:
    """Random tokens drawn from the masks on a seeded sample of MaskBench schemas, then
    the state's shortest completion: the text must be JSON that ``jsonschema`` (with
    its format checks) validates. Soundness where real schemas nest ``anyOf``,
    ``allOf`` and formats; ``shortest()`` must answer there too (it once ran out of
    states mid-object on function-calling schemas)."""
    import numpy as np

    vocab = load_vocabulary(tokenizer_name)
    rng = random.Random(f"{tokenizer_name}-{seed}")
    walked = 0
    # (not the Handwritten puzzles: nested not/allOf of patterns over one string, where
    # an intersection-like state can be a dead end no mask sees -- a known limit)
    sample = _maskbench_sample(8, seed * 17 + 3 * len(tokenizer_name))
    paths = [p for p in sample if p.parent.name != "Handwritten"]
    for path in paths[:5]:
        schema = json.loads(path.read_text(encoding="utf-8"))["schema"]
        try:
            parser = JsonSchema(schema)
        except Exception as exc:
            if "unsupported" in type(exc).__name__.lower():
                continue
            raise
        kind = jsonschema.validators.validator_for(schema)
        validator = kind(schema, format_checker=kind.FORMAT_CHECKER)
        for _ in range(2):
            matcher = Matcher(vocab, parser)
            data = b""
            for _ in range(rng.randint(3, 40)):
                allowed = np.flatnonzero(np.unpackbits(matcher.bitmask().view(np.uint8), bitorder="little"))
                texts = [t for t in allowed.tolist() if t < vocab.size and t not in vocab.eos_ids]
                if not texts:
                    break
                token = rng.choice(texts)
                assert matcher.accept(token)
                data += vocab.token_bytes[token]
            if matcher.pending:
                continue
            tail = matcher.state.shortest()
            assert tail is not None, (path.name, data[-80:])
            text = data.decode("utf-8") + tail
            with warnings.catch_warnings():  # (Python's re on the schema's own patterns)
                warnings.simplefilter("ignore", FutureWarning)
                errors = [e.message for e in validator.iter_errors(json.loads(text))]
            assert not errors, (path.name, text[:300], errors[:2])
            walked += 1
    assert walked > 0


ESCAPED_NAMES = {  # a name another part excludes, beside one that JSON writes only escaped
    "$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
    "properties": {"x": {}, "ab": {}, 'a"c': {}, "q\\d": {}},
    "dependencies": {"x": {"not": {"required": ["ab"]}}},
}


def test_a_name_spelled_with_an_escape_is_not_refused_beside_an_excluded_one(tokenizer_name: str) -> None:
    """After "x", "ab" is excluded; at "a" the only direct letter left is dead, yet
    'a"c' goes on through the escape ``\\"``: the masks kept no backslash there and
    refused the valid text token by token."""
    for value in ({"x": 1, 'a"c': 2}, {'a"c': 2, "x": 1, "q\\d": None}, {"ab": 0, 'a"c': 1}):
        jsonschema.validate(value, ESCAPED_NAMES)
        for text in dumps_styles(value):
            replay(tokenizer_name, ESCAPED_NAMES, text, key_order="any")


#: objects whose keys keep their text while minProperties is unmet (a repeat is no
#: new name), beside declared names written or not
COUNTED_NAMES = [
    {"type": "object", "minProperties": 2},
    {"type": "object", "minProperties": 3, "properties": {"ab": {"type": "integer"}}},
    {"type": "object", "minProperties": 2, "additionalProperties": {"type": "string"}},
    {"type": "object", "minProperties": 2, "patternProperties": {"^x-": {"type": "string"}},
     "additionalProperties": False},
]


def _token_taken(state: Any, data: bytes) -> bool:
    """Whether ``state`` takes the token ``data`` (complete characters only), each
    character allowed on the way -- the mask's definition, one token at a time."""
    text = data.decode("utf-8")
    for char in text:
        if state is None or char not in state.allowed():
            return False
        state = state.advance(char)
    return state is not None


def _decodable(vocab: Any) -> list[tuple[int, bytes]]:
    """The vocabulary's tokens that are whole UTF-8 text (no special ones)."""
    out = []
    for tid, data in enumerate(vocab.token_bytes):
        if tid in vocab.special_ids or not data:
            continue
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        out.append((tid, data))
    return out


def _assert_exact(cache: MaskCache, state: Any, decodable: list[tuple[int, bytes]], label: str) -> None:
    """Every token is in ``state``'s mask exactly when the state itself takes it."""
    bits = cache.bitmask(state)
    for tid, data in decodable:
        got = bool((int(bits[tid >> 5]) >> (tid & 31)) & 1)
        assert got == _token_taken(state, data), (label, data)


@pytest.mark.parametrize("schema", COUNTED_NAMES, ids=json.dumps)
def test_masks_inside_counted_keys_are_exact(schema: dict[str, Any]) -> None:
    """Inside a key that keeps its text, the mask is that of the key forgetting its
    text once no name to avoid starts with it (any key's content past those names),
    with the tokens past the quote walked from the key: every token of a vocabulary
    is taken exactly when the key's own state takes it -- a token closing a written
    name at its quote (or a declared one written) is not."""
    vocab = load_vocabulary("mistral-7b")
    parser = JsonSchema(schema, strict=False, key_order="any")
    cache = MaskCache(vocab, index_cache_dir=False)
    decodable = _decodable(vocab)
    # (up to its quote the key reads as one forgetting its text once no name to
    # avoid starts with it: loop tables of any key's content, not a walk of the
    # vocabulary at every character -- there, at a key's start and at a first
    # letter of a written name alike)
    past = parser.advance_text('{"a": "q", "c')
    if past is not None:
        inner, after = past.enclosed()
        assert after is None and inner.value.avoid is None  # (no name to avoid starts with "c")
    for text in ['{"a": "q", "', '{"a": "q", "a', '{"x-a": "1", "x-']:
        state = parser.advance_text(text)
        if state is None:
            continue
        inner, after = state.enclosed()
        assert after is None and inner.stand_in() is not None, text  # (the same, but for "a...")
    for prefix in ['{"', '{"x', '{"xy', '{"ab": 1, "', '{"ab": 1, "x', '{"ab": 1, "a', '{"a": "q", "',
                   '{"a": "q", "b', '{"a": "q", "a', '{"a": "q", "ab', '{"a": "q", "c', '{"x-a": "1", "',
                   '{"x-a": "1", "x-', '{"x-a": "1", "x-a', '{"x-a": "1", "x-ab']:
        state = parser.advance_text(prefix)
        if state is None:
            continue
        _assert_exact(cache, state, decodable, prefix)


#: lists of unique objects whose members are strings no text leaves as they are (a
#: pattern's, an enum's): the list keeps each element's text to compare
UNIQUE_OBJECTS = {
    "type": "array", "uniqueItems": True,
    "items": {"type": "object", "additionalProperties": False, "required": ["lang", "level"],
              "properties": {"lang": {"type": "string", "pattern": "[a-z]{2}"},
                             "level": {"enum": ["a1", "a2", "b1"]},
                             "where": {"type": "object", "properties": {"code": {"pattern": "^[A-Z]+$"}}}}},
}


def test_masks_inside_strings_of_unique_objects_are_exact() -> None:
    """Inside a member's string of an object in a ``uniqueItems`` list, the mask is
    the string's own with the tokens past its quote walked from the list's state:
    every token of a vocabulary is taken exactly when that state takes it -- one
    closing a repeat of an earlier element included."""
    vocab = load_vocabulary("mistral-7b")
    parser = JsonSchema(UNIQUE_OBJECTS, strict=False)
    cache = MaskCache(vocab, index_cache_dir=False)
    decodable = _decodable(vocab)
    first = '[{"lang": "en", "level": "a1", "where": {"code": "FR"}}, '
    # (the string is read as an enclosed text, not walked through the list char by char)
    state = parser.advance_text(first + '{"lang": "e')
    assert state is not None and state.enclosed() is not None
    for prefix in ['[{"lang": "', '[{"lang": "e', first + '{"lang": "', first + '{"lang": "e',
                   first + '{"lang": "en", "level": "', first + '{"lang": "en", "level": "a',
                   first + '{"lang": "en", "level": "a1", "where": {"code": "F',
                   first + '{"lang": "xx", "level": "b']:
        state = parser.advance_text(prefix)
        assert state is not None, prefix
        _assert_exact(cache, state, decodable, prefix)

"""A mask cache prepared for JSON before its first request.

Most of what a JSON Schema's first masks cost on a new vocabulary does not
depend on the schema: masks are keyed by what a state does with the
vocabulary's tokens, so the walk after a colon into a string, a number or a
nested object, the tokens that close a string and go on, the tables of
characters a string's content loops on, are made once and then serve every
schema (:mod:`lmparsec.tokens.cache`). A cache met by its first schema makes
them then, on that request's time; :func:`warm_up_json` makes them when the
cache is made (``MaskCache(vocabulary, warm_up=True)``, as
:func:`~lmparsec.tokens.cache.shared_cache` does), by walking a few built-in
documents -- values of every JSON kind, at the depths documents use, written
as ``json.dumps`` writes them and indented -- through generic schemas. It is
only a head start: the masks are the same with or without it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .cache import MaskCache

__all__ = ["warm_up_json"]

#: what JSON values look like: every kind, nested, in objects and arrays
_VALUES: dict[str, Any] = {
    "id": 12345,
    "name": "Jane Doe",
    "active": True,
    "score": -3.75,
    "ratio": 1e-05,
    "tags": ["alpha", "beta"],
    "matrix": [[1, 2], [3, 4]],
    "address": {"street": "1 Main St.", "city": "Zürich", "zip": None},
    "notes": 'Line one\nLine "two" -- ok',
    "items": [{"sku": "A-1", "qty": 2, "price": 9.99}, {"sku": "B-2", "qty": 0, "price": 100}],
    "empty": {},
    "none": [],
}

#: a typed object, as schemas declare them: members of each scalar type, arrays
#: of strings and of objects, a closed nested object, some members required, and
#: strings of the formats real schemas name most (date-time, uri, date, email,
#: uuid): a format's first masks walk its automaton's character classes over the
#: vocabulary, ~60 ms for these on a 128k one, on its first request's time
_TYPED_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "count": {"type": "integer"},
        "price": {"type": "number"},
        "available": {"type": "boolean"},
        "labels": {"type": "array", "items": {"type": "string"}},
        "parts": {"type": "array", "items": {
            "type": "object",
            "properties": {"part_id": {"type": "integer"}, "label": {"type": "string"}},
            "required": ["part_id"],
        }},
        "meta": {
            "type": "object",
            "properties": {"created_by": {"type": "string"}, "version": {"type": "integer"}},
            "additionalProperties": False,
        },
        "created": {"type": "string", "format": "date-time"},
        "day": {"type": "string", "format": "date"},
        "homepage": {"type": "string", "format": "uri"},
        "contact": {"type": "string", "format": "email"},
        "uuid": {"type": "string", "format": "uuid"},
    },
    "required": ["title", "count"],
}
_TYPED: dict[str, Any] = {
    "title": "Quarterly report 2024",
    "count": 3,
    "price": 12.5,
    "available": False,
    "labels": ["finance", "q3"],
    "parts": [{"part_id": 1, "label": "intro"}, {"part_id": 2, "label": "numbers"}],
    "meta": {"created_by": "admin", "version": 7},
    "created": "2024-03-15T09:30:00Z",
    "day": "2024-03-15",
    "homepage": "https://www.example.com/reports/q3?lang=en",
    "contact": "jane.doe@example.org",
    "uuid": "3f2b8c1e-7d4a-4e9b-a6c5-0d1e2f3a4b5c",
}

_DOCUMENTS: tuple[tuple[dict[str, Any], str], ...] = (
    ({}, json.dumps(_VALUES, ensure_ascii=False)),
    (_TYPED_SCHEMA, json.dumps(_TYPED, ensure_ascii=False)),
    ({}, json.dumps(_VALUES, ensure_ascii=False, indent=2)),
)


def warm_up_json(cache: MaskCache) -> int:
    """Walks the built-in documents through ``cache``, computing the mask of
    every step; returns the steps walked."""
    return sum(_walk_document(cache, schema, text)[0] for schema, text in _DOCUMENTS)


def _walk_document(cache: MaskCache, schema: dict[str, Any], text: str) -> tuple[int, bool]:
    """Steps through ``text`` under ``schema``, each step taking the longest token
    the mask allows that spells the text on (as a tokenizer's merges mostly do);
    the steps walked, and whether the text was read to its end (a vocabulary
    that cannot spell it is left where it stops)."""
    from ..combinators.jsonschema import JsonSchema
    from .matcher import Matcher

    vocab = cache.vocabulary
    token_bytes = vocab.token_bytes
    trie = cache.index.trie
    matcher = Matcher(vocab, JsonSchema(schema), cache=cache)
    data = text.encode("utf-8")
    pos = steps = 0
    while pos < len(data):
        mask = matcher.bitmask()
        found, _, _ = trie.along(data[pos:])  # (shortest first; it stops where no token goes on)
        best = next((t for t in reversed(found) if mask[t >> 5] >> (t & 31) & 1), -1)
        if best < 0 or not matcher.accept(best):
            break
        pos += len(token_bytes[best])
        steps += 1
    matcher.bitmask()  # (the end's mask too)
    return steps, pos == len(data) and matcher.can_end()

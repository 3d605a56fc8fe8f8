"""The JSON warm-up of a mask cache, on the real tokenizers: it reads its documents
to their ends, it changes no mask, and the shared cache is made with it."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import encode_mid, load_vocabulary

from lmparsec.combinators.jsonschema import JsonSchema
from lmparsec.tokens import MaskCache, Matcher
from lmparsec.tokens import cache as cache_module
from lmparsec.tokens.warmup import _DOCUMENTS, _walk_document, warm_up_json


def test_warm_up_reads_every_document_to_its_end(tokenizer_name: str) -> None:
    vocab = load_vocabulary(tokenizer_name)
    cache = MaskCache(vocab, index_cache_dir=False)
    assert not len(cache)
    total = 0
    for schema, text in _DOCUMENTS:
        assert JsonSchema(schema).accepts(text)
        steps, ended = _walk_document(cache, schema, text)
        assert ended, (schema, text)
        # about as many steps as the tokenizer's own encoding (longest match, not BPE merges)
        real = len(encode_mid(tokenizer_name, text))
        assert abs(steps - real) <= real // 10, (steps, real)
        total += steps
    assert len(cache) > 0
    assert warm_up_json(MaskCache(vocab, index_cache_dir=False)) == total


# schemas and instances the warm-up's documents do not hold, meeting its masks
# everywhere: the same kinds of values at other depths, names and progress
_CHECKED = [
    ({"type": "object", "properties": {
        "title": {"type": "string"}, "count": {"type": "integer"}, "ok": {"type": "boolean"},
        "scores": {"type": "array", "items": {"type": "number"}},
        "owner": {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
                  "required": ["name"]}},
      "required": ["title"]},
     [{"title": "Notes on \"things\"", "count": -17, "ok": True, "scores": [1.5, -2e3, 0],
       "owner": {"name": "Ann", "age": 40}},
      {"title": "", "scores": [], "owner": {"name": "Bo"}}]),
    ({}, [{"a": [{"b": {"c": [None, True, 1.25]}}], "d": "Zürich \\ ok"}, [1, "two", {"three": 3}]]),
    ({"type": "array", "items": {"type": "object", "properties": {
        "sku": {"type": "string", "pattern": "^[A-Z]-[0-9]+$"}, "qty": {"type": "integer", "minimum": 0},
        "kind": {"enum": ["book", "pen"]}}, "additionalProperties": False}},
     [[{"sku": "A-12", "qty": 2, "kind": "book"}, {"sku": "Z-9", "qty": 0}]]),
    ({"type": "object", "properties": {
        "at": {"type": "string", "format": "date-time"}, "mail": {"type": "string", "format": "email"},
        "link": {"type": "string", "format": "uri"}, "day": {"type": "string", "format": "date"}}},
     [{"at": "1999-12-31T23:59:59.5+02:00", "mail": "bob_smith42@mail.company.co.uk",
       "link": "http://test.org/a/b.html#top", "day": "2000-02-29"}]),
]


@pytest.mark.parametrize("case", range(len(_CHECKED)))
def test_a_warmed_cache_gives_the_masks_of_an_empty_one(tokenizer_name: str, case: int) -> None:
    vocab = load_vocabulary(tokenizer_name)
    warmed = MaskCache(vocab, index_cache_dir=False, warm_up=True)
    empty = MaskCache(vocab, index_cache_dir=False)
    assert len(warmed) > 0 and not len(empty)
    before = warmed.misses
    schema, instances = _CHECKED[case]
    for indent in (None, 2):
        for instance in instances:
            text = json.dumps(instance, ensure_ascii=False, indent=indent)
            parser = JsonSchema(schema)
            assert parser.accepts(text)
            one, two = Matcher(vocab, parser, cache=warmed), Matcher(vocab, parser, cache=empty)
            for t in [*encode_mid(tokenizer_name, text), min(vocab.eos_ids)]:
                assert np.array_equal(one.bitmask(), two.bitmask()), (text, t)
                assert one.accept(t) and two.accept(t), (text, t)
            assert one.is_finished()
    # (the warm-up's masks were met: fewer to make than from nothing)
    assert warmed.misses - before < empty.misses


def test_the_shared_cache_is_made_warmed_up(tokenizer_name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "_SHARED", {})
    vocab = load_vocabulary(tokenizer_name)
    cache = cache_module.shared_cache(vocab)
    assert len(cache) > 0
    assert cache_module.shared_cache(vocab) is cache

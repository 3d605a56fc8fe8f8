"""Scalar values, ``enum``/``const`` values and the "any JSON value" grammar."""

from __future__ import annotations

import json
from collections.abc import Hashable
from typing import Any

from ..base import Parser, grammar_id
from ..charset import CharSet
from ..literal import Literal
from ..regex import Regex
from .nodes import Node, ParserNode, TypedNode, UnionNode
from .numbers import number_pattern
from .strings import JsonString

__all__ = ["Choices", "literal_node", "const_value_nodes", "json_kind"]


class Choices(Parser):
    """Exactly one of a fixed set of texts (a trie; the state is a trie node)."""

    __slots__ = ("_trie", "pos")

    def __init__(self, trie: _ChoiceTrie, pos: int = 0) -> None:
        self._trie = trie
        self.pos = pos

    @classmethod
    def of(cls, texts: list[str]) -> Choices:
        return cls(_ChoiceTrie(texts))

    def advance(self, char: str) -> Parser | None:
        trie = self._trie
        nxt = trie.children[self.pos].get(char)
        if nxt is None:
            return None
        state = trie.states[nxt]
        if state is None:
            state = trie.states[nxt] = Choices(trie, nxt)
        return state

    def allowed(self) -> CharSet:
        return self._trie.allowed[self.pos]

    def can_end(self) -> bool:
        return self._trie.final[self.pos]

    def key(self) -> Hashable:
        return (self._trie.gid, self.pos)

    def shortest(self, limit: int = 20000) -> str | None:
        return self._trie.shortest[self.pos]


class _ChoiceTrie:
    __slots__ = ("allowed", "children", "final", "gid", "shortest", "states")

    def __init__(self, texts: list[str]) -> None:
        uniq = sorted(set(texts))
        self.children: list[dict[str, int]] = [{}]
        self.final = [False]
        for text in uniq:
            node = 0
            for ch in text:
                nxt = self.children[node].get(ch)
                if nxt is None:
                    nxt = len(self.children)
                    self.children[node][ch] = nxt
                    self.children.append({})
                    self.final.append(False)
                node = nxt
            self.final[node] = True
        self.allowed = [CharSet.of(c) for c in self.children]
        self.gid = grammar_id(("choices", tuple(uniq)))
        # states made when first reached: an enum of 1,000 names has ~10k trie nodes,
        # and each state object is one more for every full garbage collection to visit
        self.states: list[Choices | None] = [None] * len(self.children)
        short: list[str | None] = [None] * len(self.children)
        for i in range(len(self.children) - 1, -1, -1):  # children have larger indices
            if self.final[i]:
                short[i] = ""
                continue
            best: str | None = None
            for ch, n in self.children[i].items():
                tail = short[n]
                if tail is not None and (best is None or len(tail) + 1 < len(best)):
                    best = ch + tail
            short[i] = best
        self.shortest = short


def json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "unknown"


def literal_node(text: str) -> Node:
    return ParserNode(grammar_id(("jsonschema-literal", text)), Literal(text))


def number_text_pattern(value: int | float) -> str | None:
    """Every JSON number text whose value equals ``value`` (exponent-free forms)."""
    return number_pattern(value, value)


def scalar_enum_parts(values: list[Any], gid: int) -> list[Node]:
    """Nodes for the scalar values of an enum, one per JSON kind (disjoint first chars)."""
    parts: list[Node] = []
    kinds: dict[str, list[Any]] = {}
    for v in values:
        kinds.setdefault(json_kind(v), []).append(v)
    if "null" in kinds:
        parts.append(literal_node("null"))
    if "boolean" in kinds:
        texts = sorted({json.dumps(v) for v in kinds["boolean"]})
        parts.append(ParserNode(grammar_id((gid, "bool", tuple(texts))), Choices.of(texts)))
    numbers = kinds.get("integer", []) + kinds.get("number", [])
    if numbers:
        pats = []
        for v in numbers:
            p = number_text_pattern(v)
            if p is not None:
                pats.append(f"(?:{p})")
        if pats:
            pattern = "|".join(sorted(set(pats)))
            parts.append(ParserNode(grammar_id((gid, "numbers", pattern)), Regex(pattern)))
    if "string" in kinds:
        strings = sorted(set(kinds["string"]))
        parts.append(ParserNode(grammar_id((gid, "strings", tuple(strings))),
                                JsonString(Choices.of(strings))))
    return parts


def group_parts(parts: list[Node], gid: int) -> Node:
    """A typed node from parts; parts sharing a first character are put in a union."""
    buckets: list[list[Node]] = []
    for p in parts:
        f = p.first()
        for b in buckets:
            if any(q.first() & f for q in b):
                b.append(p)
                break
        else:
            buckets.append([p])
    merged: list[Node] = []
    for i, b in enumerate(buckets):
        merged.append(b[0] if len(b) == 1 else UnionNode(grammar_id((gid, "bucket", i)), b))
    return TypedNode(gid, merged)


def const_value_nodes(values: list[Any]) -> tuple[list[Any], list[Any]]:
    """Split enum values into (scalars, containers)."""
    scalars = [v for v in values if not isinstance(v, (list, dict))]
    containers = [v for v in values if isinstance(v, (list, dict))]
    return scalars, containers

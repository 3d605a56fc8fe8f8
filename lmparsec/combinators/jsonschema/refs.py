"""Finding schemas by URI: ``$id``, ``$anchor``, ``$dynamicAnchor``, JSON pointers.

A :class:`Registry` indexes every schema resource in the root document and in
the user's ``resources`` (URI -> document; nothing is ever downloaded). A
location is ``(schema, base_uri)``: the base URI is what relative ``$ref``
values in that schema resolve against.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

from ...errors import SchemaError

__all__ = ["Registry", "draft_of", "join_uri", "SUBSCHEMA_MAPS", "SUBSCHEMA_LISTS", "SUBSCHEMA_ONE"]

DRAFTS = {
    "json-schema.org/draft-03/schema": 3,
    "json-schema.org/draft-04/schema": 4,
    "json-schema.org/draft-06/schema": 6,
    "json-schema.org/draft-07/schema": 7,
    "json-schema.org/draft/2019-09/schema": 2019,
    "json-schema.org/draft/2020-12/schema": 2020,
}

# keywords whose value is a map of subschemas / a list of subschemas / one subschema
SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas",
                  "dependencies")
SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems", "items")
SUBSCHEMA_ONE = ("additionalProperties", "additionalItems", "items", "contains", "propertyNames",
                 "not", "if", "then", "else", "unevaluatedProperties", "unevaluatedItems",
                 "contentSchema")


def draft_of(schema: Any, default: int = 2020) -> int:
    """The draft a ``$schema`` URI names (2020 when absent or unknown)."""
    if isinstance(schema, dict):
        uri = schema.get("$schema")
        if isinstance(uri, str):
            bare = uri.split("://", 1)[-1].rstrip("#")
            for prefix, draft in DRAFTS.items():
                if bare == prefix:
                    return draft
    return default


def join_uri(base: str, ref: str) -> str:
    """``ref`` resolved against ``base``; works for ``urn:`` and ``tag:`` bases too."""
    if not ref:
        return base
    if ref.startswith("#"):
        return urldefrag(base)[0] + ref
    if ":" in ref.split("/", 1)[0]:
        return ref
    if not base:
        return ref
    head = base.split(":", 1)[0]
    if head in ("urn", "tag"):
        return ref
    return urljoin(base, ref)


def _id_keyword(draft: int) -> str:
    return "id" if draft <= 4 else "$id"


def subschemas(schema: dict[str, Any], draft: int) -> Iterator[tuple[str, Any]]:
    """(pointer segment path, subschema) for every direct subschema of ``schema``."""
    for kw in SUBSCHEMA_MAPS:
        value = schema.get(kw)
        if isinstance(value, dict):
            for name, sub in value.items():
                if isinstance(sub, (dict, bool)):
                    yield f"{kw}/{_escape(name)}", sub
    for kw in SUBSCHEMA_LISTS:
        value = schema.get(kw)
        if isinstance(value, list):
            for i, sub in enumerate(value):
                if isinstance(sub, (dict, bool)):
                    yield f"{kw}/{i}", sub
    for kw in SUBSCHEMA_ONE:
        value = schema.get(kw)
        if isinstance(value, (dict, bool)):
            yield kw, value


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


class Registry:
    """Every resource and anchor of a set of documents, by absolute URI."""

    def __init__(self, root: Any, resources: Mapping[str, Any] | None, draft: int) -> None:
        self.draft = draft
        self.resources: dict[str, tuple[Any, int]] = {}  # uri -> (schema, draft)
        self.anchors: dict[str, tuple[Any, str]] = {}  # uri#name -> (schema, base)
        self.dynamic_anchors: dict[str, Any] = {}  # uri#name -> schema (2020-12 $dynamicAnchor)
        self.recursive_anchors: set[str] = set()  # resource uris with $recursiveAnchor: true
        self.uses_dynamic = False
        self.root_uri = ""
        for uri, doc in (resources or {}).items():
            self._index(doc, urldefrag(uri)[0], draft_of(doc, draft))
        if isinstance(root, dict):
            own = root.get(_id_keyword(draft))
            if isinstance(own, str) and not own.startswith("#"):
                self.root_uri = urldefrag(join_uri("", own))[0]
        self._index(root, "", draft)

    def _index(self, schema: Any, base: str, draft: int) -> None:
        self.resources.setdefault(base, (schema, draft))
        stack: list[tuple[Any, str, int]] = [(schema, base, draft)]
        while stack:
            node, base, draft = stack.pop()
            if not isinstance(node, dict):
                continue
            if "$schema" in node and isinstance(node["$schema"], str):
                draft = draft_of(node, draft)
            has_ref = False  # draft <= 7 ignores $id beside $ref; real schemas rely on it
            own = node.get(_id_keyword(draft))
            if isinstance(own, str) and not has_ref:
                if own.startswith("#") and draft <= 7:
                    self.anchors.setdefault(join_uri(base, own), (node, base))
                else:
                    uri, frag = urldefrag(join_uri(base, own))
                    base = uri
                    self.resources.setdefault(uri, (node, draft))
                    if frag and draft <= 7:
                        self.anchors.setdefault(f"{uri}#{frag}", (node, base))
            anchor = node.get("$anchor")
            if isinstance(anchor, str):
                self.anchors.setdefault(f"{base}#{anchor}", (node, base))
            dyn = node.get("$dynamicAnchor")
            if isinstance(dyn, str):
                self.anchors.setdefault(f"{base}#{dyn}", (node, base))
                self.dynamic_anchors.setdefault(f"{base}#{dyn}", node)
            if node.get("$recursiveAnchor") is True:
                self.recursive_anchors.add(base)
            if "$dynamicRef" in node or "$recursiveRef" in node:
                self.uses_dynamic = True
            for _, sub in subschemas(node, draft):
                stack.append((sub, base, draft))

    def base_of_root(self) -> str:
        return self.root_uri

    def resolve(self, base: str, ref: str, pointer: str) -> tuple[Any, str, int]:
        """The schema ``ref`` names from ``base``: ``(schema, its base URI, its draft)``."""
        target = join_uri(base, ref)
        uri, frag = urldefrag(target)
        if "#" in target and not frag:
            frag = ""
        if frag and not frag.startswith("/"):
            hit = self.anchors.get(f"{uri}#{frag}") or self.anchors.get(f"{uri}#{unquote(frag)}")
            if hit is None:
                raise SchemaError(f"unresolvable $ref {ref!r}: no anchor {frag!r} in {uri or 'the root'}",
                                  pointer=pointer)
            schema, sbase = hit
            return schema, sbase, self.resources.get(sbase, (None, self.draft))[1]
        entry = self.resources.get(uri)
        if entry is None:
            raise SchemaError(f"unresolvable $ref {ref!r} ({uri!r} is not a known resource; "
                              "pass it in resources=)", pointer=pointer)
        schema, draft = entry
        sbase = uri
        if frag:
            for raw in frag.split("/")[1:]:
                seg = unquote(raw).replace("~1", "/").replace("~0", "~")
                if isinstance(schema, dict) and seg in schema:
                    schema = schema[seg]
                elif isinstance(schema, list) and seg.isdigit() and int(seg) < len(schema):
                    schema = schema[int(seg)]
                else:
                    raise SchemaError(f"unresolvable $ref {ref!r}: no {seg!r} along the pointer",
                                      pointer=pointer)
                if isinstance(schema, dict):
                    own = schema.get(_id_keyword(draft))
                    if isinstance(own, str) and not own.startswith("#"):
                        sbase = urldefrag(join_uri(sbase, own))[0]
        return schema, sbase, draft

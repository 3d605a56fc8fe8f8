"""Turning a schema into words a model reads.

Masking guarantees the *shape* of the output; the model still has to know what
each field means. Descriptions such as "name in uppercase" only reach it
through the prompt, so :func:`schema_example` writes an example object whose
values are the field descriptions (llama.cpp's JSON-mode trick), in the key
order the output will use.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from .errors import SchemaError

__all__ = ["describe_schema", "schema_example", "schema_dict"]


def schema_dict(schema: Any) -> dict[str, Any] | bool:
    """A JSON Schema as a dict from a dict, a JSON string, or a Pydantic model/type."""
    if isinstance(schema, (dict, bool)):
        return schema
    if isinstance(schema, str):
        try:
            loaded = json.loads(schema)
        except json.JSONDecodeError as exc:
            raise SchemaError(f"schema string is not JSON: {exc}") from exc
        if not isinstance(loaded, (dict, bool)):
            raise SchemaError(f"a schema must be an object or a boolean, got {type(loaded).__name__}")
        return loaded
    try:
        from pydantic import BaseModel, TypeAdapter
    except ImportError:  # pragma: no cover - pydantic is optional
        BaseModel = None  # type: ignore[assignment,misc]  # noqa: N806
        TypeAdapter = None  # type: ignore[assignment,misc]  # noqa: N806
    if BaseModel is not None and isinstance(schema, type) and issubclass(schema, BaseModel):
        return schema.model_json_schema()
    if TypeAdapter is not None:
        try:
            return TypeAdapter(schema).json_schema()
        except Exception as exc:  # pydantic raises several types for non-types
            raise SchemaError(f"cannot make a JSON Schema from {schema!r}: {exc}") from exc
    raise SchemaError(f"expected a schema dict, JSON string or Pydantic model, got {type(schema).__name__}")


def _resolve(root: Mapping[str, Any], ref: str) -> Any:
    if not ref.startswith("#"):
        return {}
    node: Any = root
    for part in ref[1:].split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return {}
    return node


def schema_example(schema: Any, *, prop_order: Sequence[str] | None = None) -> Any:
    """An example value of ``schema`` whose leaves describe themselves.

    A property with a ``description`` shows it (``"<name in uppercase>"``),
    else its type (``"<integer>"``) or its choices (``"<one of: a | b>"``).
    Objects list properties in schema order, or ``prop_order`` first (at every
    depth, matching the output of ``JsonSchema(key_order=prop_order)``).
    """
    root = schema_dict(schema)
    if isinstance(root, bool):
        return "<any JSON value>" if root else None
    return _example(root, root, prop_order, frozenset())


def _label(node: Mapping[str, Any]) -> str:
    if "description" in node:
        return f"<{node['description']}>"
    if "enum" in node:
        return "<one of: " + " | ".join(json.dumps(v) for v in node["enum"]) + ">"
    if "const" in node:
        return f"<exactly {json.dumps(node['const'])}>"
    t = node.get("type")
    if isinstance(t, list):
        t = " or ".join(str(x) for x in t)
    fmt = node.get("format")
    if t and fmt:
        return f"<{t}, {fmt}>"
    return f"<{t or 'value'}>"


def _example(node: Any, root: Mapping[str, Any], order: Sequence[str] | None, seen: frozenset[str]) -> Any:
    if not isinstance(node, Mapping):
        return "<any JSON value>"
    ref = node.get("$ref")
    if isinstance(ref, str):
        if ref in seen:
            return "<recursive " + ref.rsplit("/", 1)[-1] + ">"
        target = _resolve(root, ref)
        merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return _example(merged, root, order, seen | {ref})
    for combo in ("anyOf", "oneOf"):
        options = node.get(combo)
        if isinstance(options, list) and options:
            non_null = [o for o in options if not (isinstance(o, Mapping) and o.get("type") == "null")]
            pick = non_null[0] if non_null else options[0]
            value = _example(pick, root, order, seen)
            if "description" in node and not isinstance(value, (dict, list)):
                return _label(node)
            return value
    all_of = node.get("allOf")
    if isinstance(all_of, list) and len(all_of) == 1:
        return _example({**all_of[0], **{k: v for k, v in node.items() if k != "allOf"}}, root, order, seen)
    props = node.get("properties")
    if isinstance(props, Mapping) and props:
        names = list(props)
        if order:
            names = [n for n in order if n in props] + [n for n in names if n not in order]
        # ``prop_order`` applies at every depth, as ``JsonSchema(key_order=[...])`` does
        return {name: _example(props[name], root, order, seen) for name in names}
    items = node.get("items")
    if node.get("type") == "array" or isinstance(items, Mapping):
        if isinstance(items, Mapping) and items:
            item = _example(items, root, order, seen)
            if "description" in node and not isinstance(item, (dict, list)):
                return [_label(node)]  # "<tags, one per item>" says more than "<string>"
            return [item]
        return [_label(node)]
    return _label(node)


def describe_schema(schema: Any, *, prop_order: Sequence[str] | None = None) -> str:
    """A system-prompt paragraph asking for JSON shaped like :func:`schema_example`."""
    example = schema_example(schema, prop_order=prop_order)
    kind = "JSON"
    if isinstance(example, (dict, list)):
        kind = "a JSON object" if isinstance(example, dict) else "a JSON array"
    return (
        f"Answer with {kind} of this form, replacing each <...> with the value it describes:\n"
        + json.dumps(example, indent=2, ensure_ascii=False)
    )

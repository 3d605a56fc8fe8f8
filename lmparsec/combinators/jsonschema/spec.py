"""Flattening a schema and its ``$ref``/``allOf`` conjuncts into one :class:`Spec`.

A Spec is the conjunction of many schema objects, merged keyword by keyword
where the merge is exact (``properties`` united, bounds tightened, ``required``
united...). Subschemas stay *locations* (:class:`Loc`: schema, base URI,
draft) because a ``$ref`` inside them resolves against their own base.
Conjuncts that cannot be merged exactly are kept whole in ``Spec.extra`` and
intersected at run time. Combinators (``anyOf``, ``oneOf``, ``not``, ``if``)
are collected for the compiler.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ...errors import SchemaError

__all__ = ["Loc", "Spec", "json_equal", "schema_text", "grammar_part", "ANNOTATIONS"]

ANNOTATIONS = frozenset({
    "$schema", "$id", "id", "$anchor", "$dynamicAnchor", "$recursiveAnchor", "$comment",
    "$defs", "definitions", "$vocabulary", "title", "description", "default", "examples",
    "deprecated", "readOnly", "writeOnly", "contentMediaType", "contentEncoding", "contentSchema",
    "discriminator", "nullable", "example", "markdownDescription", "$ref",
})


#: keywords whose values are subschemas (one, a list, or a name -> subschema map)
_ONE_SCHEMA = frozenset({"additionalItems", "additionalProperties", "contains", "propertyNames", "not",
                         "if", "then", "else", "unevaluatedProperties", "unevaluatedItems", "items"})
_SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems", "items"})
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "dependentSchemas", "dependencies"})
#: annotations left out of a schema's grammar text ($schema picks the draft; $ref is kept
#: whole by the caller, which never asks for a schema that refers to anything)
_NOT_GRAMMAR = ANNOTATIONS - {"$schema", "$ref"}


def grammar_part(schema: Any, memo: dict[int, Any]) -> Any:
    """``schema`` without its annotations (title, description, examples...) at every
    schema position, so that two members that differ only in their descriptions --
    most of a real-world schema's text -- have one grammar text. Only keyword values
    known to be subschemas are entered: a ``const`` or ``enum`` value is data and is
    kept whole. ``memo`` is keyed by ``id()`` of parts of a live schema."""
    if not isinstance(schema, dict):
        return schema
    got = memo.get(id(schema))
    if got is None:
        got = {}
        for k, v in schema.items():
            if k in _NOT_GRAMMAR:
                continue
            if k in _ONE_SCHEMA and isinstance(v, dict):
                v = grammar_part(v, memo)
            elif k in _SCHEMA_LISTS and isinstance(v, list):
                v = [grammar_part(x, memo) for x in v]
            elif k in _SCHEMA_MAPS and isinstance(v, dict):
                v = {name: grammar_part(x, memo) for name, x in v.items()}
            got[k] = v
        memo[id(schema)] = got
    return got


@dataclass(frozen=True)
class Loc:
    """Where a schema lives: its base URI for ``$ref``, its draft, its JSON pointer and the
    dynamic scope (resource URIs entered, outermost first) for ``$dynamicRef``."""

    schema: Any
    base: str
    draft: int
    pointer: str
    scope: tuple[str, ...] = ()
    entered: bool = False  # base already accounts for the schema's own $id

    def child(self, schema: Any, segment: str) -> Loc:
        return Loc(schema, self.base, self.draft, f"{self.pointer}/{segment}", self.scope)


def schema_text(value: Any) -> str:
    """A schema's compact JSON text, for grammar ids. Key order is kept: under
    ``key_order="schema"`` the order of ``properties`` (and of a ``const``
    object's keys) is part of the grammar, so schemas equal up to key order
    must not share an id."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _norm(value: Any) -> Any:
    """A hashable, JSON-equality-respecting form (1 == 1.0, true != 1, key order free)."""
    if isinstance(value, bool) or value is None:
        return ("b", value)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and value.is_integer():
            return ("n", int(value))
        return ("n", value)
    if isinstance(value, str):
        return ("s", value)
    if isinstance(value, list):
        return ("a", tuple(_norm(v) for v in value))
    if isinstance(value, dict):
        return ("o", frozenset((k, _norm(v)) for k, v in value.items()))
    return ("?", repr(value))


def json_equal(a: Any, b: Any) -> bool:
    return bool(_norm(a) == _norm(b))


def norm_key(value: Any) -> Any:
    return _norm(value)


TYPES = ("null", "boolean", "object", "array", "number", "string")


@dataclass
class Spec:
    """The merged conjunction of schema objects (see the module docstring)."""

    never: bool = False
    types: set[str] | None = None  # "integer" stands for the integer part of number
    enum: list[Any] | None = None
    # strings
    min_length: int = 0
    max_length: int | None = None
    patterns: list[tuple[str, str]] = field(default_factory=list)  # (pattern, pointer)
    formats: list[tuple[str, str]] = field(default_factory=list)
    # numbers
    lower: list[tuple[Any, bool]] = field(default_factory=list)  # (bound, exclusive)
    upper: list[tuple[Any, bool]] = field(default_factory=list)
    multiple_of: list[Any] = field(default_factory=list)
    # objects
    props: dict[str, list[Loc]] = field(default_factory=dict)
    pattern_props: list[tuple[str, Loc]] = field(default_factory=list)
    additional: list[Loc] | None = None
    property_names: list[Loc] = field(default_factory=list)
    required: list[str] = field(default_factory=list)
    min_props: int = 0
    max_props: int | None = None
    dep_required: dict[str, list[str]] = field(default_factory=dict)
    dep_schemas: list[tuple[str, Loc]] = field(default_factory=list)
    unevaluated_props: Loc | None = None
    free_order: bool = False  # keys in any order, whatever the options (see Compiler._distribute)
    # anyOf groups of branches that only require names: per group, each branch's names
    # (folded into the object by the compiler, see Compiler.compile_spec)
    any_required: list[list[list[str]]] = field(default_factory=list)
    # arrays
    prefix: list[list[Loc]] | None = None
    items: list[Loc] | None = None
    contains: Loc | None = None
    min_contains: int = 1
    max_contains: int | None = None
    min_items: int = 0
    max_items: int | None = None
    unique: bool = False
    unevaluated_items: Loc | None = None
    # combinators left for the compiler
    any_of: list[list[Loc]] = field(default_factory=list)
    one_of: list[list[Loc]] = field(default_factory=list)
    nots: list[Loc] = field(default_factory=list)
    conditionals: list[tuple[Loc, Loc | None, Loc | None]] = field(default_factory=list)
    extra: list[Loc] = field(default_factory=list)  # conjuncts compiled on their own
    dynamic: list[Loc] = field(default_factory=list)  # $dynamicRef / $recursiveRef conjuncts

    def has_object_words(self) -> bool:
        return bool(self.props or self.pattern_props or self.additional is not None
                    or self.unevaluated_props is not None)


def _number(value: Any, keyword: str, loc: Loc) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SchemaError(f"{keyword} must be a number, got {value!r}", pointer=f"{loc.pointer}/{keyword}")
    return value


def _count(value: Any, keyword: str, loc: Loc) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SchemaError(f"{keyword} must be a non-negative integer, got {value!r}",
                          pointer=f"{loc.pointer}/{keyword}")
    return value


def _search(pattern: str, name: str) -> bool:
    """Whether an ECMA pattern matches a property name."""
    from .patterns import pattern_matches

    return pattern_matches(pattern, name)


class NotMergeableError(Exception):
    pass


def absorb(spec: Spec, loc: Loc) -> None:
    """Merge the object schema at ``loc`` (no ``$ref``, no ``allOf``: the caller
    expands those) into ``spec``. Raises NotMergeableError before changing anything
    when the merge would not be exact."""
    s = loc.schema
    _check_object_merge(spec, s, loc)
    if "contains" in s and spec.contains is not None:
        raise NotMergeableError
    if "multipleOf" in s and spec.multiple_of and not json_equal(s["multipleOf"], spec.multiple_of[0]):
        raise NotMergeableError
    if "format" in s and spec.formats and spec.formats[0][0] != s["format"]:
        raise NotMergeableError
    draft = loc.draft
    ptr = loc.pointer
    # -- type ---------------------------------------------------------------
    if "type" in s:
        t = s["type"]
        names = [t] if isinstance(t, str) else t
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise SchemaError(f"type must be a string or a list of strings, got {t!r}", pointer=f"{ptr}/type")
        wanted: set[str] = set()
        for n in names:
            if n not in (*TYPES, "integer"):
                raise SchemaError(f"unknown type {n!r}", pointer=f"{ptr}/type")
            wanted.add(n)
        if "number" in wanted:
            wanted.discard("integer")
        spec.types = wanted if spec.types is None else _meet_types(spec.types, wanted)
    # -- enum / const ---------------------------------------------------------
    values: list[Any] | None = None
    if "enum" in s:
        if not isinstance(s["enum"], list):
            raise SchemaError("enum must be an array", pointer=f"{ptr}/enum")
        values = list(s["enum"])
    if "const" in s and draft >= 6:
        values = [s["const"]] if values is None else [v for v in values if json_equal(v, s["const"])]
    if values is not None:
        if spec.enum is None:
            spec.enum = values
        else:
            spec.enum = [v for v in spec.enum if any(json_equal(v, w) for w in values)]
    # -- strings --------------------------------------------------------------
    if "minLength" in s:
        spec.min_length = max(spec.min_length, _count(s["minLength"], "minLength", loc))
    if "maxLength" in s:
        m = _count(s["maxLength"], "maxLength", loc)
        spec.max_length = m if spec.max_length is None else min(spec.max_length, m)
    if "pattern" in s:
        if not isinstance(s["pattern"], str):
            raise SchemaError("pattern must be a string", pointer=f"{ptr}/pattern")
        spec.patterns.append((s["pattern"], f"{ptr}/pattern"))
    if "format" in s and isinstance(s["format"], str) and not spec.formats:
        spec.formats.append((s["format"], f"{ptr}/format"))
    # -- numbers ----------------------------------------------------------------
    for kw, bounds, excl_kw in (("minimum", spec.lower, "exclusiveMinimum"),
                                ("maximum", spec.upper, "exclusiveMaximum")):
        if kw in s:
            excl = s.get(excl_kw)
            bounds.append((_number(s[kw], kw, loc), excl is True))
        if excl_kw in s and not isinstance(s[excl_kw], bool):
            bounds.append((_number(s[excl_kw], excl_kw, loc), True))
    if "multipleOf" in s:
        m = _number(s["multipleOf"], "multipleOf", loc)
        if m <= 0:
            raise SchemaError("multipleOf must be > 0", pointer=f"{ptr}/multipleOf")
        if not spec.multiple_of:
            spec.multiple_of.append(m)
    # -- objects ------------------------------------------------------------------
    props = s.get("properties")
    if props is not None and not isinstance(props, dict):
        raise SchemaError("properties must be an object", pointer=f"{ptr}/properties")
    patterns = s.get("patternProperties")
    if patterns is not None and not isinstance(patterns, dict):
        raise SchemaError("patternProperties must be an object", pointer=f"{ptr}/patternProperties")
    addl = s.get("additionalProperties")
    own_props = dict(props or {})
    own_patterns = dict(patterns or {})
    # keys the other side declares but this schema does not: this schema's
    # patternProperties or additionalProperties apply to them
    for name in list(spec.props):
        if name in own_props:
            continue
        extra_locs = [loc.child(sub, f"patternProperties/{p}") for p, sub in own_patterns.items()
                      if _search(p, name)]
        if not extra_locs and addl is not None:
            extra_locs = [loc.child(addl, "additionalProperties")]
        spec.props[name].extend(extra_locs)
    for name, sub in own_props.items():
        sub_loc = loc.child(sub, f"properties/{_esc(name)}")
        if name not in spec.props:
            inherited = [lc for p, lc in spec.pattern_props if _search(p, name)]
            if not inherited and spec.additional is not None:
                inherited = list(spec.additional)
            spec.props[name] = [*inherited, sub_loc]
        else:
            spec.props[name].append(sub_loc)
    for p, sub in own_patterns.items():
        spec.pattern_props.append((p, loc.child(sub, f"patternProperties/{_esc(p)}")))
    if addl is not None:
        if not isinstance(addl, (dict, bool)):
            raise SchemaError("additionalProperties must be a schema", pointer=f"{ptr}/additionalProperties")
        spec.additional = [*(spec.additional or []), loc.child(addl, "additionalProperties")]
    if "unevaluatedProperties" in s:
        spec.unevaluated_props = loc.child(s["unevaluatedProperties"], "unevaluatedProperties")
    if "propertyNames" in s and draft >= 6:
        spec.property_names.append(loc.child(s["propertyNames"], "propertyNames"))
    if "required" in s:
        req = s["required"]
        if isinstance(req, bool) and draft <= 3:
            req = []
        if not isinstance(req, list) or not all(isinstance(r, str) for r in req):
            raise SchemaError("required must be an array of strings", pointer=f"{ptr}/required")
        for r in req:
            if r not in spec.required:
                spec.required.append(r)
    if "minProperties" in s:
        spec.min_props = max(spec.min_props, _count(s["minProperties"], "minProperties", loc))
    if "maxProperties" in s:
        m = _count(s["maxProperties"], "maxProperties", loc)
        spec.max_props = m if spec.max_props is None else min(spec.max_props, m)
    deps: dict[str, Any] = {}
    if "dependencies" in s and draft <= 2019 and isinstance(s["dependencies"], dict):
        deps.update(s["dependencies"])
    for kw in ("dependentRequired", "dependentSchemas"):
        if kw in s:
            if not isinstance(s[kw], dict):
                raise SchemaError(f"{kw} must be an object", pointer=f"{ptr}/{kw}")
            deps.update(s[kw])
    for name, dep in deps.items():
        if isinstance(dep, list):
            have = spec.dep_required.setdefault(name, [])
            have.extend(d for d in dep if d not in have)
        elif isinstance(dep, (dict, bool)):
            kw = "dependentSchemas" if "dependentSchemas" in s else "dependencies"
            spec.dep_schemas.append((name, loc.child(dep, f"{kw}/{_esc(name)}")))
        else:
            raise SchemaError("dependency must be an array or a schema", pointer=f"{ptr}/dependencies")
    # -- arrays ---------------------------------------------------------------------
    items = s.get("items")
    prefix_raw: list[Any] | None = None
    rest: Any = None
    rest_kw = ""
    if isinstance(items, list):
        prefix_raw, prefix_kw = items, "items"
        if "additionalItems" in s:
            rest, rest_kw = s["additionalItems"], "additionalItems"
    else:
        if "prefixItems" in s and draft >= 2020:
            prefix_raw, prefix_kw = s["prefixItems"], "prefixItems"
            if not isinstance(prefix_raw, list):
                raise SchemaError("prefixItems must be an array", pointer=f"{ptr}/prefixItems")
        if items is not None:
            rest, rest_kw = items, "items"
    if rest is not None and not isinstance(rest, (dict, bool)):
        raise SchemaError(f"{rest_kw} must be a schema", pointer=f"{ptr}/{rest_kw}")
    rest_loc = None if rest is None else loc.child(rest, rest_kw)
    if prefix_raw is not None:
        mine = [[loc.child(sub, f"{prefix_kw}/{i}")] for i, sub in enumerate(prefix_raw)]
        old = spec.prefix or []
        n = max(len(old), len(mine))
        merged: list[list[Loc]] = []
        for i in range(n):
            a = old[i] if i < len(old) else list(spec.items or [])
            b = mine[i] if i < len(mine) else ([rest_loc] if rest_loc else [])
            merged.append([*a, *b])
        spec.prefix = merged
    elif rest_loc is not None and spec.prefix:
        spec.prefix = [[*p, rest_loc] for p in spec.prefix]
    if rest_loc is not None:
        spec.items = [*(spec.items or []), rest_loc]
    if "unevaluatedItems" in s:
        spec.unevaluated_items = loc.child(s["unevaluatedItems"], "unevaluatedItems")
    if "contains" in s and draft >= 6:
        spec.contains = loc.child(s["contains"], "contains")
        if draft >= 2019:
            if "minContains" in s:
                spec.min_contains = _count(s["minContains"], "minContains", loc)
            if "maxContains" in s:
                spec.max_contains = _count(s["maxContains"], "maxContains", loc)
    if "minItems" in s:
        spec.min_items = max(spec.min_items, _count(s["minItems"], "minItems", loc))
    if "maxItems" in s:
        m = _count(s["maxItems"], "maxItems", loc)
        spec.max_items = m if spec.max_items is None else min(spec.max_items, m)
    if s.get("uniqueItems") is True:
        spec.unique = True
    # -- combinators ------------------------------------------------------------------
    for kw, target in (("anyOf", spec.any_of), ("oneOf", spec.one_of)):
        if kw in s:
            branches = s[kw]
            if not isinstance(branches, list) or not branches:
                raise SchemaError(f"{kw} must be a non-empty array", pointer=f"{ptr}/{kw}")
            target.append([loc.child(b, f"{kw}/{i}") for i, b in enumerate(branches)])
    if "not" in s:
        spec.nots.append(loc.child(s["not"], "not"))
    if "if" in s and draft >= 7:
        then = loc.child(s["then"], "then") if "then" in s else None
        other = loc.child(s["else"], "else") if "else" in s else None
        spec.conditionals.append((loc.child(s["if"], "if"), then, other))


def _esc(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _meet_types(a: set[str], b: set[str]) -> set[str]:
    out = a & b
    if ("integer" in a and "number" in b) or ("number" in a and "integer" in b):
        out.add("integer")
    if "integer" in out and "number" in out:
        out.discard("integer")
    return out


def _check_object_merge(spec: Spec, s: dict[str, Any], loc: Loc) -> None:
    own_patterns = s.get("patternProperties")
    own_addl = "additionalProperties" in s
    if (own_patterns and spec.pattern_props) or (own_patterns and spec.additional is not None) \
            or (own_addl and spec.pattern_props):
        raise NotMergeableError
    # this schema's new keys inherit the other side's patterns or additionalProperties (fine);
    # the other side's keys inherit ours (fine). Pattern keys of one side meeting the
    # other side's additionalProperties is the case refused above.

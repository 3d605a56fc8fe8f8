"""``JsonSchema(schema, **options)``: a JSON Schema compiled to a parser.

Dispatch only: locations are resolved (:mod:`.refs`), flattened into specs
(:mod:`.spec`), and specs turned into nodes: scalars here, objects in
:mod:`.objects`, arrays in :mod:`.arrays`, enums in :mod:`.values`, boolean
combinations in :mod:`.nodes`. See :func:`JsonSchema` for the options.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ...errors import GrammarError, RegexError, SchemaError, UnsupportedSchemaError
from ..base import Parser, grammar_id
from ..logic import Intersect
from ..regex import Regex, RegexState, regex_from_fsm
from ..text import FreeText
from .arrays import ArrayNode
from .ecma import Lang, search_pattern
from .float_multiple import float_quotient
from .formats import format_parser, format_pattern
from .multiples import multiple_parser
from .nodes import (
    ANY_GIDS,
    ForwardNode,
    IfNode,
    IntersectNode,
    NeverNode,
    Node,
    NotNode,
    OneOfNode,
    ParserNode,
    TypedNode,
    UnionNode,
    finish,
)
from .numbers import MAX_MODULUS, integer_fsm, integer_pattern, number_fsm, number_pattern, remainder_modulus
from .objects import ObjectNode
from .patterns import counted_parser, pattern_parser
from .refs import Registry, draft_of, join_uri
from .spec import (
    ANNOTATIONS,
    Loc,
    NotMergeableError,
    Spec,
    _search,
    absorb,
    grammar_part,
    json_equal,
    norm_key,
    schema_text,
)
from .strings import JsonString
from .values import Choices, group_parts, json_kind, literal_node, scalar_enum_parts
from .whitespace import WhitespacePolicy, make_policy

__all__ = ["JsonSchema", "Compiler"]

KEY_ORDERS = ("schema", "any")
#: Keywords whose meaning the compiler knows (everything else is ignored as unknown).
ASSERTIONS = frozenset({
    "type", "enum", "const", "minLength", "maxLength", "pattern", "format", "minimum", "maximum",
    "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "properties", "patternProperties",
    "additionalProperties", "propertyNames", "required", "minProperties", "maxProperties",
    "dependencies", "dependentRequired", "dependentSchemas", "items", "prefixItems",
    "additionalItems", "contains", "minContains", "maxContains", "minItems", "maxItems",
    "uniqueItems", "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "$ref", "$dynamicRef",
    "$recursiveRef", "unevaluatedProperties", "unevaluatedItems",
})
_REF_KEYS = frozenset({"$ref", "$dynamicRef", "$recursiveRef"})
_ALL_TYPES = {"null", "boolean", "number", "string", "object", "array"}


@dataclasses.dataclass(frozen=True)
class Options:
    key_order: tuple[str, ...] | str
    strict: bool
    ws: WhitespacePolicy
    unsupported: str
    #: numbers written without an exponent (see :meth:`Compiler.plain`)
    plain_numbers: bool = False

    def describe(self) -> tuple[Any, ...]:
        return (self.key_order, self.strict, self.ws.indent, self.unsupported, self.plain_numbers)


def _exact(value: Any) -> Fraction:
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    return Fraction(value)


class EnumNode(Node):
    """``enum``/``const``: the listed values that the rest of the schema accepts.

    The values are checked against the rest of the schema lazily (on first
    use), which keeps recursive schemas compilable.
    """

    __slots__ = ("_node", "compiler", "rest", "types", "values")

    def __init__(self, gid: int, values: list[Any], rest: Node | None, types: set[str] | None,
                 compiler: Compiler) -> None:
        super().__init__(gid)
        self.values = values
        self.rest = rest
        self.types = types
        self.compiler = compiler
        self._node: Node | None = None

    def built(self) -> Node:
        if self._node is None:
            kept = []
            for v in self.values:
                kind = json_kind(v)
                if kind == "unknown":
                    continue
                if self.types is not None:
                    ok = kind in self.types or (kind == "integer" and "number" in self.types) or (
                        kind == "number" and "number" in self.types)
                    if not ok:
                        continue
                if self.rest is not None:
                    text = json.dumps(v, separators=(",", ":"))
                    if not self.rest.start(0).accepts(text):
                        continue
                kept.append(v)
            self._node = self.compiler.const_node(kept, self.gid)
        return self._node

    def children(self) -> tuple[Node, ...]:
        return (self.built(),)

    def start(self, depth: int) -> Parser:
        return self.built().start(depth)

    def first(self) -> Any:
        return self.built().first()

    def _compute_shortest(self) -> str | None:
        return self.built().shortest()


def _plain_array(spec: Spec) -> bool:
    """Whether ``spec`` constrains arrays not at all."""
    return (spec.prefix is None and spec.items is None and spec.contains is None and spec.min_items == 0
            and spec.max_items is None and not spec.unique and spec.unevaluated_items is None)


class Compiler:
    """Compiles one root schema (plus offline resources) with fixed options."""

    def __init__(self, root: Any, options: Options, resources: Mapping[str, Any] | None) -> None:
        self.options = options
        self._source = (root, resources)
        self._exact: Compiler | None = None
        self._plain: Compiler | None = None
        self.draft = draft_of(root)
        self.registry = Registry(root, resources, self.draft)
        res_canon = schema_text(sorted((k, v) for k, v in (resources or {}).items())) if resources else ""
        self.doc_gid = grammar_id(("jsonschema-doc", schema_text(root), res_canon, options.describe()))
        self.cache: dict[tuple[Any, ...], Node] = {}
        self.keep: list[Any] = []  # synthesized schemas, alive while their id() is a cache key
        # by id() of a part of the (live) schema: see _refers and spec.grammar_part
        self._refs: dict[int, bool] = {}
        #: branches whose typed copies are being compiled (see _typed_union)
        self._typing: set[tuple[int, str, object]] = set()
        self._parts: dict[int, Any] = {}
        self.never = NeverNode()
        self.any = self._build_any()
        scope = (self.registry.root_uri,) if self.registry.uses_dynamic else ()
        self.root_loc = Loc(root, self.registry.root_uri, self.draft, "", scope, True)

    # -- entry points ---------------------------------------------------------
    def compile(self) -> Node:
        return self.node(self.root_loc)

    def exact(self) -> Compiler:
        """The compiler of the same document for subschemas whose language is
        *excluded* -- ``not``, an ``if`` where it fails, the other branches of a
        ``oneOf``, the ``contains`` an array may match at most so often.

        ``strict`` and a fixed key order are generation choices: they keep to
        a subset of the valid objects, which is sound wherever a schema's texts
        are taken, and unsound where they are taken away -- ``not`` of a strict
        ``{"properties": {"t": ...}}`` would admit ``{"t": ..., "x": 1}``, which
        the schema itself matches. There, the subschema's whole language is
        used: any key order and spelling, undeclared keys as JSON Schema says."""
        if self.options.key_order == "any" and not self.options.strict:
            return self
        got = self._exact
        if got is None:
            opts = dataclasses.replace(self.options, key_order="any", strict=False)
            root, resources = self._source
            got = self._exact = Compiler(root, opts, resources)
        return got

    def plain(self) -> Compiler:
        """The compiler of the same document whose numbers have no exponent, for
        the places where some languages take texts away from others: ``not``,
        ``if``, the branches of a ``oneOf``, a counted ``contains``.

        Number languages leave out the exponent forms they cannot bound (``1e2``
        is an integer; an automaton cannot tell which ``1.5e1``-like texts are),
        which is sound where their texts are taken and unsound where they are
        taken away: ``{"not": {"type": "integer"}}`` took ``1e2``, and under
        ``{"oneOf": [{"type": "integer"}, {"type": "number"}]}`` it matched only
        the number branch as written, and passed, though it is valid under both.
        Without exponents every number language is exact, so "not", "exactly
        one" and "not if" read them right."""
        if self.options.plain_numbers:
            return self
        got = self._plain
        if got is None:
            opts = dataclasses.replace(self.options, plain_numbers=True)
            root, resources = self._source
            got = self._plain = Compiler(root, opts, resources)
        return got

    def excluded(self, loc: Loc) -> Node:
        """The node of ``loc`` for a place where its texts are excluded (see
        :meth:`exact`): this compiler's own where the options cannot change its
        language (no objects among its values), else the exact compiler's."""
        return self.node(loc) if _no_objects(loc.schema) else self.exact().node(loc)

    def beside(self, loc: Loc) -> Node:
        """The node of ``loc`` read beside an object's own declarations (a
        ``dependencies`` schema, the ``then`` of an ``if`` or the branches of an
        ``anyOf`` that are not distributed): its whole language where it has objects
        among its values. Strictness would close it to its own names and a fixed key
        order impose its own, each refusing the object's other members: under
        ``dependencies: {"type": {"oneOf": [...]}}`` a Reward webhook had no object
        at all. The object around it keeps the generation choices."""
        return self.excluded(loc)

    def node(self, loc: Loc) -> Node:
        s = loc.schema
        if s is True:
            return self.any
        if s is False:
            return self.never
        if not isinstance(s, dict):
            raise SchemaError(f"a schema must be an object or a boolean, got {s!r}", pointer=loc.pointer)
        loc = self._enter(loc)
        ck = (id(s), loc.base, loc.scope)
        hit = self.cache.get(ck)
        if hit is not None:
            return hit
        fwd = ForwardNode(self._gid(loc))
        self.cache[ck] = fwd
        fwd.target = self._compile(loc, fwd.gid)
        return fwd

    def _gid(self, loc: Loc) -> int:
        """The grammar id of the schema at ``loc``. One that refers to nothing means
        the same in any document: its id is its text without annotations (with the
        draft and options), so states of a ``{"type": "string", "description": ...}``
        member, or of a whole object schema met in many tools' schemas, share keys
        and cached masks across documents."""
        s = loc.schema
        if not self.registry.uses_dynamic and not self._refers(s):
            text = schema_text(grammar_part(s, self._parts))
            return grammar_id(("jsonschema-local", loc.draft, text, self.options.describe()))
        return grammar_id(("jsonschema", self.doc_gid, loc.base, loc.scope, schema_text(s)))

    def _refers(self, value: Any) -> bool:
        """Whether a ``$ref`` (or dynamic or recursive one) occurs anywhere in
        ``value`` -- a property named so counts too, which only costs sharing."""
        if not isinstance(value, (dict, list)):
            return False
        got = self._refs.get(id(value))
        if got is None:
            items = value.values() if isinstance(value, dict) else value
            got = (isinstance(value, dict) and not _REF_KEYS.isdisjoint(value)) or any(
                self._refers(v) for v in items)
            self._refs[id(value)] = got
        return got

    def conj(self, locs: list[Loc]) -> Node:
        """The conjunction of several locations as one node (merged when possible)."""
        locs = [lc for lc in locs if lc.schema is not True and lc.schema != {}]
        if not locs:
            return self.any
        if len(locs) == 1:
            return self.node(locs[0])
        if any(lc.schema is False for lc in locs):
            return self.never
        synthetic = {"allOf": [lc.schema for lc in locs]}
        key = ("conj", tuple((id(lc.schema), lc.base, lc.scope) for lc in locs))
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        self.keep.append(synthetic)
        gid = grammar_id(("jsonschema-conj", self.doc_gid,
                          tuple((lc.base, lc.scope, schema_text(lc.schema)) for lc in locs)))
        fwd = ForwardNode(gid)
        self.cache[key] = fwd
        spec = Spec()
        for lc in locs:
            self._flatten_member(spec, lc, set())
        fwd.target = self.compile_spec(spec, locs[0], gid)
        return fwd

    # -- locations ------------------------------------------------------------
    def _enter(self, loc: Loc) -> Loc:
        s = loc.schema
        if not isinstance(s, dict) or loc.entered:
            return loc
        draft = loc.draft
        if "$schema" in s and isinstance(s["$schema"], str):
            draft = draft_of(s, draft)
        own = s.get("id" if draft <= 4 else "$id")
        if not isinstance(own, str) or own.startswith("#"):
            # (not dataclasses.replace: a Loc made directly costs a quarter, at every schema met)
            return Loc(s, loc.base, draft, loc.pointer, loc.scope, True)
        base = join_uri(loc.base, own).split("#", 1)[0]
        scope = loc.scope
        if self.registry.uses_dynamic and base not in scope:
            scope = (*scope, base)
        return Loc(s, base, draft, loc.pointer, scope, True)

    def _resolve(self, loc: Loc, ref: Any, keyword: str) -> Loc:
        if not isinstance(ref, str):
            raise SchemaError(f"{keyword} must be a string, got {ref!r}", pointer=f"{loc.pointer}/{keyword}")
        schema, base, draft = self.registry.resolve(loc.base, ref, f"{loc.pointer}/{keyword}")
        # the dialect a reference is read in, as jsonschema reads it: a target that
        # names its own rules (draft-04 definitions copied into a newer document),
        # else -- within the document -- the dialect of the place it is met in
        if ref.startswith("#"):
            draft = loc.draft
        draft = draft_of(schema, draft)
        scope = loc.scope
        if self.registry.uses_dynamic and base not in scope:
            scope = (*scope, base)
        return Loc(schema, base, draft, f"{loc.pointer}/{keyword}", scope, True)

    def _resolve_dynamic(self, loc: Loc, keyword: str) -> Loc:
        ref = loc.schema[keyword]
        target = self._resolve(loc, ref, keyword)
        reg = self.registry
        if keyword == "$dynamicRef":
            frag = ref.split("#", 1)[1] if "#" in ref else ""
            if frag and not frag.startswith("/") and isinstance(target.schema, dict) and \
                    target.schema.get("$dynamicAnchor") == frag:
                for uri in loc.scope:
                    hit = reg.dynamic_anchors.get(f"{uri}#{frag}")
                    if hit is not None:
                        return Loc(hit, uri, reg.resources.get(uri, (None, loc.draft))[1], target.pointer,
                                   loc.scope, True)
        else:  # $recursiveRef
            if isinstance(target.schema, dict) and target.schema.get("$recursiveAnchor") is True:
                for uri in loc.scope:
                    if uri in reg.recursive_anchors:
                        schema, draft = reg.resources[uri]
                        return Loc(schema, uri, draft, target.pointer, loc.scope, True)
        return target

    # -- flattening -------------------------------------------------------------
    def _compile(self, loc: Loc, gid: int) -> Node:
        s = loc.schema
        if "$ref" in s and (loc.draft <= 7 or not any(k in ASSERTIONS for k in s if k != "$ref")):
            return self.node(self._resolve(loc, s["$ref"], "$ref"))
        if not any(k in ASSERTIONS for k in s):
            return self.any
        spec = Spec()
        self._flatten_into(spec, loc, set())
        return self.compile_spec(spec, loc, gid)

    def _flatten_member(self, spec: Spec, loc: Loc, chain: set[Any], top: bool = False) -> None:
        s = loc.schema
        if s is True:
            return
        if s is False:
            spec.never = True
            return
        if not isinstance(s, dict):
            raise SchemaError(f"a schema must be an object or a boolean, got {s!r}", pointer=loc.pointer)
        self._flatten_into(spec, self._enter(loc), chain, top)

    def _flatten_into(self, spec: Spec, loc: Loc, chain: set[Any], top: bool = True) -> None:
        s = loc.schema
        ck = (id(s), loc.base, loc.scope)
        if ck in chain:
            return
        if not top and ("unevaluatedProperties" in s or "unevaluatedItems" in s):
            # its unevaluated* sees only its own annotations: keep it whole
            spec.extra.append(loc)
            return
        chain = chain | {ck}
        if "$ref" in s:
            target = self._resolve(loc, s["$ref"], "$ref")
            if loc.draft <= 7:
                self._flatten_member(spec, target, chain, top)
                return
            self._flatten_member(spec, target, chain)
        for kw in ("$dynamicRef", "$recursiveRef"):
            if kw in s:
                spec.extra.append(self._resolve_dynamic(loc, kw))
        members = s.get("allOf")
        if members is not None:
            if not isinstance(members, list) or not members:
                raise SchemaError("allOf must be a non-empty array", pointer=f"{loc.pointer}/allOf")
            for i, m in enumerate(members):
                self._flatten_member(spec, loc.child(m, f"allOf/{i}"), chain)
        own = {k: v for k, v in s.items() if k in ASSERTIONS and k not in (
            "$ref", "allOf", "$dynamicRef", "$recursiveRef")}
        if not own:
            return
        own_loc = loc
        if len(own) != len(s):
            own_loc = Loc(own, loc.base, loc.draft, loc.pointer, loc.scope, loc.entered)
        if own_loc is not loc:
            self.keep.append(own)
        try:
            absorb(spec, own_loc)
        except NotMergeableError:
            spec.extra.append(own_loc)

    # -- specs to nodes -----------------------------------------------------------
    def _unsupported(self, keyword: str, pointer: str, why: str) -> None:
        if self.options.unsupported == "error":
            raise UnsupportedSchemaError(why, keyword=keyword, pointer=pointer)

    def compile_spec(self, spec: Spec, loc: Loc, gid: int) -> Node:
        if spec.never:
            return self.never
        if not self.options.plain_numbers and self._takes_numbers_away(spec):
            return self.plain().compile_spec(spec, loc, grammar_id((gid, "plain")))
        needs_flat = spec.unevaluated_props is not None or spec.unevaluated_items is not None
        # (an object that only requires names has branches beside it too: merged into
        # each, they write the required names in one order with the branch's own)
        if needs_flat or (self.options.strict and (spec.has_object_words() or spec.required)):
            dist = self._distribute(spec, loc, gid)
            if dist is not None:
                return dist
        named: dict[tuple[str, int], list[Node]] = {}
        groups = spec.any_of or spec.one_of
        if self.options.strict and not needs_flat and groups and spec.has_object_words():
            spec, named = self._share_names(spec, loc, gid)
        if spec.unevaluated_props is not None:
            self._apply_unevaluated_props(spec, loc)
        if spec.unevaluated_items is not None:
            self._apply_unevaluated_items(spec, loc)
        if spec.enum is not None:
            rest_spec = dataclasses.replace(spec, enum=None)
            rest = None
            types = spec.types or set()
            # values are kept by value (1 == 1.0); before draft 6 the spelling decides
            # too: "enum": [1] with "type": "integer" refuses 1.0
            spelled = loc.draft < 6 and "integer" in types and "number" not in types
            if spelled or _has_constraints(rest_spec):
                rest = self.compile_spec(rest_spec, loc, grammar_id((gid, "rest")))
            node: Node = EnumNode(gid, spec.enum, rest, spec.types, self)
            if spelled and rest is not None:
                node = IntersectNode(grammar_id((gid, "spelled")), [node, rest])
            return node
        spec = _fold_required_groups(spec)
        typed_union = self._typed_union(spec, loc, gid)
        if typed_union is not None:
            return typed_union
        parts: list[Node] = []
        typed = self.typed(spec, loc, grammar_id((gid, "typed")))
        if typed is not None:
            parts.append(typed)
        for extra in spec.extra:
            parts.append(self.node(extra))
        # (under strict, anyOf/oneOf parts beside an object share its names instead: named)
        side = self.beside if spec.has_object_words() or spec.required else self.node
        for i, group in enumerate(spec.any_of):
            nodes = named.get(("anyOf", i)) or [side(b) for b in group]
            parts.append(UnionNode(grammar_id((gid, "anyOf", i)), nodes))
        for i, group in enumerate(spec.one_of):
            nodes = named.get(("oneOf", i)) or [side(b) for b in group]
            parts.append(self._one_of_group(grammar_id((gid, "oneOf", i)), nodes, group, spec.types))
        for i, n in enumerate(spec.nots):
            parts.append(NotNode(grammar_id((gid, "not", i)), self.any, self.excluded(n)))
        for i, (c, t, e) in enumerate(spec.conditionals):
            if t is None and e is None:
                continue
            c, t, e = _unnegated(c, t, e)
            # (a side that says nothing more -- a "then" of only a description -- is
            # "any value": the condition is then not run beside it, which every walk
            # advanced too, at every character)
            then = self.any if t is None else _or_any(side(t), self.any)
            other = self.any if e is None else _or_any(side(e), self.any)
            decided = self._discriminated(c, spec)
            if decided is not None:
                # (the failing side as words of its own, not a complement: see
                # _distribute; a complement's completions inside an undeclared key
                # searched ~10 s each)
                key, refused = decided
                failing = {"type": "object", "required": [key], "properties": {key: refused.schema}}
                self.keep.append(failing)
                fails = self.beside(Loc(failing, c.base, c.draft, c.pointer, c.scope))
                cond = self.node(c)
                yes = cond if then is self.any else IntersectNode(grammar_id((gid, "if", i, "then")),
                                                                  [cond, then])
                no = fails if other is self.any else IntersectNode(grammar_id((gid, "if", i, "else")),
                                                                   [fails, other])
                parts.append(UnionNode(grammar_id((gid, "if", i)), [yes, no]))
                continue
            parts.append(IfNode(grammar_id((gid, "if", i)), self.node(c), self.excluded(c),
                                then, other, self.any))
        deps = list(spec.dep_schemas)
        for first, other_name in _conflicting_dependencies(spec):
            # (their values meet only once the required name is written: say so at the
            # names, where the key checks see it)
            exclusion = {"not": {"required": [other_name]}}
            self.keep.append(exclusion)
            deps.append((first, Loc(exclusion, loc.base, loc.draft, loc.pointer, loc.scope)))
        for i, (name, dep) in enumerate(deps):
            cond_schema = {"type": "object", "required": [name]}
            self.keep.append(cond_schema)
            cond_loc = Loc(cond_schema, loc.base, loc.draft, loc.pointer, loc.scope)
            parts.append(IfNode(grammar_id((gid, "dep", i)), self.node(cond_loc), self.excluded(cond_loc),
                                self.beside(dep), self.any, self.any))
        parts = [p for p in parts if p is not self.any]
        if not parts:
            return self.any
        if any(p is self.never for p in parts):
            return self.never
        if len(parts) == 1:
            return parts[0]
        return IntersectNode(gid, parts)

    def _takes_numbers_away(self, spec: Spec) -> bool:
        """Whether some part of ``spec`` takes away texts of a language that may
        leave out exponent forms: a ``oneOf`` of branches that can share a value,
        a ``not``, an ``if``, a ``contains`` counted at most so often (see
        :meth:`plain`). Elsewhere a ``not`` or failed ``if`` takes its texts from
        any value: a string or array the excluded schema says nothing of is then
        one state on both sides, which ends the value at its first character."""
        for group in spec.one_of:
            if any(_drops_exponents(b.schema) for b in group):
                flat = []
                for b in group:
                    flat.append(Spec())
                    self._flatten_member(flat[-1], b, set())
                if not _types_apart(flat):
                    return True
        if any(_drops_exponents(n.schema) for n in spec.nots):
            return True
        if any(_drops_exponents(c.schema) for c, t, e in spec.conditionals if t is not None or e is not None):
            return True
        counted = spec.contains if spec.max_contains is not None else None
        return counted is not None and _drops_exponents(counted.schema)

    def _typed_union(self, spec: Spec, loc: Loc, gid: int) -> Node | None:
        """``"type": "object"`` beside one ``anyOf`` or ``oneOf`` (a root naming its
        type, then its definitions' branches) as the branches each with the type: a
        value of the type that one (exactly one) branch takes. Read side by side, an
        object of any keys and a branch's object ran two objects at every character,
        and every key walked the vocabulary through both (no shared path holds for
        the pair). A ``oneOf`` is still told by its branches' whole languages (a
        value of the type is in a typed branch exactly when it is in the branch)."""
        groups = spec.any_of or spec.one_of
        if (spec.types is None or len(spec.any_of) + len(spec.one_of) != 1 or len(groups[0]) > _TYPED_BRANCHES
                or spec.nots or spec.conditionals or spec.extra or spec.dynamic
                or spec.enum is not None or _types_constrained(spec)):
            return None
        kind = "anyOf" if spec.any_of else "oneOf"
        group = groups[0]
        # (a branch met again inside its own typed copy -- {"type": "object", "anyOf":
        # [{"$ref": "#"}]} -- is compiled as it stands: its reference then closes the
        # cycle through the compiled nodes, where flattening it would go on for ever)
        marks = [(id(b.schema), b.base, b.scope) for b in group]
        if any(m in self._typing for m in marks):
            return None
        self._typing.update(marks)
        try:
            branches = []
            for i, b in enumerate(group):
                bs = Spec(types=set(spec.types), free_order=spec.free_order)
                self._flatten_member(bs, b, set())
                branches.append(self.compile_spec(bs, loc, grammar_id((gid, "typed", kind, i))))
        finally:
            self._typing.difference_update(marks)
        if kind == "oneOf":
            return self._one_of_group(gid, branches, group, spec.types)
        branches = [b for b in branches if b is not self.never]
        if not branches:
            return self.never
        return branches[0] if len(branches) == 1 else UnionNode(gid, branches)

    def _distribute(self, spec: Spec, loc: Loc, gid: int) -> Node | None:
        """Push the spec into the branches of its first anyOf/oneOf/if (so each branch
        is one flat spec, as strict key sets and unevaluated* need)."""
        groups = [("anyOf", g) for g in spec.any_of] + [("oneOf", g) for g in spec.one_of]
        if spec.unevaluated_props is None and spec.unevaluated_items is None:
            # every branch of every group times both sides of every if: a Minecraft
            # predicate's 23 ifs made 2**23 flat specs (minutes); past the cap the
            # value is the schema's whole language, as where strict is off (strictness
            # only narrows it; read beside the groups without flat specs, a strict
            # object met dead ends at names spelled with \u escapes)
            leaves = 2 ** len(spec.conditionals)
            for _, g in groups:
                leaves *= max(len(g), 1)
            if leaves > _MAX_FLAT_SPECS:
                return self.exact().compile_spec(spec, loc, grammar_id((gid, "whole")))
        if groups:
            kind, group = groups[0]
            if len(group) > 16:
                return None
            base = _clone(spec)
            if kind == "anyOf":
                base.any_of = base.any_of[1:]
            else:
                base.one_of = base.one_of[1:]
            branches = []
            flat = []
            # a oneOf branch that only requires keys ({"required": ["type", "name",
            # "styleName"]}) matches every object with them: where a branch's own
            # object has all of them but one, k, it is generated without k (an object
            # with both branches' keys matches both, and once the other's last key was
            # written no closing brace could follow)
            sole = _required_only(group) if kind == "oneOf" else {}
            specs = []
            for b in group:
                bs = _clone(base)
                self._flatten_member(bs, b, set())
                specs.append(bs)
            exact = self.exact() if kind == "oneOf" else self
            checked = exact is not self and not all(_no_object_spec(bs) for bs in specs)
            for i, (b, bs) in enumerate(zip(group, specs, strict=True)):
                flat.append(_clone(bs))  # (before compile_spec, which may resolve unevaluated* in place)
                # where "exactly one" is checked on the whole branches, the key that tells
                # two of them apart may be one the schema's order has passed: a Puppet
                # service list, whose oneOf needs "_attributes" once "_elements" (declared
                # after it) is written -- in a fixed order no closing brace could follow.
                # (Branches that only require names are told apart by them: see sole.)
                bs.free_order = checked and not sole
                for j, names in sole.items():
                    rest = [n for n in names if n not in bs.required]
                    if j != i and len(rest) == 1:
                        bs.props[rest[0]] = [*bs.props.get(rest[0], []), dataclasses.replace(b, schema=False)]
                branches.append(self.compile_spec(bs, loc, grammar_id((gid, kind, "branch", i))))
            if kind == "anyOf":
                return UnionNode(gid, branches)
            if not checked:
                return OneOfNode(gid, branches)
            # (the flattened specs hold locations only: the exact compiler reads them alike)
            others = [exact.compile_spec(bs, loc, grammar_id((gid, kind, "exact", i)))
                      for i, bs in enumerate(flat)]
            return self._one_of(gid, branches, others, flat, spec.types)
        if spec.conditionals:
            cond, then, other = spec.conditionals[0]
            if spec.unevaluated_props is None and spec.unevaluated_items is None:
                # (an "if" holds with its annotations: unevaluated* sees a swapped one's)
                cond, then, other = _unnegated(cond, then, other)
            base = _clone(spec)
            base.conditionals = base.conditionals[1:]
            yes = _clone(base)
            self._flatten_member(yes, cond, set())
            if then is not None:
                self._flatten_member(yes, then, set())
            no = _clone(base)
            named = self._discriminated(cond, base)
            if named is None:
                no.nots.append(cond)
            else:
                # "not if" as the object's own words: the name is there, its value
                # not the condition's -- in the schema's key order a "not" could only
                # learn at the closing brace that the name was passed (a CodeShip step
                # whose "type" decides: after "dockercfg_service" no "type" could come)
                name, refused = named
                if name not in no.required:
                    no.required.append(name)
                no.props[name] = [*no.props.get(name, []), refused]
                no.types = {"object"} if no.types is None else no.types & {"object"}
            if other is not None:
                self._flatten_member(no, other, set())
            return UnionNode(gid, [self.compile_spec(yes, loc, grammar_id((gid, "then"))),
                                   self.compile_spec(no, loc, grammar_id((gid, "else")))])
        return None

    def _discriminated(self, cond: Loc, base: Spec) -> tuple[str, Loc] | None:
        """For an ``if`` that only says which values one property takes (``{"properties":
        {"type": {"const": "push"}}}``): the name, and a place for "any value but
        those". Where it fails, an object has the name with such a value -- any other
        value meets it. ``None`` for every other condition."""
        s = cond.schema
        if not isinstance(s, dict) or not set(s) <= _DISCRIMINATING:
            return None
        props = s.get("properties")
        if not isinstance(props, dict) or len(props) != 1:
            return None
        if "type" in s and (s["type"] != "object" or base.types is None or not base.types <= {"object"}):
            return None  # (there the condition fails on any other value too)
        ((name, value),) = props.items()
        if not isinstance(value, dict) or not isinstance(name, str):
            return None
        refused = {"not": value}
        self.keep.append(refused)
        return name, Loc(refused, cond.base, cond.draft, f"{cond.pointer}/properties", cond.scope)

    def _share_names(self, spec: Spec, loc: Loc, gid: int) -> tuple[Spec, dict[tuple[str, int], list[Node]]]:
        """Under ``strict``, a closed object's base and the branches of an anyOf/oneOf
        too large to distribute (each would copy the whole base) run side by side;
        each part alone would refuse the keys only the others declare, so that no
        key could be written that all of them take (a required ``type`` declared
        only in the branches: no object at all). Each closed part takes the names
        the others declare, with any value (the part declaring a name checks it),
        all in one order for ``key_order="schema"``, and each branch also takes the
        base's declarations (see :func:`_with_names`). Only the strictness the
        options add is relaxed: a part with its own ``additionalProperties`` keeps
        it, so every text is still valid under the schema."""
        flat: dict[tuple[str, int], list[Spec]] = {}
        order: dict[str, None] = dict.fromkeys(_object_names(spec))
        for kind, groups in (("anyOf", spec.any_of), ("oneOf", spec.one_of)):
            for i, group in enumerate(groups):
                specs = []
                for b in group:
                    bs = Spec()
                    self._flatten_member(bs, b, set())
                    specs.append(bs)
                    order.update(dict.fromkeys(_object_names(bs)))
                flat[(kind, i)] = specs
        names = list(order)
        named: dict[tuple[str, int], list[Node]] = {}
        for (kind, i), specs in flat.items():
            named[(kind, i)] = [self.compile_spec(_with_names(bs, names, spec), loc,
                                                  grammar_id((gid, kind, i, "named", k)))
                                for k, bs in enumerate(specs)]
        return _with_names(spec, names), named

    def _one_of_group(self, gid: int, branches: list[Node], group: list[Loc],
                      types: set[str] | None = None) -> Node:
        """:meth:`_one_of` of a schema's ``oneOf`` ``group`` generated as ``branches``:
        each branch's whole language and own spec from its location (``types``:
        those the schema around the group allows)."""
        flat = []
        for b in group:
            flat.append(Spec())
            self._flatten_member(flat[-1], b, set())
        return self._one_of(gid, branches, [self.excluded(b) for b in group], flat, types)

    def _one_of(self, gid: int, branches: list[Node], exact: list[Node], flat: list[Spec],
                types: set[str] | None = None) -> Node:
        """``oneOf``: a text of some branch that no *other* branch's whole language
        takes (see :meth:`exact`). Where the branches are their whole languages
        already, plain exactly-one; else one of the generated branches, and
        exactly one of the whole ones.

        A branch that strictness closes can never be the one where another branch
        takes every object it writes (``{"properties": {"eq": ...}}`` beside
        ``{"properties": {"lt": ...}}``, a Snowplow schema): its texts would lead to
        no closing brace. Only the branches that can be are generated; where none
        can, the oneOf as the schema says it (``flat``: each branch's own spec).

        Branches of different types (a string, or an object) never take one value
        together: "exactly one" is "some", a plain union. So with branches that are
        objects told apart by their names or a discriminator (:meth:`_objects_apart`):
        a tagged union is read as one branch once its tag is written, not as the
        branches beside a check of every branch at every character."""
        if _types_apart(flat) or self._objects_apart(flat, types):
            return UnionNode(gid, branches)
        if all(a is b for a, b in zip(branches, exact, strict=True)):
            return OneOfNode(gid, branches)
        alive = [i for i in range(len(flat))
                 if not any(j != i and _takes_every_closed(flat[j], flat[i]) for j in range(len(flat)))]
        if not alive:
            return OneOfNode(gid, exact)
        if len(alive) < len(branches):
            branches = [b for i, b in enumerate(branches) if i in alive]
        return IntersectNode(gid, [UnionNode(grammar_id((gid, "some")), branches),
                                   OneOfNode(grammar_id((gid, "exactly")), exact)])

    def _objects_apart(self, flat: list[Spec], types: set[str] | None) -> bool:
        """Whether no value is taken by two of the specs, where every value they may
        take is an object (by their own ``type`` or ``types``, the schema's around
        them): for each two, one requires a name the other refuses (closed by its
        own ``additionalProperties: false``) or holds to values (``const``, ``enum``)
        that the other's own values for it leave out. ``False`` when unsure."""
        if len(flat) < 2:
            return False
        for spec in flat:
            kinds = spec.types if spec.types is not None else types
            if types is not None and kinds is not None:
                kinds = kinds & types
            if not spec.never and (kinds is None or kinds - {"object"}):
                return False
        values: dict[tuple[int, str], frozenset[Any] | None] = {}

        def values_of(i: int, name: str) -> frozenset[Any] | None:
            # (the finite values a spec's own property may hold: None when any)
            key = (i, name)
            if key not in values:
                prop = Spec()
                for loc in flat[i].props.get(name, []):
                    self._flatten_member(prop, loc, set())
                found: frozenset[Any] | None = None
                if prop.never:
                    found = frozenset()
                elif prop.enum is not None:
                    found = frozenset(norm_key(v) for v in prop.enum)
                values[key] = found
            return values[key]

        def apart(i: int, j: int) -> bool:
            a, b = flat[i], flat[j]
            closed = (b.additional is not None and all(loc.schema is False for loc in b.additional)
                      and not b.pattern_props)
            for name in a.required:
                if closed and name not in b.props:
                    return True
                if name in b.props:
                    mine, theirs = values_of(i, name), values_of(j, name)
                    if theirs is not None and (not theirs or (mine is not None and not mine & theirs)):
                        return True
            return False

        return all(flat[i].never or flat[j].never or apart(i, j) or apart(j, i)
                   for i in range(len(flat)) for j in range(i + 1, len(flat)))

    def _apply_unevaluated_props(self, spec: Spec, loc: Loc) -> None:
        u = spec.unevaluated_props
        assert u is not None
        spec.unevaluated_props = None
        if u.schema is True or u.schema == {}:
            if spec.additional is None:
                spec.additional = [u]
            return
        if spec.extra or spec.dep_schemas or spec.any_of or spec.one_of or spec.conditionals:
            self._unsupported("unevaluatedProperties", u.pointer,
                              "only exact next to properties/patternProperties/allOf/$ref/anyOf/oneOf/if")
            return
        if spec.additional is None:
            spec.additional = [u]

    def _apply_unevaluated_items(self, spec: Spec, loc: Loc) -> None:
        u = spec.unevaluated_items
        assert u is not None
        spec.unevaluated_items = None
        if u.schema is True or u.schema == {} or spec.items is not None:
            return
        if spec.extra or spec.any_of or spec.one_of or spec.conditionals or spec.contains is not None:
            self._unsupported("unevaluatedItems", u.pointer,
                              "only exact next to prefixItems/items/allOf/$ref/anyOf/oneOf/if")
            return
        spec.items = [u]
        if spec.prefix is None:
            spec.prefix = []

    def typed(self, spec: Spec, loc: Loc, gid: int) -> Node | None:
        """The type-dispatching part of a spec; ``None`` when it admits any JSON value."""
        types = _ALL_TYPES if spec.types is None else spec.types
        if types == _ALL_TYPES and not _types_constrained(spec):
            # (any value: an anyOf or not beside it needs no part that takes any value)
            return None
        parts: list[Node] = []
        if "null" in types:
            parts.append(literal_node("null"))
        if "boolean" in types:
            parts.append(ParserNode(grammar_id(("jsonschema-bool",)), Choices.of(["true", "false"])))
        if "number" in types or "integer" in types:
            num = self._number(spec, loc, grammar_id((gid, "number")), integer="number" not in types)
            if num is not None:
                parts.append(num)
        if "string" in types:
            parts.append(self._string(spec, loc, grammar_id((gid, "string"))))
        if "object" in types:
            obj = self._object(spec, loc, grammar_id((gid, "object")))
            if obj is not None:
                parts.append(obj)
        if "array" in types and _plain_array(spec):
            # the one plain array node: oneOf branches that say nothing about arrays then
            # reach equal states on an array, which ExactlyOne needs to see (any array is
            # valid under each of them, so under none as "exactly one")
            parts.append(self._any_array)
        elif "array" in types:
            arr = self._array(spec, loc, grammar_id((gid, "array")))
            if arr is not None:
                parts.append(arr)
        if not parts:
            return self.never
        return TypedNode(gid, parts)

    def _number(self, spec: Spec, loc: Loc, gid: int, integer: bool) -> Node | None:
        lo = _tightest(spec.lower, lower=True)
        hi = _tightest(spec.upper, lower=False)
        kw: dict[str, Any] = {
            "minimum": None if lo is None or lo[1] else lo[0],
            "exclusive_minimum": lo[0] if lo is not None and lo[1] else None,
            "maximum": None if hi is None or hi[1] else hi[0],
            "exclusive_maximum": hi[0] if hi is not None and hi[1] else None,
        }
        mult = spec.multiple_of[0] if spec.multiple_of else None
        # Before draft 6 an integer is a number without a fraction: 1.0 is not one
        # there (jsonschema's draft 3/4 checkers refuse it); from draft 6 on it is.
        zero_fraction = loc.draft >= 6
        def bounded() -> str | None:
            if integer:
                return integer_pattern(**kw, allow_zero_fraction=zero_fraction)
            return number_pattern(**kw, exponents=not self.options.plain_numbers)

        try:
            if mult is not None:
                modulus, scale = remainder_modulus(mult, integer=integer)
                check = float_quotient(mult, **kw)
                # Too many remainders for an automaton: a parser keeps the remainder --
                # for a whole divisor (86400, 4096): under a fractional one the float
                # quotient check can refuse the one exact multiple a prefix has left
                # (89.99999 for 0.123456789), and completions search long
                if modulus > MAX_MODULUS and check is None:
                    keep = multiple_parser(modulus, scale, **kw)
                    if keep is not None:
                        pattern = bounded()
                        if pattern is None:
                            return None
                        return ParserNode(gid, Intersect(Regex(pattern), keep))
                fsm = (integer_fsm(**kw, multiple_of=mult, allow_zero_fraction=zero_fraction) if integer
                       else number_fsm(**kw, multiple_of=mult))
                if fsm is None:
                    return None
                parser: Parser = regex_from_fsm(fsm, f"number{kw}{mult}{zero_fraction}")
                return ParserNode(gid, parser if check is None else Intersect(parser, check))
            pattern = bounded()
        except UnsupportedSchemaError as exc:
            self._unsupported(exc.keyword, f"{loc.pointer}", str(exc))
            pattern = bounded()  # the bounds without the multipleOf
        if pattern is None:
            return None
        return ParserNode(gid, Regex(pattern))

    def _string(self, spec: Spec, loc: Loc, gid: int) -> Node:
        inner: list[Parser] = []
        if spec.min_length or spec.max_length is not None:
            if spec.max_length is not None and spec.min_length > spec.max_length:
                return self.never
            inner.append(FreeText(spec.max_length, min_length=spec.min_length))
        for pattern, pointer in spec.patterns:
            try:
                rx = pattern_parser(pattern, pointer)
            except (RegexError, UnsupportedSchemaError) as exc:
                self._unsupported("pattern", pointer, str(exc))
                continue
            # a count of one class (``^[a-z0-9_-]{1,64}$``) as the counted string it is:
            # its positions far from both bounds share masks, as maxLength's do
            counted = rx.counted_class()
            if counted is not None:
                chars, least, most = counted
                inner.append(FreeText(most, min_length=least, chars=chars))
            else:
                inner.append(rx)
        for name, _pointer in spec.formats:
            fp = format_parser(name)
            if fp is not None:
                inner.append(fp)
        counts = [p for p in inner if isinstance(p, FreeText)]
        if len(counts) == len(inner) > 1:
            one = _one_free_text(counts)
            if one is None:
                return self.never
            inner = [one]
        if not inner:
            value: Parser = FreeText()
        elif len(inner) == 1:
            value = inner[0]
        else:
            value = self._counted(spec, inner) or Intersect(*inner)
        return ParserNode(gid, JsonString(value))

    def _counted(self, spec: Spec, inner: list[Parser]) -> Parser | None:
        """A short ``maxLength`` and the patterns and formats as one automaton (``None``
        where they are not, or it would pass the state cap). Side by side, a count
        and an automaton each allow a character the other allows, and can end where
        no character completes both: a 12-character hexadecimal id (``maxLength``
        and ``minLength`` 12, ``pattern: [0-9a-fA-F]+``) took twelve "!" and had
        nothing left to write."""
        top = spec.max_length
        if top is None or top > _COUNTED_MAX or not (spec.patterns or spec.formats):
            return None
        if all(isinstance(p, FreeText) or (isinstance(p, RegexState) and p.ends_and_goes_on())
               for p in inner):
            return None  # (nothing to strand: side by side they keep the count's shared walks)
        langs: list[Lang] = []
        try:
            for pattern, pointer in spec.patterns:
                langs.append(search_pattern(pattern, pointer=pointer))
            for name, _pointer in spec.formats:
                got = format_pattern(name)
                if got is None:
                    continue
                langs.append(got)
        except (RegexError, UnsupportedSchemaError, SchemaError):
            return None
        if not langs or any(isinstance(lang, tuple) and lang[0] == "blocks" for lang in langs):
            return None  # (an automaton over blocks reads its own alphabet)
        return counted_parser(langs, spec.min_length, top,
                              f"{len(langs)} pattern(s) and length {spec.min_length}..{top}")

    def _key_order(self, names: list[str]) -> tuple[list[str], bool]:
        order = self.options.key_order
        if order == "any":
            return names, False
        if order == "schema":
            return names, True
        listed = [n for n in order if n in names]
        return listed + [n for n in names if n not in listed], True

    def _object(self, spec: Spec, loc: Loc, gid: int) -> Node | None:
        additional: Node | None
        if spec.additional is not None:
            additional = self.conj(spec.additional)
        elif self.options.strict and (spec.props or spec.pattern_props):
            additional = None
        else:
            additional = self.any
        if additional is self.never:
            additional = None
        names = list(spec.props)
        wanted = list(spec.required)
        for k, v in spec.dep_required.items():
            wanted.append(k)
            wanted.extend(v)
        for group in spec.any_required:
            for alt in group:
                wanted.extend(alt)
        value_locs: dict[str, list[Loc] | None] = {n: spec.props[n] for n in names}
        for name in wanted:
            if name in value_locs:
                continue
            matched = [lc for p, lc in spec.pattern_props if _search(p, name)]
            if matched:
                value_locs[name] = matched
            elif spec.additional is not None:
                value_locs[name] = list(spec.additional)
            else:
                value_locs[name] = None  # any value (strict mode declares it by requiring it)
            names.append(name)
        names, fixed = self._key_order(names)
        if not spec.props:
            # names only required (an anyOf/oneOf branch that says which keys must be
            # there): the schema gives them no order, and one of its own would clash
            # with the order of the properties declared beside it -- under
            # key_order="schema" no object at all could be written
            fixed = False
        if spec.dep_schemas or spec.conditionals or spec.free_order:
            # a part beside the object may require names once a key is written
            # ("profile" requires one of "channel", "components", "targets", declared
            # before it): in a fixed order they could no longer come (rust-toolchain)
            fixed = False
        values: list[Node] = []
        for n in names:
            locs = value_locs[n]
            if locs is not None and n in spec.props:
                locs = [*locs, *(lc for p, lc in spec.pattern_props if _search(p, n))]
            values.append(self.any if locs is None else self.conj(locs))
        index = {n: i for i, n in enumerate(names)}
        required = 0
        for r in spec.required:
            required |= 1 << index[r]
        deps: dict[int, int] = {}
        for k, v in spec.dep_required.items():
            mask = 0
            for d in v:
                mask |= 1 << index[d]
            deps[index[k]] = deps.get(index[k], 0) | mask
        # (a branch requiring a name no value is allowed for is never met; a group
        # without another, no object at all)
        any_required = tuple(tuple(sum(1 << index[n] for n in set(alt)) for alt in group
                                   if all(values[index[n]] is not self.never for n in alt))
                             for group in spec.any_required)
        if not all(any_required):
            return None
        # a required property whose value schema is false makes the object impossible
        for i, node in enumerate(values):
            if node is self.never and required >> i & 1:
                return None
        patterns: list[tuple[Parser, Node]] = []
        for p, plc in spec.pattern_props:
            try:
                rx = pattern_parser(p, plc.pointer)
            except (RegexError, UnsupportedSchemaError) as exc:
                self._unsupported("patternProperties", plc.pointer, str(exc))
                continue
            patterns.append((rx, self.node(plc)))
        if additional is not None and all(_settled(n) is _settled(additional) for _, n in patterns):
            # every undeclared key takes the same value whichever patterns it matches
            # (``"^x-": {}`` beside an open object): the key's text need not be
            # tracked by the patterns, and such keys share the plain undeclared path
            patterns = []
        names_node = self.conj(spec.property_names) if spec.property_names else None
        if names_node is self.any:
            names_node = None
        if spec.max_props is not None and spec.min_props > spec.max_props:
            return None
        return ObjectNode(gid, names=names, values=values, required=required, deps=deps,
                          patterns=patterns, additional=additional, names_node=names_node,
                          min_props=spec.min_props, max_props=spec.max_props, fixed=fixed,
                          ws=self.options.ws, any_required=any_required)

    def _array(self, spec: Spec, loc: Loc, gid: int) -> Node | None:
        prefix = [self.conj(p) for p in (spec.prefix or [])]
        items = self.any if spec.items is None else self.conj(spec.items)
        max_items = spec.max_items
        if items is self.never:
            max_items = len(prefix) if max_items is None else min(max_items, len(prefix))
        for i, p in enumerate(prefix):
            if p is self.never:
                max_items = i if max_items is None else min(max_items, i)
                break
        if max_items is not None and spec.min_items > max_items:
            return None
        contains = None
        if spec.contains is not None:
            # at most so many matches: an element the whole subschema matches must
            # count (see exact); at least so many: counting generated ones is enough
            contains = self.node(spec.contains) if spec.max_contains is None else self.excluded(spec.contains)
        if contains is not None:
            if spec.max_contains is not None and spec.min_contains > spec.max_contains:
                return None
            if contains is self.any and spec.min_contains <= 1 and spec.max_contains is None:
                contains = None
                spec = dataclasses.replace(spec, min_items=max(spec.min_items, spec.min_contains))
        return ArrayNode(gid, prefix=prefix, items=None if items is self.never else items,
                         min_items=spec.min_items, max_items=max_items, contains=contains,
                         min_contains=spec.min_contains, max_contains=spec.max_contains,
                         unique=spec.unique, ws=self.options.ws)

    # -- const values ---------------------------------------------------------------
    def const_node(self, values: list[Any], gid: int) -> Node:
        parts = scalar_enum_parts([v for v in values if not isinstance(v, (list, dict))], gid)
        for i, v in enumerate(values):
            if isinstance(v, (list, dict)):
                parts.append(self._const_container(v, grammar_id((gid, "const", i))))
        if not parts:
            return self.never
        return group_parts(parts, gid)

    def _const_container(self, value: Any, gid: int) -> Node:
        if isinstance(value, list):
            items = [self.const_node([v], grammar_id((gid, i))) for i, v in enumerate(value)]
            return ArrayNode(gid, prefix=items, items=None, min_items=len(items), max_items=len(items),
                             contains=None, min_contains=0, max_contains=None, unique=False,
                             ws=self.options.ws)
        names = list(value)
        vals = [self.const_node([value[n]], grammar_id((gid, i))) for i, n in enumerate(names)]
        return ObjectNode(gid, names=names, values=vals, required=(1 << len(names)) - 1, deps={},
                          patterns=[], additional=None, names_node=None, min_props=0, max_props=None,
                          fixed=self.options.key_order != "any", ws=self.options.ws)

    # -- any JSON value -----------------------------------------------------------
    def _build_any(self) -> Node:
        """Any JSON value (under :meth:`plain`, its numbers at every depth without
        an exponent)."""
        plain = self.options.plain_numbers
        ws = self.options.ws
        gid = grammar_id(("jsonschema-any-plain" if plain else "jsonschema-any", ws.indent))
        ANY_GIDS.add(gid)
        fwd = ForwardNode(gid)
        obj = ObjectNode(grammar_id((gid, "object")), names=[], values=[], required=0, deps={},
                         patterns=[], additional=fwd, names_node=None, min_props=0, max_props=None,
                         fixed=False, ws=ws)
        arr = ArrayNode(grammar_id((gid, "array")), prefix=[], items=fwd, min_items=0, max_items=None,
                        contains=None, min_contains=0, max_contains=None, unique=False, ws=ws)
        self._any_array = arr
        number = number_pattern(exponents=not plain) or ""
        parts: list[Node] = [
            literal_node("null"),
            ParserNode(grammar_id(("jsonschema-bool",)), Choices.of(["true", "false"])),
            ParserNode(grammar_id(("jsonschema-number", plain)), Regex(number)),
            ParserNode(grammar_id(("jsonschema-string",)), JsonString(FreeText())),
            obj,
            arr,
        ]
        fwd.target = TypedNode(grammar_id((gid, "typed")), parts)
        return fwd


#: the longest ``maxLength`` that :meth:`Compiler._counted` builds into an automaton
_COUNTED_MAX = 64

#: annotations a condition may carry beside what :func:`_unnegated` and
#: :meth:`Compiler._discriminated` read
_PLAIN_WORDS = frozenset({"title", "description", "$comment", "default", "examples"})

#: the words of an ``if`` that :meth:`Compiler._discriminated` reads
_DISCRIMINATING = _PLAIN_WORDS | {"properties", "type"}


def _conflicting_dependencies(spec: Spec) -> list[tuple[str, str]]:
    """Pairs of names whose dependent schemas give a required property values that
    never meet (a data element's "dataSets" wants "type" to be "value1", its
    "subFields" wants "value2"): no valid object has both. Each is made to refuse
    the other, as the idiom ``{"not": {"required": [...]}}`` does; the second name
    was offered, and only the required "type" found no value."""
    out = []
    deps = spec.dep_schemas
    for i, (a, la) in enumerate(deps):
        for b, lb in deps[i + 1:]:
            if a != b and _values_apart(la.schema, lb.schema, spec.required):
                out += [(a, b), (b, a)]
    return out


def _values_apart(a: Any, b: Any, required: list[str]) -> bool:
    """Whether schemas ``a`` and ``b`` list values for a ``required`` property that
    have none in common (``enum`` / ``const`` under ``properties``)."""
    if not isinstance(a, dict) or not isinstance(b, dict):
        return False
    pa, pb = a.get("properties"), b.get("properties")
    if not isinstance(pa, dict) or not isinstance(pb, dict):
        return False
    for name in pa.keys() & pb.keys():
        va, vb = _listed_values(pa[name]), _listed_values(pb[name])
        if (name in required and va is not None and vb is not None
                and not any(json_equal(x, y) for x in va for y in vb)):
            return True
    return False


def _listed_values(schema: Any) -> list[Any] | None:
    """The values an ``enum`` or ``const`` lists (``None``: not only those)."""
    if not isinstance(schema, dict):
        return None
    if "const" in schema:
        return [schema["const"]]
    values = schema.get("enum")
    return values if isinstance(values, list) else None


def _unnegated(cond: Loc, then: Loc | None, other: Loc | None) -> tuple[Loc, Loc | None, Loc | None]:
    """``if: {not: X}, then: T, else: E`` as ``if: X, then: E, else: T`` -- the same
    texts, and a condition the compiler can read: where ``X`` only says which values
    one property takes, its failing side becomes the object's own words instead of a
    complement learnt at the closing brace (a size-limit config's ``"config"``,
    declared where ``"webpack"`` is not false, was offered after ``"webpack"`` had
    been passed in the schema's key order, and nothing could close the object)."""
    while (isinstance(cond.schema, dict) and "not" in cond.schema
           and set(cond.schema) - {"not"} <= _PLAIN_WORDS):
        cond, then, other = cond.child(cond.schema["not"], "not"), other, then
    return cond, then, other

#: the most flat specs :meth:`Compiler._distribute` makes of one spec
_MAX_FLAT_SPECS = 256
#: at most this many anyOf / oneOf branches take a type beside them into each
#: (:meth:`Compiler._typed_union`)
_TYPED_BRANCHES = 8


def _types_apart(specs: list[Spec]) -> bool:
    """Whether each spec names its types and no two share one (an integer is a number)."""
    taken: set[str] = set()
    for spec in specs:
        if spec.types is None:
            return False
        types = {"number" if t == "integer" else t for t in spec.types}
        if types & taken:
            return False
        taken |= types
    return True


def _or_any(node: Node, any_node: Node) -> Node:
    """``any_node`` where ``node`` is (a reference to) an "any JSON value" node --
    of this compiler or the exact one: in an intersection either takes nothing
    away -- else ``node``."""
    seen: Node | None = node
    for _ in range(64):  # (a chain of references; a knot still being tied ends it)
        if seen is None:
            break
        if seen.gid in ANY_GIDS:
            return any_node
        if not isinstance(seen, ForwardNode):
            break
        seen = seen.target
    return node


def _required_only(group: list[Loc]) -> dict[int, list[str]]:
    """The branches (by index) that say nothing but which keys are required."""
    out: dict[int, list[str]] = {}
    for i, b in enumerate(group):
        s = b.schema
        if isinstance(s, dict):
            words = {k: v for k, v in s.items() if k not in ANNOTATIONS}
            req = words.get("required")
            if list(words) == ["required"] and isinstance(req, list) and all(isinstance(n, str) for n in req):
                out[i] = list(req)
    return out


def _object_names(spec: Spec) -> list[str]:
    """The property names a spec speaks of: declared, required, depended on."""
    out = list(spec.props) + spec.required
    for name, needs in spec.dep_required.items():
        out.append(name)
        out.extend(needs)
    return out


def _with_names(spec: Spec, names: list[str], base: Spec | None = None) -> Spec:
    """``spec`` with its declared properties in the order of ``names`` and -- when
    only ``strict`` closes it (declared names, no ``additionalProperties``) -- the
    other ``names`` declared with any value. A branch also takes its ``base``'s
    declarations and required names, which the base checks anyway: then the
    branch's own shortest completion satisfies the base too."""
    props = dict(spec.props)
    required = list(spec.required)
    if base is not None:
        for n, locs in base.props.items():
            props[n] = [*props.get(n, []), *locs]
        required += [n for n in base.required if n not in required]
    closed = spec.additional is None and bool(props or spec.pattern_props)
    if not props and not closed:
        return spec
    out = _clone(spec)
    out.props = {n: props.get(n, []) for n in names if n in props or closed}
    out.required = required
    return out


def _settled(node: Node) -> Node:
    """The node a chain of compiled forward references stands for (one still being
    compiled stands for itself)."""
    while isinstance(node, ForwardNode) and node.target is not None:
        node = node.target
    return node


def _clone(spec: Spec) -> Spec:
    out = dataclasses.replace(spec)
    for f in dataclasses.fields(spec):
        v = getattr(spec, f.name)
        if isinstance(v, list):
            setattr(out, f.name, [list(x) if isinstance(x, list) else x for x in v])
        elif isinstance(v, dict):
            setattr(out, f.name, {k: list(x) if isinstance(x, list) else x for k, x in v.items()})
        elif isinstance(v, set):
            setattr(out, f.name, set(v))
    return out


def _tightest(bounds: list[tuple[Any, bool]], lower: bool) -> tuple[Any, bool] | None:
    best: tuple[Any, bool] | None = None
    for value, excl in bounds:
        if best is None:
            best = (value, excl)
            continue
        a, b = _exact(value), _exact(best[0])
        if (a > b if lower else a < b) or (a == b and excl):
            best = (value, excl)
    return best


_SCALARS = frozenset({"null", "boolean", "number", "integer", "string"})


#: keywords under which a number language may leave out exponent forms
_EXPONENT_BOUNDS = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
                              *_REF_KEYS})


def _drops_exponents(schema: Any) -> bool:
    """Whether some number language of ``schema`` (at any depth) may leave out
    exponent forms of its values (see :meth:`Compiler.plain`): an integer type,
    a bound, a ``multipleOf``, a number among ``enum``/``const`` values, or a
    reference (not followed: a guess on the safe side)."""
    stack = [schema]
    while stack:
        s = stack.pop()
        if isinstance(s, dict):
            if not _EXPONENT_BOUNDS.isdisjoint(s):
                return True
            kinds = s.get("type")
            if kinds == "integer" or (isinstance(kinds, list) and "integer" in kinds):
                return True
            for k, v in s.items():
                if k in ("enum", "const"):
                    if _holds_number(v):
                        return True
                elif isinstance(v, (dict, list)):
                    stack.append(v)
        elif isinstance(s, list):
            stack.extend(v for v in s if isinstance(v, (dict, list)))
    return False


def _holds_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    if isinstance(value, dict):
        return any(_holds_number(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_number(v) for v in value)
    return False


def _no_objects(schema: Any) -> bool:
    """Whether no value of ``schema`` is an object or array (its ``type``,
    ``enum`` or ``const`` says so): it compiles alike whatever the key order
    and strictness (see :meth:`Compiler.exact`)."""
    if schema is False:
        return True
    if not isinstance(schema, dict):
        return False
    kinds = schema.get("type")
    if isinstance(kinds, str):
        kinds = [kinds]
    if isinstance(kinds, list) and kinds and all(isinstance(k, str) and k in _SCALARS for k in kinds):
        return True
    if "const" in schema and not isinstance(schema["const"], (dict, list)):
        return True
    values = schema.get("enum")
    return isinstance(values, list) and not any(isinstance(v, (dict, list)) for v in values)


def _takes_every_closed(spec: Spec, closed: Spec) -> bool:
    """Whether ``spec`` takes every object that ``closed`` writes under ``strict``
    or its own ``additionalProperties: false`` (only its declared names): it says
    nothing about objects but which values its own properties take and which
    names must be there -- names ``closed`` requires too (an RSS feed's "feedUrl"
    beside a cloud status's "providerId" and "feedUrl") -- and of the names both
    declare, asks nothing ``closed`` does not ask too (a discriminator both took
    from the object around them). ``False`` when unsure."""
    # (closed by strictness, or by its own "additionalProperties": false: a Snowplow
    # recovery step's size comparison beside a static value that takes any "size")
    own = closed.additional is not None and all(loc.schema is False for loc in closed.additional)
    if not closed.props or (closed.additional is not None and not own) or closed.pattern_props:
        return False
    if spec.never or (spec.types is not None and "object" not in spec.types) or spec.enum is not None:
        return False
    for name in set(spec.props) & set(closed.props):
        if any(not any(_alike(loc, other) for other in closed.props[name]) for loc in spec.props[name]):
            return False
    if not set(spec.required) <= set(closed.required):
        return False
    return not (spec.pattern_props or spec.additional is not None or spec.property_names
                or spec.min_props or spec.max_props is not None or spec.dep_required or spec.dep_schemas
                or spec.unevaluated_props is not None or spec.any_of or spec.one_of or spec.nots
                or spec.conditionals or spec.extra or spec.dynamic)


def _alike(a: Loc, b: Loc) -> bool:
    """Whether two places hold one schema: the same, or ones equal but for their
    annotations (two branches' ``{"type": "string"}``, one with a ``default``)
    that refer to nothing or refer from the same base."""
    if a == b:
        return True
    if a.draft != b.draft:
        return False
    if a.base != b.base and (_refers_any(a.schema) or _refers_any(b.schema)):
        return False
    memo: dict[int, Any] = {}
    return schema_text(grammar_part(a.schema, memo)) == schema_text(grammar_part(b.schema, memo))


def _refers_any(schema: Any) -> bool:
    """Whether ``schema`` holds a reference of any kind (resolved from its base)."""
    text = schema_text(schema)
    return any(word in text for word in ('"$ref"', '"$dynamicRef"', '"$recursiveRef"'))


def _no_object_spec(spec: Spec) -> bool:
    """:func:`_no_objects` of a merged spec."""
    if spec.never or (spec.types is not None and spec.types <= _SCALARS):
        return True
    return spec.enum is not None and not any(isinstance(v, (dict, list)) for v in spec.enum)


def _has_constraints(spec: Spec) -> bool:
    """Whether the spec says more than which types are allowed."""
    return _types_constrained(spec) or bool(
        spec.any_of or spec.one_of or spec.nots or spec.conditionals or spec.extra or spec.enum is not None
    )


def _types_constrained(spec: Spec) -> bool:
    """Whether the spec constrains the values of its types itself -- what its typed
    part compiles; its anyOf, oneOf, not, if and other schemas are parts beside it."""
    return bool(
        spec.min_length or spec.max_length is not None or spec.patterns or spec.formats
        or spec.lower or spec.upper or spec.multiple_of or spec.has_object_words()
        or spec.property_names or spec.required or spec.min_props or spec.max_props is not None
        or spec.dep_required or spec.dep_schemas or spec.prefix is not None or spec.items is not None
        or spec.contains is not None or spec.min_items or spec.max_items is not None or spec.unique
        or spec.unevaluated_items is not None or spec.any_required
    )


def _fold_required_groups(spec: Spec) -> Spec:
    """An anyOf whose branches only require names ("type" or "url" must be there)
    says of an object that one branch's names are all among its keys, and nothing
    of other values: the object checks it itself (``ObjectNode.any_required``), one
    state where an intersection with a union of open objects made four."""
    if not spec.any_of or spec.max_props is not None:
        return spec
    folded: list[list[list[str]]] = []
    rest: list[list[Loc]] = []
    for group in spec.any_of:
        sole = _required_only(group)
        if group and len(sole) == len(group):
            if all(sole.values()):  # (a branch requiring nothing: any object)
                folded.append([sole[i] for i in range(len(group))])
        else:
            rest.append(group)
    if len(rest) == len(spec.any_of):
        return spec
    return dataclasses.replace(spec, any_of=rest, any_required=spec.any_required + folded)


def _to_schema(schema: Any) -> Any:
    if isinstance(schema, (dict, bool)):
        return schema
    if isinstance(schema, str):
        try:
            return json.loads(schema)
        except ValueError as exc:
            raise SchemaError(f"the schema string is not JSON: {exc}") from exc
    from .pydantic_support import schema_of

    return schema_of(schema)


def JsonSchema(  # noqa: N802 - reads as a class at call sites
    schema: Any,
    *,
    key_order: str | list[str] | tuple[str, ...] = "schema",
    strict: bool = True,
    whitespace: Any = "default",
    unsupported: str = "error",
    resources: Mapping[str, Any] | None = None,
) -> Parser:
    """A parser for JSON texts that validate against ``schema``.

    ``schema`` is a dict, a bool, a JSON string, or a Pydantic model class (or
    any type ``pydantic.TypeAdapter`` accepts, such as ``list[Person]``).

    Options:
      - ``key_order``: ``"schema"`` writes declared properties in the order of
        ``properties`` (optional ones may be skipped; undeclared keys, where
        allowed, come last); ``"any"`` accepts any order, each key at most once;
        a list of names puts those first, the rest in schema order. Objects
        whose keys other parts of the schema decide later (``dependencies``
        schemas, ``if``/``then``, a ``oneOf`` of branches that may overlap)
        take their keys in any order, since a fixed one could leave no way to
        finish them.
      - ``strict``: when a schema declares ``properties`` (or
        ``patternProperties``) and says nothing of ``additionalProperties``,
        forbid undeclared keys (``True``, generation-friendly) or allow them
        as JSON Schema does (``False``). Like the key order, it narrows only
        what is generated: a subschema whose texts are excluded (``not``, a
        failed ``if``, another ``oneOf`` branch) keeps its whole language.
      - ``whitespace``: ``"default"`` accepts ``json.dumps`` output with or
        without ``indent`` (up to 4 per level) and ``separators=(",", ":")``;
        ``"compact"`` allows none; an int (or ``{"indent": n}``) sets the largest
        indent per level. No whitespace before or after the top-level value.
      - ``unsupported``: ``"error"`` raises :class:`UnsupportedSchemaError` on
        an assertion that cannot be enforced; ``"ignore"`` drops it (the output
        may then fail validation on that keyword).
      - ``resources``: URI -> schema document for remote ``$ref`` (never downloaded).

    Keys are matched on their decoded text. With ``key_order="any"`` any
    escaping of a key is accepted; with a fixed order (meant for generation)
    keys take their canonical spelling (``json.dumps(..., ensure_ascii=False)``),
    so once a key starts its text is forced and the generation loop
    fast-forwards it. ``enum`` and ``const`` objects follow ``key_order`` too.
    """
    if isinstance(key_order, (list, tuple)):
        if not all(isinstance(k, str) for k in key_order):
            raise GrammarError("key_order list must hold property names (str)")
        order: tuple[str, ...] | str = tuple(key_order)
    elif key_order in KEY_ORDERS:
        order = key_order
    else:
        raise GrammarError(f"key_order must be 'schema', 'any' or a list of names, got {key_order!r}")
    if unsupported not in ("error", "ignore"):
        raise GrammarError(f"unsupported must be 'error' or 'ignore', got {unsupported!r}")
    if resources is not None and not isinstance(resources, Mapping):
        raise GrammarError("resources must be a mapping of URI -> schema")
    options = Options(order, bool(strict), make_policy(whitespace), unsupported)
    root = _to_schema(schema)
    if not isinstance(root, (dict, bool)):
        raise SchemaError(f"a schema must be an object or a boolean, got {type(root).__name__}")
    compiler = Compiler(root, options, resources)
    node = compiler.compile()
    finish(node)
    return node.start(0)


def _one_free_text(texts: list[FreeText]) -> FreeText | None:
    """Counted strings read side by side as one: the characters all of them take,
    at least the most any needs and at most the fewest any allows."""
    chars = texts[0].chars
    for text in texts[1:]:
        chars = chars & text.chars
    least = max(text.min_length for text in texts)
    bounds = [text.remaining for text in texts if text.remaining is not None]
    most = min(bounds) if bounds else None
    if most is not None and least > most:
        return None  # (no text is that long and that short)
    return FreeText(most, min_length=least, chars=chars)

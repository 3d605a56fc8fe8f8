"""JSON objects: keys in a chosen order, each value parsed by its property's schema.

The state of an object is small and structural: the phase (before a key,
inside a key, after the colon, inside a value...), the whitespace slot, a
bitmask of the declared properties already written, the next declared
position (fixed key order), a property count (only as far as min/max
properties need it) and the state of the key or value being read. Keys are
recognised on their *decoded* text by a trie of the declared names run side
by side with the ``patternProperties`` automata, so a key prefix that can
lead to no allowed key is never offered.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Hashable, Iterator
from typing import TYPE_CHECKING, Any

from ...memo import per_view, remember
from ..base import Parser, SealedKey, TokenView, grammar_id
from ..charset import CharSet
from ..logic import takes_any_rest
from .nodes import (
    _NEVER,
    AFTER_VALUE,
    Colon,
    Never,
    Node,
    Padded,
    container_levels,
    cycles_met,
    fresh_guard,
    last_bracket_key,
    takes_any_value,
    value_key,
)
from .strings import ESCAPED_ONLY, JsonString, child_enclosed

if TYPE_CHECKING:
    from .whitespace import WhitespacePolicy

__all__ = ["ObjectNode", "ObjectState"]

OPEN, FIRST, KEY, COLON, PREVAL, VALUE, POSTVAL, PREKEY, DONE = range(9)
_KEY_NAMES = 4  # a key is keyed by its names' futures while at most this many are left
_UNKNOWN = object()  # (a memo's miss, where None is a kept answer)
_QUOTE_ONLY = frozenset({b""})  # the opened string of a token that ends with its quote
_OPEN_SET = CharSet.of("{")
_QUOTE_SET = CharSet.of('"')
_CLOSE_SET = CharSet.of("}")
_COMMA_SET = CharSet.of(",")
_COLON_SET = CharSet.of(":")


def set_bits(mask: int) -> Iterator[int]:
    """The indexes of ``mask``'s set bits, ascending -- only those: an object may
    declare hundreds of names and a mask of them hold a few."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


class _Trie:
    """The declared names as a trie over decoded characters."""

    __slots__ = ("_chars", "_closers", "_last_escape", "_rests", "below", "children", "depth", "ends",
                 "final", "first", "names")

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self._chars: dict[tuple[int, int], CharSet] = {}
        self._closers: dict[tuple[int, bool], tuple[str, ...]] = {}
        self.children: list[dict[str, int]] = [{}]
        self.final: list[int] = [-1]
        self.depth: list[int] = [0]  # characters from the root
        self.below: list[int] = [0]  # bitmask of names in the subtree
        self.ends: list[int] = []  # the node where each name ends
        self._rests: dict[tuple[int, int], tuple[tuple[str, ...], tuple[int, ...]] | None] = {}
        # per name, where its last character that JSON must escape is (-1: none)
        self._last_escape = [max((k for k, ch in enumerate(name) if ch in ESCAPED_ONLY), default=-1)
                             for name in names]
        for i, name in enumerate(names):
            node = 0
            self.below[0] |= 1 << i
            for ch in name:
                nxt = self.children[node].get(ch)
                if nxt is None:
                    nxt = len(self.children)
                    self.children[node][ch] = nxt
                    self.children.append({})
                    self.final.append(-1)
                    self.below.append(0)
                    self.depth.append(self.depth[node] + 1)
                node = nxt
                self.below[node] |= 1 << i
            self.final[node] = i
            self.ends.append(node)

    def rests(self, pos: int, cand: int) -> tuple[tuple[str, ...], tuple[int, ...]] | None:
        """The canonical spellings of the rests of the names in ``cand`` from ``pos``
        on, each with its closing quote, and the names' indexes; ``None`` when a
        rest needs an escape (kept: every key state of a walk asks)."""
        key = (pos, cand)
        if key in self._rests:
            return self._rests[key]
        live = self.below[pos] & cand
        skip = self.depth[pos]
        found = tuple(set_bits(live))
        got = None
        if all(self._last_escape[i] < skip for i in found):
            got = tuple(self.names[i][skip:] + '"' for i in found), found
        self._rests[key] = got
        return got

    def closers(self, pos: int, canonical: bool) -> tuple[str, ...]:
        """Text prefixes that cover every way the key text from ``pos`` on can
        finish a declared name and close the string: the rest of each name with
        the closing quote, spelled canonically; or, where any escape may be used,
        the rest up to each place a backslash could start an escape."""
        got = self._closers.get((pos, canonical))
        if got is None:
            out: set[str] = set()
            below = self.below[pos]
            skip = self.depth[pos]
            for i, name in enumerate(self.names):
                if not below >> i & 1:
                    continue
                rest = name[skip:]
                if canonical:
                    out.add(json.dumps(rest, ensure_ascii=False)[1:-1] + '"')
                    continue
                for k in range(len(rest) + 1):
                    out.add(rest[:k] + "\\")
                    if k < len(rest) and rest[k] in ESCAPED_ONLY:
                        break
                else:
                    out.add(rest + '"')
            got = self._closers[(pos, canonical)] = tuple(sorted(out))
        return got

    def next_chars(self, pos: int, cand: int) -> CharSet:
        """The characters that go on from ``pos`` towards a name in ``cand`` (kept:
        every key state of a token walk asks, and a walk asks again at each node)."""
        got = self._chars.get((pos, cand))
        if got is None:
            below = self.below
            kids = self.children[pos]
            if len(kids) == 1:  # most nodes of a names trie: no set to build
                (char, child), = kids.items()
                got = CharSet.of(char) if below[child] & cand else CharSet.EMPTY
            else:
                got = CharSet.of_codes(sorted(ord(c) for c, n in kids.items() if below[n] & cand))
            self._chars[(pos, cand)] = got
        return got


class ObjectNode(Node):
    """A compiled object schema (see the module docstring)."""

    __slots__ = (
        "_between",
        "_cands",
        "_extra_factory",
        "_extra_live",
        "_extra_nodes",
        "_free_gid",
        "_live",
        "_no_names",
        "additional",
        "any_required",
        "count_cap",
        "deps",
        "fixed",
        "index",
        "max_props",
        "min_props",
        "names",
        "names_node",
        "patterns",
        "required",
        "trie",
        "values",
        "ws",
    )

    def __init__(self, gid: int, *, names: list[str], values: list[Node], required: int,
                 deps: dict[int, int], patterns: list[tuple[Parser, Node]],
                 additional: Node | None, names_node: Node | None, min_props: int,
                 max_props: int | None, fixed: bool, ws: WhitespacePolicy,
                 extra_factory: object = None, any_required: tuple[tuple[int, ...], ...] = ()) -> None:
        """``any_required``: groups of names (bitmasks), one of each group all among
        the keys (an anyOf of branches that only require names)."""
        super().__init__(gid)
        self.any_required = any_required
        self.names = names
        self.index = {n: i for i, n in enumerate(names)}
        self.values = values
        self.required = required
        self.deps = deps
        self.patterns = patterns
        self.additional = additional
        self.names_node = names_node
        self.min_props = min_props
        self.max_props = max_props
        self.fixed = fixed
        self.ws = ws
        self.trie = _Trie(names)
        self.count_cap = max_props if max_props is not None else min_props
        self._cands: dict[tuple[int, int, int], tuple[int, bool]] = {}
        self._between: dict[tuple[int, ...], CharSet] = {}
        self._extra_nodes: dict[tuple[int, ...], Node] = {}
        self._extra_live: dict[tuple[int, ...], bool] = {}
        self._extra_factory = extra_factory
        self._live: int | None = None
        # minProperties counts distinct names, as a parsed object has them: while
        # it is not met, the undeclared names written are kept (and not offered
        # again), where two of them could otherwise make one property
        undeclared = additional is not None or bool(patterns)
        self._no_names: frozenset[str] | None = frozenset() if undeclared and min_props >= 2 else None
        self._free_gid: int | None = None

    @property
    def free_gid(self) -> int:
        """A grammar id of this node without its required names: equal for two
        nodes that differ only in what they require (the branches of a ``oneOf``
        of ``required`` lists, each read with the object's properties), whose
        objects take the same rests once each has its names."""
        got = self._free_gid
        if got is None:
            got = self._free_gid = grammar_id((
                "object-free", tuple(self.names), tuple(v.gid for v in self.values),
                tuple(sorted(self.deps.items())), tuple((p.key(), v.gid) for p, v in self.patterns),
                None if self.additional is None else self.additional.gid,
                None if self.names_node is None else self.names_node.gid,
                self.min_props, self.max_props, self.fixed, self.ws.describe(),
            ))
        return got

    def children(self) -> tuple[Node, ...]:
        more = [node for node in (self.additional, self.names_node) if node is not None]
        return (*self.values, *(node for _, node in self.patterns), *more)

    def finish(self) -> None:
        self.live_names()

    def start(self, depth: int) -> Parser:
        live = self.live_names()
        if self.required & ~live or any(all(alt & ~live for alt in g) for g in self.any_required):
            return _NEVER  # a required member no value satisfies: no object does
        return ObjectState(self, depth, OPEN, 0, 0, 0, 0, None, None, None, self._no_names)

    def live_names(self) -> int:
        """The declared names (a bitmask) some value satisfies: a name whose schema
        is unsatisfiable (``"enum": [...strings], "type": "object"``) is never
        offered, where a key once written would leave no value to write."""
        got = self._live
        if got is None:
            # (assumed while computing: a member whose value is this object again)
            self._live = (1 << len(self.names)) - 1
            got = 0
            with fresh_guard():
                for i, value in enumerate(self.values):
                    if not isinstance(value.start(0), Never):
                        got |= 1 << i
            self._live = got
        return got

    def first(self) -> CharSet:
        return _OPEN_SET

    # -- bookkeeping ---------------------------------------------------------
    def groups_met(self, seen: int) -> bool:
        """Whether each group of :attr:`any_required` has one all among ``seen``."""
        # (most objects have no groups: no generator made for them, at every key)
        return not self.any_required or all(_met(group, seen) for group in self.any_required)

    def missing(self, seen: int) -> int:
        """Names still needed: the required ones, and those of every group not met."""
        out = self.required_now(seen) & ~seen
        for group in self.any_required:
            if not _met(group, seen):
                for alt in group:
                    out |= alt & ~seen
        return out

    def _groups_reachable(self, seen: int, pos: int) -> bool:
        """In a fixed key order, from position ``pos`` on: whether each group still has
        one whose missing names -- with the names those depend on -- are all live
        and still to come. (Without the dependencies, a Tabris API object took a
        key past "title" and "type" for its group's third name, "object", which
        depends on "type": no closing brace could follow.)"""
        live = self.live_names()
        before = (1 << pos) - 1
        return all(any(not (self._needs(seen | alt) & ~seen) & (before | ~live) for alt in group)
                   for group in self.any_required)

    def _needs(self, names: int) -> int:
        """``names`` with every name they require, through dependencies."""
        while True:
            more = names | self.required_now(names)
            if more == names:
                return names
            names = more

    def required_now(self, seen: int) -> int:
        req = self.required
        if self.deps:
            for i, mask in self.deps.items():
                if seen >> i & 1:
                    req |= mask
        return req

    def candidates(self, seen: int, pos: int, count: int) -> tuple[int, bool]:
        """(declared names that may come next as a bitmask, whether another key may)."""
        k = (seen, pos, count)
        hit = self._cands.get(k)
        if hit is not None:
            return hit
        out = self._candidates(seen, pos, count)
        self._cands[k] = out
        return out

    def _candidates(self, seen: int, pos: int, count: int) -> tuple[int, bool]:
        max_props = self.max_props
        if max_props is not None and count >= max_props:
            return 0, False
        unmet = self.required_now(seen) & ~seen
        n = len(self.names)
        live = self.live_names()
        cand = 0
        if self.fixed:
            for i in range(pos, n):
                cand |= 1 << i
                if unmet >> i & 1:
                    break
        else:
            cand = ((1 << n) - 1) & ~seen
        cand &= live
        if cand and count + 1 < self.min_props and self.additional is None and not self.patterns:
            # only declared names can come: one after which too few are left for
            # minProperties leads nowhere (the last name first, in a fixed order)
            kept = 0
            for i in range(n):
                if cand >> i & 1:
                    later = live & ~seen & ~(1 << i)
                    if self.fixed:
                        later &= ~((1 << (i + 1)) - 1)
                    if count + 1 + bin(later).count("1") >= self.min_props:
                        kept |= 1 << i
            cand = kept
        if cand and (max_props is not None or self.deps):
            kept = 0
            for i in range(n):
                if not cand >> i & 1:
                    continue
                after = seen | 1 << i
                # (with what the names still needed depend on: a Tabris API object
                # that requires "object", which depends on "type", took a key past
                # "type" in a fixed order, and no closing brace could follow)
                need = self._needs(after) & ~after
                if self.fixed and need & ((1 << (i + 1)) - 1):
                    continue  # a dependency that had to come earlier
                if need & ~live:
                    continue  # a dependency no value satisfies
                if max_props is not None and count + 1 + bin(need).count("1") > max_props:
                    continue
                kept |= 1 << i
            cand = kept
        add_ok = (self.additional is not None or self._some_pattern_live()) and (
            max_props is None or count + 1 + bin(unmet).count("1") <= max_props)
        if self.any_required and self.fixed:
            # (a name past which some group could no longer be met is not offered;
            # an undeclared key comes after every declared one)
            cand = sum(1 << i for i in range(n)
                       if cand >> i & 1 and self._groups_reachable(seen | 1 << i, i + 1))
            if not self.groups_met(seen):
                add_ok = False
        if self.fixed and unmet:
            add_ok = False
        return cand, add_ok

    def can_close(self, seen: int, count: int) -> bool:
        return not (self.required_now(seen) & ~seen) and count >= self.min_props and self.groups_met(seen)

    def more_keys(self, seen: int, pos: int, count: int) -> bool:
        cand, add_ok = self.candidates(seen, pos, count)
        return bool(cand) or add_ok

    def between_allowed(self, phase: int, ws: int, depth: int, seen: int, pos: int, count: int) -> CharSet:
        """What a state between members allows (before the first key, after a
        comma, after a value), kept: walk after walk asks it of new states."""
        memo = (phase, ws, depth, seen, pos, count)
        got = self._between.get(memo)
        if got is None:
            got = self.ws.allowed(ws, depth)
            if phase == POSTVAL:
                if self.more_keys(seen, pos, count):
                    got = got | _COMMA_SET
                if self.can_close(seen, count):
                    got = got | _CLOSE_SET
            else:
                if self.more_keys(seen, pos, count):
                    got = got | _QUOTE_SET
                if phase == FIRST and self.can_close(seen, count):
                    got = got | _CLOSE_SET
            self._between[memo] = got
        return got

    def _some_pattern_live(self) -> bool:
        """Whether some pattern's keys can have a value (where no other key may come)."""
        return any(self.extra_possible((i,)) for i in range(len(self.patterns)))

    def extra_possible(self, matched: tuple[int, ...]) -> bool:
        """Whether an undeclared key matching these patterns can have a value at all
        (a pattern's schema may be unsatisfiable: a game log's per-player results
        require a "rating" their closed schema does not declare -- once such a key
        was written no value could follow)."""
        got = self._extra_live.get(matched)
        if got is None:
            node = self.extra_node(matched)
            with fresh_guard():
                got = node is not None and not isinstance(node.start(0), Never)
            self._extra_live[matched] = got
        return got

    def extra_node(self, matched: tuple[int, ...]) -> Node | None:
        """The value schema of an undeclared key matching these patterns."""
        if not matched:
            return self.additional
        node = self._extra_nodes.get(matched)
        if node is None:
            if len(matched) == 1:
                node = self.patterns[matched[0]][1]
            else:
                from .nodes import IntersectNode
                node = IntersectNode(grammar_id((self.gid, "patterns", matched)),
                                     [self.patterns[i][1] for i in matched])
            self._extra_nodes[matched] = node
        return node

    def _compute_shortest(self) -> str | None:
        return self.start(0).shortest()


def _met(group: tuple[int, ...], seen: int) -> bool:
    """Whether one of ``group`` (name bitmasks) is all among ``seen``."""
    return any(not alt & ~seen for alt in group)


class KeyText(Parser):
    """The decoded text of a key: a declared name among ``cand``, or (``add_ok``) an
    undeclared one that some pattern matches or that additionalProperties allows."""

    __slots__ = ("_key", "add_ok", "avoid", "cand", "forget", "node", "pstates", "text", "trie_pos")

    def __init__(self, node: ObjectNode, trie_pos: int, cand: int, add_ok: bool,
                 pstates: tuple[Parser | None, ...], avoid: frozenset[str] | None = None,
                 text: str = "", forget: bool = False) -> None:
        """``avoid``: undeclared names this key may not be (``None``: any; then
        ``text``, the key so far, is not kept). ``forget``: the text is kept only
        while some name to avoid starts with it (see :meth:`forgetting`)."""
        self.node = node
        self.trie_pos = trie_pos
        self.cand = cand
        self.add_ok = add_ok
        self.pstates = pstates
        self.avoid = avoid
        self.text = text
        self.forget = forget
        self._key: Hashable = None

    def forgetting(self) -> KeyText:
        """This key's text as read up to its closing quote, not past it: the same
        texts are taken and refused, but once no name to avoid starts with the
        text, the text is dropped -- there the key reads as any other key with
        its declared names and patterns, and loops where that one loops. The
        object itself keeps the text (the name is avoided by later keys); a mask
        of the string alone need not (see :meth:`ObjectState.enclosed`)."""
        if self.avoid is None or self.forget:
            return self
        return self._with_text(self.trie_pos, self.pstates, self.text, True)

    def _with_text(self, pos: int, pstates: tuple[Parser | None, ...], text: str, forget: bool) -> KeyText:
        """This key, at ``pos`` with ``pstates``, keeping ``text`` -- or, forgetting,
        dropping it where no name to avoid starts with it."""
        avoid = self.avoid
        assert avoid is not None
        if forget and not any(n.startswith(text) for n in avoid):
            return KeyText(self.node, pos, self.cand, self.add_ok, pstates)
        return KeyText(self.node, pos, self.cand, self.add_ok, pstates, avoid, text, forget)

    def _declared_alive(self) -> bool:
        return self.trie_pos >= 0 and bool(self.node.trie.below[self.trie_pos] & self.cand)

    def _extra_alive(self) -> bool:
        if not self.add_ok:
            return False
        return self.node.additional is not None or any(p is not None for p in self.pstates)

    def advance(self, char: str) -> Parser | None:
        trie = self.node.trie
        pos = trie.children[self.trie_pos].get(char, -1) if self.trie_pos >= 0 else -1
        pstates = self.pstates
        if self.add_ok and pstates:
            pstates = tuple(None if p is None else p.advance(char) for p in pstates)
        declared = pos >= 0 and bool(trie.below[pos] & self.cand)
        extra = self.add_ok and (self.node.additional is not None
                                 or any(p is not None for p in pstates))
        if not declared and not extra:
            return None
        if self.avoid is not None:
            return self._with_text(pos, pstates, self.text + char, self.forget)
        if pos == self.trie_pos == -1 and pstates == self.pstates:
            return self
        return KeyText(self.node, pos, self.cand, self.add_ok, pstates)

    def allowed(self) -> CharSet:
        out = CharSet.EMPTY
        if self.trie_pos >= 0:
            out = self.node.trie.next_chars(self.trie_pos, self.cand)
        if self.add_ok:
            if self.node.additional is not None:
                return CharSet.ANY
            for p in self.pstates:
                if p is not None:
                    out = out | p.allowed()
        return out

    def loop(self) -> CharSet:
        if self.trie_pos >= 0 or not self.add_ok or self.avoid is not None:
            return CharSet.EMPTY
        out = CharSet.ANY if self.node.additional is not None else None
        for p in self.pstates:
            if p is not None:
                out = p.loop() if out is None else out & p.loop()
            elif self.node.additional is None:
                continue
        return out or CharSet.EMPTY

    def step_class(self, char: str) -> CharSet:
        if self.avoid is not None:
            return CharSet.of(char)  # each character makes another name
        trie = self.node.trie
        if self.trie_pos >= 0:
            following = trie.children[self.trie_pos]
            if char in following:
                return CharSet.of(char)
            out = ~CharSet.of(following)
        else:
            out = CharSet.ANY
        if self.add_ok:
            for p in self.pstates:
                if p is not None:
                    out = out & p.step_class(char)
        return out

    def declared_index(self) -> int:
        if self.trie_pos < 0:
            return -1
        return self.node.trie.final[self.trie_pos]

    def can_end(self) -> bool:
        idx = self.declared_index()
        if idx >= 0:
            return bool(self.cand >> idx & 1)
        if not self.add_ok or (self.avoid is not None and self.text in self.avoid):
            return False
        if not self.pstates:
            return self.node.additional is not None
        return self.node.extra_possible(self.matched())

    def matched(self) -> tuple[int, ...]:
        return tuple(i for i, p in enumerate(self.pstates) if p is not None and p.can_end())

    def stand_in(self) -> tuple[Parser, tuple[str, ...]] | None:
        # A forgetting key (see :meth:`forgetting`) is the same key without the
        # text on every text that leaves the names to avoid: only texts starting
        # with a next letter of one of them differ.
        avoid = self.avoid
        if not self.forget or avoid is None:
            return None
        at = len(self.text)
        nexts = sorted({n[at] for n in avoid if len(n) > at and n.startswith(self.text)})
        return KeyText(self.node, self.trie_pos, self.cand, self.add_ok, self.pstates), tuple(nexts)

    def any_key(self) -> bool:
        """Past every declared name, in an object that takes any other key: the same
        future (any text, then an undeclared key) in every object."""
        return (self.trie_pos < 0 and not self.pstates and self.add_ok and self.node.additional is not None
                and self.avoid is None)

    def key(self) -> Hashable:
        k = self._key
        if k is None:
            if self.any_key():
                k = self._key = ("key", "any")
            else:
                # (only the names below the place in the trie can still be written)
                cand = self.cand & self.node.trie.below[self.trie_pos] if self.trie_pos >= 0 else 0
                k = self._key = (self.node.gid, "key", self.trie_pos, cand, self.add_ok,
                                 tuple(None if p is None else p.key() for p in self.pstates),
                                 None if self.avoid is None else (self.avoid, self.text, self.forget))
        return k


_new_object_state = object.__new__  # (see ObjectState._moved)


class ObjectState(Parser):
    """One state of an object value (see the module docstring)."""

    __slots__ = ("_allowed", "_ckey", "_key", "_mkey", "_then", "child", "count", "cur", "depth", "names",
                 "node", "phase", "pn", "pos", "seen", "ws")

    def __init__(self, node: ObjectNode, depth: int, phase: int, ws: int, seen: int, pos: int,
                 count: int, cur: Node | None, child: Parser | None, pn: Parser | None,
                 names: frozenset[str] | None = None) -> None:
        """``names``: the undeclared names written, while minProperties needs them
        (see :class:`ObjectNode`); ``None`` otherwise."""
        self.node = node
        self.depth = depth
        self.phase = phase
        self.ws = ws
        self.seen = seen
        self.pos = pos
        self.count = count
        self.cur = cur
        self.child = child
        self.pn = pn
        self.names = names
        self._key: Hashable = None
        self._mkey: tuple[Any, ...] | None = None
        #: (view serial, horizon, cache key, levels reached: what the parent asks next);
        #: one tuple, not slots apiece: a state may be keyed by two vocabularies'
        #: threads at once, and one store is read whole or not at all
        self._ckey: tuple[int, int, Hashable, int] | None = None
        #: (view serial, what the object does after the member's value): the same for
        #: every state of one value, handed on as the value advances
        self._then: tuple[int, Hashable] | None = None
        self._allowed: CharSet | None = None

    def _with(self, phase: int, ws: int = 0, child: Parser | None = None) -> ObjectState:
        return self._moved(phase, ws, self.cur, child, None)

    def _moved(self, phase: int, ws: int, cur: Node | None, child: Parser | None,
               pn: Parser | None) -> ObjectState:
        """The same object at the same progress in another phase (made slot by slot,
        not through ``__init__``'s eleven arguments: walks step from phase to phase
        character by character)."""
        out = _new_object_state(ObjectState)
        out.node = self.node
        out.depth = self.depth
        out.phase = phase
        out.ws = ws
        out.seen = self.seen
        out.pos = self.pos
        out.count = self.count
        out.cur = cur
        out.child = child
        out.pn = pn
        out.names = self.names
        out._key = None
        out._mkey = None
        out._ckey = None
        out._then = None
        out._allowed = None
        return out

    # -- key start / end -------------------------------------------------------
    def _start_key(self) -> ObjectState | None:
        node = self.node
        cand, add_ok = node.candidates(self.seen, self.pos, self.count)
        if not cand and not add_ok:
            return None
        pstates = tuple(p for p, _ in node.patterns) if add_ok else ()
        inner = KeyText(node, 0, cand, add_ok, pstates, self.names if add_ok else None)
        # With a fixed key order the output is meant to be generated: keys take
        # their one canonical spelling, so a key's text is forced once it starts.
        key_state = JsonString(inner, canonical=node.fixed).advance('"')
        assert key_state is not None
        pn = None
        if node.names_node is not None:
            pn = node.names_node.start(self.depth + 1).advance('"')
            if pn is None:
                return None
        return self._moved(KEY, 0, None, key_state, pn)

    def _end_key(self, key_state: Parser, pn: Parser | None) -> ObjectState | None:
        inner = key_state.value  # type: ignore[attr-defined]
        assert isinstance(inner, KeyText)
        if pn is not None and not pn.can_end():
            return None
        return self._after_key(inner)

    def _after_key(self, inner: KeyText) -> ObjectState | None:
        """The state after the closing quote of a key whose text ``inner`` read."""
        node = self.node
        idx = inner.declared_index()
        count = min(self.count + 1, node.count_cap)
        names = self.names
        if idx >= 0 and inner.cand >> idx & 1:
            seen = self.seen | 1 << idx
            pos = idx + 1 if node.fixed else 0
            cur: Node | None = node.values[idx]
        else:
            seen = self.seen
            pos = len(node.names) if node.fixed else 0
            cur = node.extra_node(inner.matched())
            if cur is None:
                return None
            if names is not None:
                names = names | {inner.text}
        if names is not None and count >= node.min_props:
            names = None  # met: more names, new or not, keep it met
        return ObjectState(node, self.depth, COLON, 0, seen, pos, count, cur, None, None, names)

    # -- the four primitives ---------------------------------------------------
    def advance(self, char: str) -> Parser | None:
        phase = self.phase
        node = self.node
        if phase == VALUE:
            child = self.child
            assert child is not None
            nxt = child.advance(char)
            if nxt is not None:
                if nxt is child:
                    return self
                out = self._moved(VALUE, 0, self.cur, nxt, None)
                out._then = self._then
                return out
            if not child.can_end():
                return None
            return self._after_value(char, 0)
        if phase == KEY:
            child = self.child
            assert child is not None
            nxt = child.advance(char)
            if nxt is None:
                return None
            pn = self.pn
            if pn is not None:
                pn = pn.advance(char)
                if pn is None:
                    return None
            if nxt.can_end():
                return self._end_key(nxt, pn)
            if nxt is child and pn is self.pn:
                return self
            return self._moved(KEY, 0, None, nxt, pn)
        if phase == OPEN:
            return self._with(FIRST) if char == "{" else None
        if phase == COLON:
            return self._with(PREVAL) if char == ":" else None
        if phase == PREVAL:
            ws = node.ws.advance(self.ws, self.depth, char)
            if ws is not None:
                return self._with(PREVAL, ws)
            assert self.cur is not None
            st = self.cur.start(self.depth + 1).advance(char)
            if st is None:
                return None
            return self._moved(VALUE, 0, self.cur, st, None)
        if phase == POSTVAL:
            return self._after_value(char, self.ws)
        if phase in (FIRST, PREKEY):
            ws = node.ws.advance(self.ws, self.depth, char)
            if ws is not None:
                return self._with(phase, ws)
            if char == '"':
                st = self._start_key()
                if st is None:
                    return None
                return st
            if char == "}" and phase == FIRST and node.can_close(self.seen, self.count):
                return self._with(DONE)
            return None
        return None

    def _after_value(self, char: str, ws: int) -> Parser | None:
        node = self.node
        nws = node.ws.advance(ws, self.depth, char)
        if nws is not None:
            return self._with(POSTVAL, nws)
        if char == ",":
            if node.more_keys(self.seen, self.pos, self.count):
                return self._with(PREKEY)
            return None
        if char == "}" and node.can_close(self.seen, self.count):
            return self._with(DONE)
        return None

    def _after_value_allowed(self, ws: int) -> CharSet:
        return self.node.between_allowed(POSTVAL, ws, self.depth, self.seen, self.pos, self.count)

    def allowed(self) -> CharSet:
        # asked at every node of a token walk, by the state and by its parents
        out = self._allowed
        if out is None:
            out = self._allowed = self._compute_allowed()
        return out

    def _compute_allowed(self) -> CharSet:
        phase = self.phase
        node = self.node
        if phase == VALUE:
            child = self.child
            assert child is not None
            out = child.allowed()
            if child.can_end():
                out = out | self._after_value_allowed(0)
            return out
        if phase == KEY:
            assert self.child is not None
            out = self.child.allowed()
            if self.pn is not None:
                out = out & self.pn.allowed()
            return out
        if phase == OPEN:
            return _OPEN_SET
        if phase == COLON:
            return _COLON_SET
        if phase == PREVAL:
            assert self.cur is not None
            return node.ws.allowed(self.ws, self.depth) | self.cur.first()
        if phase == POSTVAL:
            return self._after_value_allowed(self.ws)
        if phase in (FIRST, PREKEY):
            return node.between_allowed(phase, self.ws, self.depth, self.seen, self.pos, self.count)
        return CharSet.EMPTY

    def can_end(self) -> bool:
        return self.phase == DONE

    def loop(self) -> CharSet:
        if self.phase == VALUE:
            assert self.child is not None
            out = self.child.loop()
            if out and self.child.can_end():
                out = out - self._after_value_allowed(0)
            return out
        if self.phase == KEY:
            assert self.child is not None
            out = self.child.loop()
            if out and self.pn is not None:
                out = out & self.pn.loop()
            return out
        return CharSet.EMPTY

    def loop_limit(self) -> int | None:
        # the loop is the child's, so its count is too
        if self.phase == VALUE:
            assert self.child is not None
            return self.child.loop_limit()
        if self.phase == KEY:
            assert self.child is not None
            limits = [n for n in (self.child.loop_limit(),
                                  None if self.pn is None else self.pn.loop_limit()) if n is not None]
            return min(limits) if limits else None
        return None

    def step_class(self, char: str) -> CharSet:
        if self.phase == VALUE:
            assert self.child is not None
            if not self.child.can_end():
                return self.child.step_class(char)
            after = self._after_value_allowed(0)
            return CharSet.of(char) if char in after else self.child.step_class(char) - after
        if self.phase == KEY:
            assert self.child is not None
            out = self.child.step_class(char)
            return out if self.pn is None else out & self.pn.step_class(char)
        return CharSet.of(char)

    def layout(self) -> CharSet:
        # whitespace between tokens; inside a value, the value's own
        phase = self.phase
        child = self.child
        if phase == VALUE:
            assert child is not None
            out = child.layout()
            if child.can_end():  # whitespace after the value, where the value takes none
                out = out | (self.node.ws.allowed(0, self.depth) - child.allowed())
            return out
        if phase == KEY:
            assert child is not None
            return child.layout() if self.pn is None else child.layout() & self.pn.layout()
        if phase in (FIRST, PREVAL, POSTVAL, PREKEY):
            return self.node.ws.allowed(self.ws, self.depth)
        return CharSet.EMPTY

    def takes_any_rest(self) -> bool:
        """Whether every text that finishes this object is taken: an object whose
        required names are written and that says nothing else (every other key,
        any value). What a ``not`` or a failed ``if`` reading it can no longer be
        (:class:`~lmparsec.combinators.jsonschema.nodes.ValueComplement`)."""
        # (the object's own words first: asked of every part of a oneOf at every
        # character, where most objects are closed -- a Vega-Lite spec's branches
        # spent a third of their masks asking their members' values first)
        node = self.node
        if (node.additional is None or not takes_any_value(node.additional) or node.patterns
                or node.names_node is not None or node.max_props is not None or node.fixed
                or node.missing(self.seen) or self.count < node.min_props):
            return False
        phase = self.phase
        if phase == VALUE:
            child = self.child
            assert child is not None
            if child.can_end() and not child.allowed():
                pass  # (the value is whole)
            elif not takes_any_rest(child):
                return False  # (a value still going on that some rest refuses)
        elif phase in (COLON, PREVAL):
            if self.cur is None or not takes_any_value(self.cur):
                return False
        elif phase not in (FIRST, POSTVAL, PREKEY):
            return False
        return all(self.seen >> i & 1 or takes_any_value(v) for i, v in enumerate(node.values))

    def _with_value(self, child: Parser) -> ObjectState:
        """This member's value position reading ``child`` instead."""
        return self._moved(VALUE, 0, self.cur, child, None)

    def enclosed(self) -> tuple[Parser, Parser | None] | None:
        # Inside a string value (or a key past every declared name) that any text
        # leaves as it is, this object takes what the string takes, and after its
        # closing quote goes on as it would after any other text of it.
        child = self.child
        if child is None:
            return None
        if self.phase == VALUE:
            return child_enclosed(child, self._with_value)
        if self.phase != KEY or self.pn is not None or not isinstance(child, JsonString):
            return None
        inner = child.value
        if not isinstance(inner, KeyText):
            return None
        if inner.any_key() and child.uniform():
            after = self.advance('"')
            return None if after is None else (child, after)
        # A key that keeps its text while minProperties is unmet (a repeated name would
        # not count: it is refused at its quote) takes, up to its quote, what the
        # same key forgetting its text once no name to avoid starts with it takes
        # (KeyText.forgetting: that one loops where any key does, so its mask is
        # made of loop tables, not a walk of the vocabulary char by char); a token
        # going past the quote is walked whole from here (what follows depends on
        # the text: the name joins those later keys avoid).
        if inner.avoid is None:
            return None
        return child.with_value(inner.forgetting()), None

    def fixed_texts(self) -> tuple[tuple[str, ...], Callable[[int], Parser]] | None:
        # Inside a key that can only be a declared name spelled one way (a fixed key
        # order, no other keys, no propertyNames): the names' rests and the quote.
        if self.phase == VALUE:
            assert self.child is not None
            got = self.child.fixed_texts()
            if got is None:
                return None
            texts, then = got
            wrap = self._with_value
            return texts, lambda k: wrap(then(k))
        text = self.child
        if (self.phase != KEY or self.pn is not None or not isinstance(text, JsonString)
                or not text.canonical or not text.in_content()):
            return None
        inner = text.value
        if not isinstance(inner, KeyText) or inner.add_ok or inner.trie_pos < 0:
            return None
        rests = self.node.trie.rests(inner.trie_pos, inner.cand)
        if rests is None:
            return None
        texts, names = rests
        # (the state after a name is made only for the few rests some token goes past)
        cand = inner.cand
        return texts, lambda k: self._after_name(names[k], cand)

    def _after_name(self, i: int, cand: int) -> Parser:
        """The state after the closing quote of declared name ``i`` (one of ``cand``)."""
        after = self._after_key(KeyText(self.node, self.node.trie.ends[i], cand, False, ()))
        assert after is not None  # (a declared name in ``cand`` always has a value)
        return after

    def segment(self) -> tuple[Parser, Parser, CharSet] | None:
        # After the colon: whitespace and the member's value, then the object goes
        # on as after any value of it (the value's node is shared by many members);
        # after a key's closing quote, the same behind a colon.
        if self.phase == COLON:
            assert self.cur is not None
            return Colon(self.node.ws, self.depth, self.cur), self._with(POSTVAL), AFTER_VALUE
        if self.phase == PREVAL:
            assert self.cur is not None
            return Padded(self.node.ws, self.ws, self.depth, self.cur), self._with(POSTVAL), AFTER_VALUE
        if self.phase == VALUE:
            assert self.child is not None
            got = self.child.segment()
            if got is None:
                return self.child, self._with(POSTVAL), AFTER_VALUE
            return got[0], self._with_value(got[1]), got[2]
        return None

    def counted(self) -> tuple[Parser, int | None, int] | None:
        if self.phase != VALUE:
            return None
        assert self.child is not None
        got = self.child.counted()
        return None if got is None else (self._with_value(got[0]), got[1], got[2])

    def stand_in(self) -> tuple[Parser, tuple[str, ...]] | None:
        # Inside a declared name of an object that allows any other key, every
        # token is admitted as it would be after leaving the names, except those
        # that finish a declared name and close the key (its value differs, or
        # it is taken already): the undeclared state stands in for all the others.
        if self.phase == VALUE:
            # the child's promise holds for every text through this object too
            assert self.child is not None
            got = self.child.stand_in()
            return None if got is None else (self._with_value(got[0]), got[1])
        if self.phase != KEY or self.pn is not None:
            return None
        text = self.child
        if not isinstance(text, JsonString) or not text.in_content():
            return None
        inner = text.value
        node = self.node
        if (not isinstance(inner, KeyText) or inner.trie_pos < 0 or not inner.add_ok or inner.pstates
                or node.additional is None or inner.avoid is not None):
            return None
        other = text.with_value(KeyText(node, -1, inner.cand, True, ()))
        alt = ObjectState(node, self.depth, KEY, 0, self.seen, self.pos, self.count, None, other, None)
        return alt, node.trie.closers(inner.trie_pos, text.canonical)

    def key(self) -> Hashable:
        k = self._key
        if k is None:
            k = self._key = (
                self.node.gid, self.depth, self.phase, self.ws, self.seen, self.pos, self.count,
                None if self.cur is None else self.cur.gid,
                None if self.child is None else self.child.key(),
                None if self.pn is None else self.pn.key(), self.names,
            )
        return k

    @property
    def twin_group(self) -> Hashable:
        """Objects that may be :meth:`future` twins share this (and no others)."""
        return (self.node.free_gid, self.depth)

    def future(self) -> tuple[Hashable, bool]:
        """A key for what this object would take without its node's required
        names (see :attr:`ObjectNode.free_gid`), and whether that is what it
        takes: once its names are written. Objects of nodes that differ only
        in what they require -- the branches of a ``oneOf`` of ``required``
        lists, each read with the object's properties -- then go on alike, and
        one still missing names takes only rests those take
        (:class:`~lmparsec.combinators.logic.ExactlyOne` finds its twins so)."""
        node = self.node
        key = ("object-free", node.free_gid, self.depth, self.phase, self.ws, self.seen, self.pos,
               self.count, None if self.cur is None else self.cur.gid,
               None if self.child is None else self.child.key(), None if self.pn is None else self.pn.key(),
               self.names)
        return key, not node.missing(self.seen)

    def mask_key(self, horizon: int) -> Hashable:
        if self.child is None:
            return self.key()
        got = self._mkey
        if got is None or got[-1] != horizon:
            got = self._mkey = (
                self.node.gid, self.depth, self.phase, self.ws, self.seen, self.pos, self.count,
                None if self.cur is None else self.cur.gid, self.child.mask_key(horizon),
                None if self.pn is None else self.pn.mask_key(horizon), self.names, horizon,
            )
        return got

    def cache_key(self, view: TokenView, horizon: int) -> Hashable:
        # Inside a key, a member's value, and between them: keyed by the key or the
        # value and by what this object does after the value (its own progress only
        # as far as a token can tell it); elsewhere by mask_key.
        got = self._ckey
        if got is not None and got[0] == view.serial and got[1] == horizon:
            return got[2]
        phase = self.phase
        key: Hashable = None
        reach = 0
        if phase == VALUE:
            inside, after, reach = value_key(view, horizon, self)
            key = inside if after is None else ("object value", inside, after)
        elif phase == POSTVAL:
            key = ("object after value", self._post_key(view, self.ws, self.seen, self.pos, self.count))
        elif phase in (COLON, PREVAL):
            # the value by what its walk is kept by (its kind, at the depth a token
            # tells), not by which member's it is
            head = self.segment()
            assert head is not None
            key = ("object before value", head[0].cache_key(view, horizon),
                   self._post_key(view, 0, self.seen, self.pos, self.count))
        elif phase == DONE:
            key = ("object done",)  # (what comes next is its parent's)
        elif phase == OPEN:
            key = self._open_key(view)
        elif phase == KEY:
            key = self._key_cache_key(view)
        if key is None:
            key = self.mask_key(horizon)
        # (by number: a state may outlive the vocabulary's index)
        self._ckey = (view.serial, horizon, key, reach)
        return key

    def levels_reached(self, view: TokenView) -> int:
        phase = self.phase
        return container_levels(view, phase == VALUE, phase == DONE, self._ckey, self.child,
                                0 if phase == PREVAL else 1 if phase == COLON else None)

    def _key_cache_key(self, view: TokenView) -> Hashable:
        """Inside a key: what the key's text may still be -- the rests of the
        declared names it may become, and any other text where other keys may
        come -- and, for each rest some token can close (``view.closing_texts()``),
        what the token may hold after it. A rest no token closes is only a text:
        no token gets past its end. After a declared name's closing quote a
        token holds a colon and the first characters of the member's value
        (``view.colon_rests()``): the name is keyed by which of those the value
        takes, where none may end the value (:meth:`_colon_takes`); else by the
        value and what the object does after it. With no more than that, no
        token gets past the object's end either: the key is sealed. Objects with
        the same rests (a name shared by many objects of a document, at any
        depth) take the same tokens. Where any other key may come, every text is
        taken up to its quote: only the rests some token closes count, and the
        other keys' value by its colon rests, as a name's. ``None`` where the key
        keeps more than that (patterns, propertyNames, the names minProperties
        counts), or where more than a few names or values' futures would make
        the key dearer than the mask."""
        text = self.child
        if self.pn is not None or not isinstance(text, JsonString) or not text.in_content():
            return None
        inner = text.value
        if not isinstance(inner, KeyText) or inner.avoid is not None or inner.pstates:
            return None
        node = self.node
        if inner.add_ok and node.additional is None:
            return None
        # (not kept by progress: a key's state met again is most often the very
        # object met before -- the transitions memo hands it back -- its key kept on
        # it; a memo by progress was hit by 3-6 % of the states a cold pass met new,
        # and cost more than those hits saved)
        return self._rests_key(view, text, inner)

    def _rests_key(self, view: TokenView, text: JsonString, inner: KeyText) -> Hashable:
        node = self.node
        count = self.count + 1
        if count > node.count_cap:
            count = node.count_cap
        names: list[tuple[str, Hashable]] = []
        futures = 0
        if inner.trie_pos >= 0:
            trie = node.trie
            below = trie.below[inner.trie_pos]
            if not inner.add_ok and below & (below - 1) and bin(below).count("1") > _KEY_NAMES:
                return None  # (near a key's start: many names, each a rest to key by)
            skip = trie.depth[inner.trie_pos]
            closing = view.closing_texts()
            for i in set_bits(below):
                rest = node.names[i][skip:]
                taken = inner.cand >> i & 1
                # (a rest that opens with a character of several bytes may be met by a
                # token that finishes that character: pending bytes no key shows)
                closes = rest in closing
                if closes or (rest and not rest[0].isascii()):
                    if not taken:
                        if inner.add_ok:
                            names.append((rest, None))  # (a name written or ruled out: refused)
                        continue
                    colon = self._colon_takes(view, i, count) if closes else None
                    if colon is not None:
                        names.append((rest, colon))
                        continue
                    futures += 1
                    if futures > _KEY_NAMES:
                        return None
                    after = self._post_key(view, 0, self.seen | 1 << i, i + 1 if node.fixed else 0, count)
                    names.append((rest, (node.values[i].gid, after)))
                elif taken and not inner.add_ok:
                    # (only a text: no token closes it; where any other key may come,
                    # not even that -- every text is taken alike up to its quote)
                    names.append((rest, ""))
        if not futures:
            if not inner.add_ok:
                return SealedKey(("object key", text.canonical, tuple(sorted(names))))
            # any other text may close the key too: its value is the additional one,
            # sealed where that one ends inside no colon rest
            assert node.additional is not None
            rests = view.colon_rests()
            alone = None if rests is None else self._alone_takes(view, node.additional, rests)
            if alone is not None and None not in alone:
                return SealedKey(("object key", text.canonical, tuple(sorted(names)), alone))
        other: Hashable = None
        if inner.add_ok:
            assert node.additional is not None
            other = (node.additional.gid,
                     self._post_key(view, 0, self.seen, len(node.names) if node.fixed else 0, count))
        return ("object key", text.esc, text.canonical, node.ws.describe(), self.depth, tuple(sorted(names)),
                other)

    def _colon_takes(self, view: TokenView, i: int, count: int) -> tuple[bool, ...] | None:
        """Which of ``view.colon_rests()`` the member of name ``i`` takes after
        its key's closing quote: a colon, whitespace as the object writes it,
        then the value's first characters -- and, where the value may end inside
        the rest, what the object does after it at its progress (a comma, a
        closing brace, the next key's start); ``None`` where some rest ends
        inside a character."""
        rests = view.colon_rests()
        if rests is None:
            return None
        node = self.node
        alone = self._alone_takes(view, node.values[i], rests)
        if None not in alone:
            return alone  # type: ignore[return-value]
        memos = node.view_memos(view)
        seen = self.seen | 1 << i
        pos = i + 1 if node.fixed else 0
        memo = ("colon takes", i, self.depth, seen, pos, count, self.names)
        got = memos.get(memo, _UNKNOWN)
        if got is _UNKNOWN:
            start = ObjectState(node, self.depth, PREVAL, 0, seen, pos, count, node.values[i], None, None,
                                self.names)
            took = tuple(t if t is not None else start.advance_text(rest) is not None
                         for t, rest in zip(alone, rests, strict=True))
            got = remember(memos, memo, took, 4096)
        return got  # type: ignore[return-value]

    def _alone_takes(self, view: TokenView, value: Node, rests: tuple[str, ...]) -> tuple[bool | None, ...]:
        """What the value alone decides of ``rests`` (see :func:`_value_takes`), at
        any progress, in any object of the same layout: kept per value; ``None``
        where it may end inside the rest (that one is read at the object's
        progress)."""
        shared = per_view(view)
        memo: tuple[object, ...] = ("colon takes", value.gid, self.node.ws.describe(), self.depth)
        alone = shared.get(memo, _UNKNOWN)
        if alone is _UNKNOWN:
            first = value.start(self.depth + 1)
            alone = remember(shared, memo, _value_takes(self.node.ws, self.depth, first, rests), 4096)
        return alone  # type: ignore[no-any-return]

    def _last_key(self, view: TokenView) -> Hashable:
        """After a member's value, for a token that gets here only through all the
        closing brackets a token may hold: which of ``view.last_texts()`` the
        object takes (whitespace, a comma where another key may come, and
        whatever those texts hold after it). Objects of other names and
        progress that take the same ones are one key here. Kept per progress;
        ``None`` where the vocabulary's view does not tell those texts."""
        texts = view.last_texts()
        if texts is None:
            return None
        memos = self.node.view_memos(view)
        memo = ("last texts", self.depth, self.seen, self.pos, self.count, self.names)
        got = memos.get(memo, _UNKNOWN)
        if got is _UNKNOWN:
            got = remember(memos, memo, last_bracket_key(self._with(POSTVAL), texts), 4096)
        return got

    def _then_key(self, view: TokenView, horizon: int) -> Hashable:
        """:meth:`_post_key` after this member's value (kept with the state, and
        handed on as the value advances: a number's or a counted string's every
        character is a new state of the same member)."""
        got = self._then
        if got is not None and got[0] == view.serial:
            return got[1]
        key = self._post_key(view, 0, self.seen, self.pos, self.count)
        self._then = (view.serial, key)
        return key

    def _post_key(self, view: TokenView, ws: int, seen: int, pos: int, count: int) -> Hashable:
        """What this object does after a member's value at progress ``seen, pos,
        count``, having read ``ws`` of whitespace, to the end of any token: more
        whitespace, a closing brace where it may close (then its parent goes
        on), or a comma where another key may come -- and then whatever the
        token's rest after its comma spells of that key, which :meth:`token_key`
        tells from the object's words (``view.after_comma()``). Kept per
        progress, as token keys are."""
        node = self.node
        if self.names is not None:
            return ("object", node.gid, self.depth, ws, seen, pos, count, self.names)
        memos = node.view_memos(view)
        memo = ("after value", ws, self.depth, seen, pos, count)
        got = memos.get(memo, _UNKNOWN)
        if got is _UNKNOWN:
            nxt: Hashable = None
            if node.more_keys(seen, pos, count):
                prekey = ObjectState(node, self.depth, PREKEY, 0, seen, pos, count, None, None, None, None)
                nxt = prekey._key_start_token_key(view.after_comma())
                if nxt is None:
                    nxt = ("object", node.gid, seen, pos, count)
            depth = node.ws.depth_told(ws, self.depth, view.indent_reach())
            got = remember(memos, memo, ("after value", node.ws.describe(), ws, depth, nxt,
                                         node.can_close(seen, count)), 4096)
        return got

    def token_key(self, view: TokenView) -> Hashable | None:
        phase = self.phase
        if phase == VALUE:
            assert self.child is not None
            return self.child.token_key(view)  # (the child's promise: no token gets past its end)
        if phase == PREKEY:
            # (asked at every key start of every object: kept per progress)
            memos = self.node.view_memos(view)
            memo = (self.ws, self.depth, self.seen, self.pos, self.count, self.names)
            got = memos.get(memo, _UNKNOWN)
            if got is _UNKNOWN:
                got = remember(memos, memo, self._key_start_token_key(view), 4096)
            return got
        return None

    def _open_key(self, view: TokenView) -> Hashable:
        """Before the opening brace: a token is the brace, then what follows one in
        a token (``view.after_brace()``) -- whitespace, the first key as after a
        comma (:meth:`_key_start_token_key`), or a closing brace where the object
        may be empty, and then what the object's parent does. Objects of other
        names, as a member's value, then share the walk after the colon (on the
        usual vocabularies no token holds more of a first key than its quote).
        ``None`` where the first key keeps more than that; kept per progress."""
        memos = self.node.view_memos(view)
        memo = ("open", self.depth, self.seen, self.pos, self.count, self.names)
        got = memos.get(memo, _UNKNOWN)
        if got is _UNKNOWN:
            first = self._with(FIRST)._key_start_token_key(view.after_brace())
            empty = self.node.can_close(self.seen, self.count)
            got = remember(memos, memo, None if first is None else ("object open", empty, first), 4096)
        return got

    def _key_start_token_key(self, view: TokenView) -> Hashable | None:
        # After a comma: a token is whitespace, or opens the key and stops inside
        # it, or holds the whole key -- one of the vocabulary's few closed strings,
        # never an ordinary name -- and then at most a colon and whitespace (else
        # no key takes it): nothing this object's values do shows. Where any other
        # key may come, every object takes the tokens that stop inside the key
        # alike, and only its refused names (written, or ruled out) turn a closed
        # one away; where only declared names may, each spelled one way, the
        # tokens that stop inside are the names' first bytes the vocabulary spells.
        node = self.node
        texts, deep = view.closed_strings()
        if not texts and not deep and not view.opened_strings() - _QUOTE_ONLY:
            # (no token holds more of a key than its opening quote: objects that
            # take any other key, declared ones in any order or in one, or names
            # a pattern or propertyNames rules, take the same -- whitespace, and
            # the quote where a key may come)
            depth = node.ws.depth_told(self.ws, self.depth, view.indent_reach())
            # (a key may start where another may come -- and, where propertyNames
            # rules the names, where its own state takes the quote)
            quote = node.more_keys(self.seen, self.pos, self.count) if node.names_node is None else (
                self.advance('"') is not None)
            return ("after a comma, a quote", node.ws.describe(), self.ws, depth, quote)
        if self.pn is not None or self.names is not None:
            return None
        if node.patterns or node.names_node is not None:
            return None
        cand, add_ok = node.candidates(self.seen, self.pos, self.count)
        if add_ok and node.additional is None:
            return None
        index = node.index
        for text in deep:  # (none on the usual vocabularies)
            i = index.get(text)
            if (add_ok and i is None) or (i is not None and cand >> i & 1):
                return None
        depth = node.ws.depth_told(self.ws, self.depth, view.indent_reach())
        head = (node.ws.describe(), self.ws, depth, node.fixed)
        if add_ok:
            refused = tuple(name for i, name in enumerate(node.names) if not cand >> i & 1 and name in texts)
            return ("after a comma, any key", *head, refused)
        if not node.fixed:
            return None  # (names spelled in many ways: escapes the vocabulary may spell)
        begun: set[bytes] = set()
        closed: list[str] = []
        names = node.names
        for i in set_bits(cand):
            name = names[i]
            if not name.isascii() or not name.isprintable() or '"' in name or "\\" in name:
                return None  # (a canonical spelling other than the name's own bytes)
            begun |= view.opened_prefixes(name)
            if name in texts:
                closed.append(name)
        begun.discard(b"")
        # (tuples, not sets: a key the cache keeps, of atoms only, is one the collector stops visiting)
        return ("after a comma, declared keys", *head, bool(cand), tuple(sorted(begun)), tuple(closed))

    # -- shortest completion -----------------------------------------------------
    def shortest(self, limit: int = 20000) -> str | None:
        phase = self.phase
        if phase == DONE:
            return ""
        if phase == OPEN:
            return _cat("{", self._with(FIRST).shortest(limit))
        if phase in (KEY, VALUE):
            assert self.child is not None
            if phase == VALUE and self.child.can_end():
                return self._with(POSTVAL).shortest(limit)
            head = self.child.shortest(limit)
            if head is None:
                return None
            nxt = self.advance_text(head)
            if nxt is None:
                return super().shortest(limit)
            return _cat(head, nxt.shortest(limit))
        if phase == COLON:
            return _cat(":", self._with(PREVAL).shortest(limit))
        if phase == PREVAL:
            assert self.cur is not None
            value = self.cur.shortest()
            if value is None:
                return None
            return _cat(value, self._with(POSTVAL).shortest(limit))
        # between members: FIRST, PREKEY, POSTVAL
        return self._tail(phase, limit)

    def _tail(self, phase: int, limit: int) -> str | None:
        node = self.node
        seen, pos, count = self.seen, self.pos, self.count
        parts: list[str] = []
        need_member = phase == PREKEY
        comma = phase == POSTVAL
        undeclared = False
        names = self.names
        guard = 0
        while True:
            guard += 1
            if guard > len(node.names) + node.min_props + 2:
                return super().shortest(limit)
            if not need_member and node.can_close(seen, count):
                break
            cand, add_ok = node.candidates(seen, pos, count)
            unmet = node.missing(seen)
            pick = -1
            best: str | None = None
            cyclic = False  # some value had none only for a node being computed
            for i in range(len(node.names)):
                if cand >> i & 1 and (not unmet or unmet >> i & 1):
                    before = cycles_met()
                    text = node.values[i].shortest()
                    if text is None:
                        cyclic = cyclic or cycles_met() != before
                    elif best is None or len(text) < len(best):
                        pick, best = i, text
            if pick < 0:
                extra = self._extra_member(names or frozenset()) if add_ok and not unmet else None
                if extra is None:
                    if cyclic:
                        # a member needs a value of a node whose shortest value is
                        # being computed: this object is no part of that answer (the
                        # generic search went 20,000 states deep for nothing, ~4 s
                        # for each recursive branch of a oneOf of expressions)
                        return None
                    return super().shortest(limit) if add_ok else None
                name, member = extra
                if names is not None:
                    names = names | {name}
                parts.append(("," if comma else "") + member)
                pos = len(node.names) if node.fixed else 0
                undeclared = True
            else:
                parts.append(("," if comma else "") + _dumps_key(node.names[pick]) + ":" + best)  # type: ignore[operator]
                seen |= 1 << pick
                pos = pick + 1 if node.fixed else 0
            comma = True
            need_member = False
            count = min(count + 1, node.count_cap)
        text = "".join(parts) + "}"
        if undeclared:  # an undeclared member written from the patterns: check the whole
            end = self.advance_text(text)
            if end is None or not end.can_end():
                return super().shortest(limit)
        return text

    def _extra_member(self, avoid: frozenset[str]) -> tuple[str, str] | None:
        """A short undeclared member where no declared name may come: its name and
        its text (key, colon, value). The name is the shortest some pattern matches
        (or the empty one, or a number, where any other key is allowed) and not in
        ``avoid``; the value the shortest of the schemas it then takes. An object
        that needs a member and declares none but ``patternProperties`` took the
        generic search, which ran out of states inside the member's value (an
        object of pattern-keyed objects)."""
        node = self.node
        if node.names_node is not None:
            return None
        keys = [p.shortest() if not avoid else _fresh_text(p, avoid) for p, _ in node.patterns]
        if node.additional is not None:
            keys.append("")
            keys.extend(str(n) for n in range(len(avoid) + 1))
        fresh = {k for k in keys if k is not None and k not in node.index and k not in avoid}
        for key in sorted(fresh, key=lambda k: (len(k), k)):
            matched = tuple(i for i, (p, _) in enumerate(node.patterns) if p.accepts(key))
            value = node.extra_node(matched)
            text = None if value is None else value.shortest()
            if text is not None:
                return key, _dumps_key(key) + ":" + text
        return None


def _value_takes(ws: WhitespacePolicy, depth: int, first: Parser, texts: tuple[str, ...]
                 ) -> tuple[bool | None, ...]:
    """Whether an object at ``depth`` laid out by ``ws`` takes each of ``texts``
    (sorted) after a member's colon whose value starts as ``first``, where the
    value cannot end inside the text (so the object's own progress does not
    show); ``None`` where it may. Texts that share a beginning read it once."""
    out: list[bool | None] = []
    # the states after each character of the text before, to resume from:
    # (whitespace read, the value's state or None while in whitespace, verdict)
    trail: list[tuple[int, Parser | None, bool | None]] = [(0, None, True)]
    before = ""
    for text in texts:
        common = 0
        for a, b in zip(before, text, strict=False):
            if a != b:
                break
            common += 1
        del trail[common + 1:]
        spaces, state, verdict = trail[-1]
        for char in text[common:]:
            if verdict is not True:
                trail.append((spaces, state, verdict))
                continue
            if state is None:
                nxt = ws.advance(spaces, depth, char)  # (whitespace before the value)
                if nxt is not None:
                    spaces = nxt
                    trail.append((spaces, state, verdict))
                    continue
                state = first
            nxt_state = state.advance(char)
            if nxt_state is None:
                verdict = None if state.can_end() else False
            else:
                state = nxt_state
            trail.append((spaces, state, verdict))
        out.append(verdict)
        before = text
    return tuple(out)


def _fresh_text(start: Parser, avoid: frozenset[str], limit: int = 2000) -> str | None:
    """A short text ``start`` accepts that is not in ``avoid`` (breadth first, a
    few characters of each allowed range): a pattern's name for one more member."""
    # (texts, not states, are what must differ: "x" and "x0" may be one state)
    queue: deque[tuple[str, Parser]] = deque([("", start)])
    made = 0
    while queue and made < limit:
        text, state = queue.popleft()
        if state.can_end() and text not in avoid:
            return text
        for lo, hi in state.allowed().ranges:
            lo = max(lo, 0x30 if hi >= 0x30 else lo)  # (digits and letters rather than controls)
            for cp in range(lo, min(hi, lo + 2) + 1):
                nxt = state.advance(chr(cp))
                if nxt is not None:
                    made += 1
                    queue.append((text + chr(cp), nxt))
    return None


def _cat(head: str, tail: str | None) -> str | None:
    return None if tail is None else head + tail


def _dumps_key(name: str) -> str:
    return json.dumps(name, ensure_ascii=False)

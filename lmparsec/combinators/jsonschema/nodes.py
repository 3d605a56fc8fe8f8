"""Compiled schema nodes: one object per distinct schema, states made on demand.

A :class:`Node` is not a parser: it is the compiled form of one schema, and
``start(depth)`` makes the parser state of a value of that schema nested
``depth`` containers deep (depth bounds the whitespace). Nodes are built
once per distinct (schema, options) and carry an interned ``gid`` for keys.
Recursive schemas are cycles of nodes (a :class:`ForwardNode` is filled in
after its target compiles); states are created only when a value actually
begins, so recursion has no depth cap.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Protocol

from ...memo import ViewMemos, remember
from ..base import Parser, SealedKey, TokenView, common_enclosed, common_stand_in, grammar_id, own_search
from ..base import search_shortest as _search
from ..charset import CharSet
from ..logic import (
    VALUE_CHECK,
    Complement,
    ExactlyOne,
    Intersect,
    checking_complement,
    keep_allowed,
    kept_allowed,
    takes_any_rest,
)
from ..regex import RegexState
from ..text import FreeText
from ..union import Union
from .strings import ESCAPE_LETTERS, JsonString
from .whitespace import WhitespacePolicy

__all__ = ["Node", "ForwardNode", "NeverNode", "ParserNode", "TypedNode", "UnionNode",
           "IntersectNode", "OneOfNode", "NotNode", "IfNode", "Never", "ValueStart", "Padded", "Colon",
           "AFTER_VALUE"]

_guard = threading.local()
#: :meth:`Padded.cache_key` by value grammar, per vocabulary view
_PADDED_KEYS = ViewMemos()
_Memo = dict[tuple[object, ...], Hashable]


class Node:
    """The compiled form of one schema."""

    __slots__ = ("_first", "_short", "_view_memos", "gid")

    def __init__(self, gid: int) -> None:
        self.gid = gid
        self._short: str | bool | None = False
        self._first: CharSet | None = None
        self._view_memos: ViewMemos | None = None

    def view_memos(self, view: TokenView) -> _Memo:
        """The memo of what this node's states key by on vocabulary ``view``
        (token keys, what follows a value), kept per view weakly: a compiled
        schema outlives the caches of the vocabularies it is used with."""
        memos = self._view_memos
        if memos is None:
            memos = self._view_memos = ViewMemos()
        return memos.of(view)

    def start(self, depth: int) -> Parser:
        raise NotImplementedError

    def children(self) -> tuple[Node, ...]:
        """The nodes this one reads its values with (for :func:`finish`)."""
        return ()

    def finish(self) -> None:
        """Does now what this node otherwise does at its first use in a walk
        (see :func:`finish`); nothing by default."""

    def first(self) -> CharSet:
        """Characters a value of this schema may start with."""
        if self._first is None:
            self._first = self.start(0).allowed()
        return self._first

    def shortest(self) -> str | None:
        """A shortest compact value text (``None`` when the schema admits none).

        A node met again while its own answer is being computed answers ``None``:
        a value that holds a whole value of it is longer than its shortest, so
        that way is never the answer there. Elsewhere it may be, so an answer
        that is ``None`` only because of such a cycle is not kept."""
        if self._short is True:  # met again while computing: a cycle, not shortest
            _guard.cycles = cycles_met() + 1
            return None
        if self._short is False:
            self._short = True
            before = cycles_met()
            try:
                with own_search():
                    got = self._compute_shortest()
            except BaseException:
                self._short = False
                raise
            self._short = False if got is None and cycles_met() != before else got
            return got
        assert self._short is None or isinstance(self._short, str)
        return self._short

    def _compute_shortest(self) -> str | None:
        return self.start(0).shortest()


def cycles_met() -> int:
    """How many times a node's shortest value was asked for while being computed
    (in this thread): a ``None`` answered after a change may be only a cycle's."""
    got: int = _guard.__dict__.get("cycles", 0)
    return got


def search_shortest(state: Parser, limit: int = 20000) -> str | None:
    """The generic search, trying up to 12 characters per allowed range (one per
    range misses ``3`` in ``multipleOf: 3``)."""
    return _search(state, limit, per_range=12)


def _combined_shortest(node: Node) -> str | None:
    """A shortest value of a node that combines others (allOf, oneOf, not, if):
    its state's own answer first -- built from its parts' completions, where the
    generic search alone ran out of states on an object whose member is an
    ``anyOf`` of objects -- then the search with more characters per range."""
    state = node.start(0)
    before = cycles_met()
    got = state.shortest()
    if got is None and cycles_met() != before:
        return None  # (every way its parts saw goes through a node being computed)
    return got if got is not None else search_shortest(state, 5000)


class Never(Parser):
    """The empty language: nothing is allowed and the empty text is not accepted."""

    __slots__ = ()

    def advance(self, char: str) -> Parser | None:
        return None

    def allowed(self) -> CharSet:
        return CharSet.EMPTY

    def can_end(self) -> bool:
        return False

    def key(self) -> Hashable:
        return ("never",)

    def shortest(self, limit: int = 20000) -> str | None:
        return None


_NEVER = Never()


class NeverNode(Node):
    __slots__ = ()

    def __init__(self) -> None:
        super().__init__(grammar_id(("jsonschema-never",)))

    def start(self, depth: int) -> Parser:
        return _NEVER


def finish(root: Node) -> None:
    """Finishes every node reachable from ``root`` (:meth:`Node.finish`): what
    nodes leave to their first use -- an enum's values checked against the rest
    of its schema, an object's names that some value satisfies -- done while the
    schema is compiled, not on a request's first masks (a millisecond of one
    of them, for an ``enum`` deep in an array)."""
    seen = {id(root)}
    todo = [root]
    while todo:
        node = todo.pop()
        node.finish()
        for child in node.children():
            if id(child) not in seen:
                seen.add(id(child))
                todo.append(child)


@contextmanager
def fresh_guard() -> Iterator[None]:
    """Starts nodes outside the left-recursion guard of the starts in progress: a
    node asked *whether its values can start at all* (an object's live names) while
    its own start is under way would otherwise meet the guard's ``Never`` for
    itself -- ``{"exp": {"$ref": "#/definitions/e"}}`` inside ``e`` -- and take a
    member that recurses for an unsatisfiable one."""
    saved = _guard.__dict__.get("active")
    fresh = _guard.__dict__.get("fresh", 0)
    _guard.active = set()
    _guard.fresh = fresh + 1
    try:
        yield
    finally:
        _guard.fresh = fresh
        if saved is None:
            del _guard.active
        else:
            _guard.active = saved


class ForwardNode(Node):
    """Stands for a node still being compiled (the knot of a recursive schema).

    ``start`` guards against left recursion (``{"anyOf": [{"$ref": "#"}]}``):
    a node re-entered before any character is consumed contributes nothing.
    """

    __slots__ = ("_starts", "target")

    def __init__(self, gid: int) -> None:
        super().__init__(gid)
        self.target: Node | None = None
        #: the start state at each depth, made outside every guard (states are
        #: immutable: walks start the same value at every colon and comma, and
        #: the state's own memos -- what it allows, its keys -- come with it)
        self._starts: dict[int, Parser] = {}

    def children(self) -> tuple[Node, ...]:
        return () if self.target is None else (self.target,)

    def start(self, depth: int) -> Parser:
        assert self.target is not None, "schema node used before it was compiled"
        active: set[int] = _guard.__dict__.setdefault("active", set())
        if id(self) in active:
            return _NEVER
        # (inside a guard -- another start under way, or a check whether values can
        # start at all, while an object assumes its names live -- the state made
        # depends on that context: not kept)
        outer = not active and not _guard.__dict__.get("fresh")
        if outer:
            got = self._starts.get(depth)
            if got is not None:
                return got
        active.add(id(self))
        try:
            got = self.target.start(depth)
        finally:
            active.discard(id(self))
        if outer:
            remember(self._starts, depth, got, 64)
        return got

    def first(self) -> CharSet:
        assert self.target is not None
        return self.target.first()

    def _compute_shortest(self) -> str | None:
        assert self.target is not None
        return self.target.shortest()


class ParserNode(Node):
    """A node whose values are one depth-independent parser (scalars)."""

    __slots__ = ("parser",)

    def __init__(self, gid: int, parser: Parser) -> None:
        super().__init__(gid)
        self.parser = parser

    def start(self, depth: int) -> Parser:
        return self.parser


#: what may follow a value in an object or array: whitespace, a comma, a closer
AFTER_VALUE = CharSet.of(" \n,]}")


class Padded(Parser):
    """A slot of whitespace, then one value of ``node``: what an object's colon or
    an array's comma is followed by, whatever the container (the shared head of
    :meth:`~lmparsec.combinators.base.Parser.segment`). Past its first character
    the value's own state takes over."""

    __slots__ = ("_allowed", "depth", "node", "policy", "ws")

    def __init__(self, policy: WhitespacePolicy, ws: int, depth: int, node: Node) -> None:
        self.policy = policy
        self.ws = ws
        self.depth = depth
        self.node = node
        self._allowed: CharSet | None = None

    def advance(self, char: str) -> Parser | None:
        ws = self.policy.advance(self.ws, self.depth, char)
        if ws is not None:
            return Padded(self.policy, ws, self.depth, self.node)
        return self.node.start(self.depth + 1).advance(char)

    def allowed(self) -> CharSet:
        out = self._allowed
        if out is None:
            out = self._allowed = self.policy.allowed(self.ws, self.depth) | self.node.first()
        return out

    def can_end(self) -> bool:
        return False

    def layout(self) -> CharSet:
        return self.policy.allowed(self.ws, self.depth)

    def key(self) -> Hashable:
        return ("padded", self.policy.describe(), self.ws, self.depth, self.node.gid)

    def mask_key(self, horizon: int) -> Hashable:
        # by what the value does, not which schema it came from: a string of at most
        # 500 characters acts as one of at most 1,000 on any one token
        return ("padded", self.policy.describe(), self.ws, self.depth,
                self.node.start(self.depth + 1).mask_key(horizon))

    def cache_key(self, view: TokenView, horizon: int) -> Hashable:
        # the depth only as far as a token tells it (``depth_told``): the value's
        # slots, here and nested, bound their indents by the depth, and past the
        # most spaces a token holds after a newline every bound takes them all --
        # the same value after a colon at any depth is one walk (on mistral-7b,
        # whose tokens hold none, at every depth)
        # -- and the value by what it does with the vocabulary's tokens (an object by
        # its first key as a token may hold it, not by its names)
        # (kept by the value's grammar: a slot is made anew at every colon and
        # comma, and its value's first state along with it; the same value
        # schema comes back in schema after schema)
        policy = self.policy
        told = policy.depth_told(self.ws, self.depth, view.indent_reach())
        memos = _PADDED_KEYS.of(view)
        memo = (self.node.gid, policy.describe(), self.ws, told, horizon)
        got = memos.get(memo)
        if got is None:
            got = remember(memos, memo, ("padded", policy.describe(), self.ws, told,
                                         self.node.start(told + 1).cache_key(view, horizon)), 4096)
        return got  # type: ignore[no-any-return]


_COLON = CharSet.of(":")


class Colon(Parser):
    """A key's colon, then a slot of whitespace and one value of ``node``: what
    follows the closing quote of an object's key, in whatever object at whatever
    progress. As the shared head of the state there, a walk of the tokens after
    a key (``": "``, ``":"",``) is made once per kind of value, not once per
    object and member (see :class:`Padded`)."""

    __slots__ = ("depth", "node", "policy")

    def __init__(self, policy: WhitespacePolicy, depth: int, node: Node) -> None:
        self.policy = policy
        self.depth = depth
        self.node = node

    def advance(self, char: str) -> Parser | None:
        return Padded(self.policy, 0, self.depth, self.node) if char == ":" else None

    def allowed(self) -> CharSet:
        return _COLON

    def can_end(self) -> bool:
        return False

    def key(self) -> Hashable:
        return ("colon", self.policy.describe(), self.depth, self.node.gid)

    def mask_key(self, horizon: int) -> Hashable:
        return ("colon", Padded(self.policy, 0, self.depth, self.node).mask_key(horizon))

    def cache_key(self, view: TokenView, horizon: int) -> Hashable:
        return ("colon", Padded(self.policy, 0, self.depth, self.node).cache_key(view, horizon))


class ValueStart(Parser):
    """Before a value's first character: dispatch on it to the one type it starts."""

    __slots__ = ("depth", "node")

    def __init__(self, node: TypedNode, depth: int) -> None:
        self.node = node
        self.depth = depth

    def advance(self, char: str) -> Parser | None:
        for part in self.node.parts:
            if char in part.first():
                return part.start(self.depth).advance(char)
        return None

    def allowed(self) -> CharSet:
        return self.node.first()

    def can_end(self) -> bool:
        return False

    def key(self) -> Hashable:
        return (self.node.gid, self.depth)

    def split(self) -> tuple[Parser, ...] | None:
        # the types start with characters of their own: each token is one type's
        return tuple(part.start(self.depth) for part in self.node.parts)

    def cache_key(self, view: TokenView, horizon: int) -> Hashable:
        # by the types' own keys, whatever schema they came from (a string or
        # null, its string keyed by the texts it takes after a quote): each
        # text is read by the one type its first character starts
        return ("value start", frozenset(part.start(self.depth).cache_key(view, horizon)
                                         for part in self.node.parts))

    def shortest(self, limit: int = 20000) -> str | None:
        return self.node.shortest()


class TypedNode(Node):
    """A value of one of several JSON types; types start with disjoint characters."""

    __slots__ = ("parts",)

    def __init__(self, gid: int, parts: list[Node]) -> None:
        super().__init__(gid)
        self.parts = parts

    def children(self) -> tuple[Node, ...]:
        return tuple(self.parts)

    def start(self, depth: int) -> Parser:
        if len(self.parts) == 1:
            return self.parts[0].start(depth)
        if not self.parts:
            return _NEVER
        return ValueStart(self, depth)

    def first(self) -> CharSet:
        if self._first is None:
            out = CharSet.EMPTY
            for p in self.parts:
                out = out | p.first()
            self._first = out
        return self._first

    def _compute_shortest(self) -> str | None:
        texts = [t for t in (p.shortest() for p in self.parts) if t is not None]
        return min(texts, key=len) if texts else None


class _PartsNode(Node):
    """A node made of other nodes run side by side on the same text."""

    __slots__ = ("parts",)

    def __init__(self, gid: int, parts: list[Node]) -> None:
        super().__init__(gid)
        self.parts = parts

    def children(self) -> tuple[Node, ...]:
        return tuple(self.parts)

    def _live_starts(self, depth: int) -> list[Parser]:
        """The parts' start states, without those that accept nothing."""
        return [s for s in (p.start(depth) for p in self.parts) if not isinstance(s, Never)]


class UnionNode(_PartsNode):
    __slots__ = ()

    def start(self, depth: int) -> Parser:
        live = self._live_starts(depth)
        if not live:
            return _NEVER
        return live[0] if len(live) == 1 else Union(*live)

    def _compute_shortest(self) -> str | None:
        texts = [t for t in (p.shortest() for p in self.parts) if t is not None]
        return min(texts, key=len) if texts else None


class ValueIntersect(Intersect):
    """JSON value readers run side by side on one value (``allOf`` parts that could
    not be merged, ``if`` with ``then``).

    Their segments may share even when the heads differ (the parts' own schemas
    for the member's value), where every head reads a value at the same depth:
    each reads a JSON value from the same place, and where one has read a whole
    value (it can end) no JSON value reader takes a character that may follow a
    value (whitespace, ``,``, ``]``, ``}``), so every head ends there or has
    rejected the text -- the heads' intersection is a head, and the parts'
    continuations intersected are its continuation. At different depths they
    share only when they are one state: one part may find its head deep inside
    the value (a member of a nested object) where another, unable to look inside
    its own (``anyOf`` objects), takes that whole value as its head; their
    intersection would end only with the outer value, when the inner one has
    already rejected what follows it.
    """

    __slots__ = ("_checked",)

    def allowed(self) -> CharSet:
        # Each part takes the next character, yet together they may have nowhere to
        # go after it: a strict object forces the rest of "path" once "pa" is
        # written, and a dependency's "not": {"required": ["path"]} kills the value
        # at the name's closing quote. Inside a key, where one or two characters
        # are allowed (a choice of two names), each is followed: a successor that
        # can neither end nor go on -- so also, through its own check, one that runs
        # into a dead end down a forced name -- is left out. (Only inside keys: the
        # check costs ~2 % of a cold pass there, ~6 % everywhere.)
        checked: CharSet | None = getattr(self, "_checked", None)
        if checked is not None:
            return checked
        out = super().allowed()
        depth = VALUE_CHECK.depth
        direct = out - _BACKSLASH
        # at the state asked, a few characters (the first letters of the names left,
        # the last digits of a \\u escape: "c\\u0068" spells the "ch" of a name left
        # out); past it only a forced one (so the check follows one text, not a tree)
        few = 0 < len(direct) <= (_FIRST_CHECKED if depth == 0 else 1)
        in_key = few and depth < _LOOKAHEAD_CHARS and _in_key(self)
        # Likewise a comma between members, where no name the parts all take is
        # left: a dependency's oneOf wants "type" to be one of three once "format"
        # is written, and "format" was the one name left to write.
        # (not inside a string, where a comma is one of a great many characters)
        between = depth == 0 and "," in out and len(out) <= _AFTER_VALUE and _between(self)
        if in_key or between:
            key = self.key()
            got = _CHECKED.get(key)
            if got is None:
                VALUE_CHECK.depth = depth + 1
                try:
                    dead = [c for c in direct if leads_nowhere(self.advance(c))] if in_key else []
                    if in_key and len(dead) == len(direct) and _escapes_dead(self.advance("\\")):
                        # (an escape writes one of the same characters, or one JSON
                        # writes only escaped: a quote, a backslash, a control
                        # character -- where the name may go on with one of those,
                        # the backslash stays: 'a"c' beside an excluded "ab")
                        dead.append("\\")
                    if between and "," not in dead and _separator_dead(self.advance(",")):
                        dead.append(",")
                finally:
                    VALUE_CHECK.depth = depth
                got = remember(_CHECKED, key, out - CharSet.of(dead) if dead else out, _CHECKED_SIZE)
            out = got
        self._checked = out
        return out

    def segment(self) -> tuple[Parser, Parser, CharSet] | None:
        got = [p.segment() for p in self.parts]
        if any(g is None for g in got):
            return None
        heads = [g[0] for g in got]  # type: ignore[index]
        depth = _value_depth(heads[0])
        if any(_value_depth(h) != depth for h in heads[1:]):
            return super().segment()  # (shared only as one state)
        return self._segments(got)  # type: ignore[arg-type]


#: ValueIntersect's checked allowed sets, by state key alone (not with the check
#: context, as logic.kept_allowed keeps others): asked deeper, the check follows
#: fewer characters -- it may miss a dead end, never refuse a text that goes on --
#: and keyed with its depth it is answered far less often (ui5.yaml 4 s -> 11 s)
_CHECKED: dict[Hashable, CharSet] = {}
_CHECKED_SIZE = 65_536
#: how far ValueIntersect's check follows a text (past it, a state counts as alive)
_LOOKAHEAD_CHARS = 48
_BACKSLASH = CharSet.of("\\")
_QUOTE = CharSet.of('"')
#: at the state asked, inside a key, up to this many characters are followed
_FIRST_CHECKED = 8
_WHITESPACE = CharSet.of(" \t\n\r")
#: the most characters a value's end allows (whitespace, a comma, a closer, a number's
#: digits, point and exponent) for :meth:`ValueIntersect.allowed` to check the comma
_AFTER_VALUE = 24


def _in_key(state: Parser) -> bool:
    """Whether ``state`` reads an object's key (where parts side by side meet a name
    one of them forbids: the dead ends :meth:`ValueIntersect.allowed` looks for)."""
    from .objects import KEY, ObjectState

    def at(inner: Parser) -> bool | Parser:
        if not isinstance(inner, ObjectState):
            return False
        if inner.phase == KEY:
            return True
        return False if inner.child is None else inner.child

    return _somewhere(state, at)


def _somewhere(state: Parser, at: Callable[[Parser], bool | Parser]) -> bool:
    """Whether some reader run by ``state`` is where ``at`` says: ``at`` answers for
    a reader, or names the state inside it to ask next; parts side by side and
    alternatives are each asked, a complement through the values it is taken from."""
    while True:
        if isinstance(state, (Intersect, ExactlyOne)):
            return any(p is not None and _somewhere(p, at) for p in state.parts)
        if isinstance(state, Union):
            return any(_somewhere(p, at) for p in state.alternatives)
        if isinstance(state, Complement):
            state = state.universe
            continue
        got = at(state)
        if isinstance(got, bool):
            return got
        state = got


def container_levels(view: TokenView, in_value: bool, done: bool, ckey: tuple[int, int, Hashable, int] | None,
                     child: Parser | None, value_first: int | None = None) -> int:
    """:meth:`Parser.levels_reached` of an object or array: inside a member's or
    element's value, the value's reach less this container (kept with the cache
    key, ``ckey``: the parent asks right after it); elsewhere the container
    itself takes one of the token's brackets to close (one more once closed).
    ``value_first``: where a token gets out only past a whole value (0: before
    a member's value or an element after a comma; 1: before a member's colon)
    -- none gets out where no token holds a closing bracket after one
    (``view.closers_after_value()``)."""
    if not in_value:
        if value_first is not None and not view.closers_after_value()[value_first]:
            return 0
        return view.closers()[0] + done
    if ckey is not None and ckey[0] == view.serial:
        return ckey[3]
    assert child is not None
    return child.levels_reached(view) - 1


class ValueOwner(Protocol):
    """An object or array reading a member's or element's value (see :func:`value_key`)."""

    child: Parser | None

    def _last_key(self, view: TokenView) -> Hashable: ...

    def _then_key(self, view: TokenView, horizon: int) -> Hashable: ...


def value_key(view: TokenView, horizon: int, owner: ValueOwner) -> tuple[Hashable, Hashable, int]:
    """An object's or array's cache key inside a member's or element's value, in
    parts: the value's key, what the container does after it as far as a token
    reaches -- ``owner._last_key`` (its key by the texts after the last bracket)
    where a token gets there only past every bracket it may hold, else
    ``owner._then_key`` -- and how many containers past this one a token reaches.
    Past a token's reach (or past a sealed value) the container and its ancestors
    tell nothing apart: no part of theirs (``None``)."""
    child = owner.child
    assert child is not None
    inside = child.cache_key(view, horizon)
    reach = child.levels_reached(view) - 1
    if isinstance(inside, SealedKey) or reach < 0:
        return inside, None, reach
    then = owner._last_key(view) if reach == 0 else None
    return inside, owner._then_key(view, horizon) if then is None else then, reach


def last_bracket_key(after: Parser, texts: tuple[str, ...]) -> Hashable:
    """A container's key where a token gets in only past every bracket it may hold:
    which of the texts after the last one (``TokenView.last_texts``) its state
    after the value, ``after``, takes."""
    return ("takes after the last bracket", tuple(after.advance_text(text) is not None for text in texts))


def leads_nowhere(state: Parser | None) -> bool:
    """Whether ``state`` is no state, or one that can neither end nor go on."""
    return state is None or (not state.can_end() and not state.allowed())


def _between(state: Parser) -> bool:
    """Whether ``state``'s innermost object or array has read a whole member (where
    a comma means "another one"), not a comma inside a string or a key."""
    from . import arrays, objects

    def at(inner: Parser) -> bool | Parser:
        if isinstance(inner, objects.ObjectState):
            value, after = objects.VALUE, objects.POSTVAL
        elif isinstance(inner, arrays.ArrayState):
            value, after = arrays.VALUE, arrays.POSTVAL
        else:
            return False
        if inner.phase == after:
            return True
        child = inner.child
        if inner.phase != value or child is None:
            return False
        return True if child.can_end() else child

    return _somewhere(state, at)


def _escapes_dead(state: Parser | None) -> bool:
    """Whether, after a backslash, none of the characters only an escape writes can
    go on (``\\u`` escapes of the others are checked at their last digit)."""
    if state is None:
        return True
    allowed = state.allowed()
    return all(leads_nowhere(state.advance(c)) for c in ESCAPE_LETTERS if c in allowed)


def _separator_dead(state: Parser | None) -> bool:
    """Whether, after a comma, nothing but whitespace can come -- or only a key's
    quote, after which the key is dead (see :meth:`ValueIntersect.allowed`)."""
    if state is None:
        return True
    rest = state.allowed() - _WHITESPACE
    if not rest:
        return True
    return rest == _QUOTE and leads_nowhere(state.advance('"'))


def _value_depth(state: Parser) -> int | None:
    """How many containers deep the value that a segment head reads is, where the
    head says so: the slot after a colon or comma holds a value one deeper than
    its container; an object or array state, or a value not yet begun, is that
    value itself. ``None`` for a scalar's reader: the innermost value there is."""
    if isinstance(state, Padded):
        return state.depth + 1
    if isinstance(state, ValueStart):
        return state.depth
    from .arrays import ArrayState
    from .objects import ObjectState

    if isinstance(state, (ObjectState, ArrayState)):
        return state.depth
    if isinstance(state, (Intersect, ExactlyOne)):
        parts: tuple[Parser | None, ...] = state.parts
    elif isinstance(state, Union):
        parts = state.alternatives
    elif isinstance(state, Complement):
        parts = (state.universe,)
    else:
        return None
    for part in parts:
        depth = None if part is None else _value_depth(part)
        if depth is not None:
            return depth
    return None


class IntersectNode(_PartsNode):
    __slots__ = ()

    def start(self, depth: int) -> Parser:
        states = [p.start(depth) for p in self.parts]
        if any(isinstance(s, Never) for s in states):
            return _NEVER
        return states[0] if len(states) == 1 else ValueIntersect(*states)

    def _compute_shortest(self) -> str | None:
        return _combined_shortest(self)


class OneOfNode(_PartsNode):
    __slots__ = ()

    def start(self, depth: int) -> Parser:
        live = self._live_starts(depth)
        if not live:
            return _NEVER
        return live[0] if len(live) == 1 else OneOfState(*live)

    def _compute_shortest(self) -> str | None:
        return _combined_shortest(self)


class OneOfState(ExactlyOne):
    """A ``oneOf`` read side by side, sharing the parts' promises where its parts
    are objects of different schemas (or depths): their states never become equal
    (an object's key holds its schema), so none is ever another's twin, and the
    parts taken one by one as their stand-ins or inside one enclosed text make the
    same "exactly one". (Other parts may meet as twins: no promise then.)"""

    __slots__ = ()

    def _apart(self) -> bool:
        from .objects import ObjectState

        seen = set()
        for part in self.parts:
            if part is None:
                continue
            if not isinstance(part, ObjectState) or (part.node.gid, part.depth) in seen:
                return False
            seen.add((part.node.gid, part.depth))
        return True

    def stand_in(self) -> tuple[Parser, tuple[str, ...]] | None:
        # (each object inside a declared name stands in by its any-key state)
        got = common_stand_in(self._live()) if self._apart() else None
        return None if got is None else (self._placed(got[0]), got[1])

    def enclosed(self) -> tuple[Parser, Parser | None] | None:
        # (every object inside the same undeclared key: one text, read alike)
        return common_enclosed(self._live(), self._placed) if self._apart() else None

    def _live(self) -> list[Parser]:
        return [p for p in self.parts if p is not None]

    def mask_key(self, horizon: int) -> Hashable:
        # A oneOf of strings (a format, a pattern, a maxLength) read inside a
        # string: by its parts' own mask keys, so that a counted part far from its
        # bounds has one mask, not one per character (~4 ms each). What else
        # decides what it takes on a short text is kept with them: which parts are
        # twins now (equal keys), and which take every rest. Within such a text
        # no other two parts meet: a pattern's state is kept exactly, a counted
        # string's too while a bound is near; two strings of different kinds
        # never have one key. Other parts (objects, which meet by their written
        # names) keep the exact key.
        parts = self.parts
        if not all(p is None or _plain_string(p) for p in parts):
            return self.key()
        keys = [None if p is None else p.key() for p in parts]
        return ("one~", tuple(None if p is None else p.mask_key(horizon) for p in parts),
                tuple(None if k is None else keys.index(k) for k in keys),
                tuple(p is not None and takes_any_rest(p) for p in parts), horizon)

    def _placed(self, live: list[Parser]) -> OneOfState:
        """This state with its live parts, in order, replaced by ``live``."""
        it = iter(live)
        return OneOfState(*(None if p is None else next(it) for p in self.parts))


def _plain_string(state: Parser) -> bool:
    """A JSON string whose value is a pattern's automaton or a counted text (see
    ``OneOfState.mask_key``)."""
    return type(state) is JsonString and isinstance(state.value, (RegexState, FreeText))


#: grammar ids of "any JSON value" nodes (one per whitespace policy, and one whose
#: numbers have no exponent: see the compiler)
ANY_GIDS: set[int] = set()


def takes_any_value(node: Node) -> bool:
    """Whether ``node`` is an "any JSON value" node. (The one without exponents is
    met only where every language is written so: see ``Compiler.plain``.)"""
    return node.gid in ANY_GIDS


#: characters after which the excluded side of a ValueComplement may come to take
#: every rest of the value: a key's or string's closing quote, a container's
#: opening or closing, a comma, a colon, whitespace, a literal's last letter
_CLOSING = '"{}[],: \nel'


class ValueComplement(Complement):
    """A JSON value of ``universe`` that ``excluded`` rejects, the two reading one
    value. Once ``excluded`` takes every way to finish it -- an object with its
    required names written and nothing else to say: the ``if`` of a
    ``dependencies`` entry once its name is written -- nothing is left. A plain
    :class:`Complement` went on to the closing brace before finding that out,
    and a completion search followed it there (keys "type", "typea", "typeaa"...)."""

    __slots__ = ()

    def __init__(self, universe: Parser, excluded: Parser | None) -> None:
        super().__init__(universe, excluded)
        self._key = ("vnot", *self._key[1:])

    def _next(self, universe: Parser, excluded: Parser) -> Parser | None:
        if takes_any_rest(excluded):
            return None
        return ValueComplement(universe, excluded)

    def allowed(self) -> CharSet:
        if self._allowed is None:
            if checking_complement():
                return super().allowed()  # (see Complement.allowed)
            # (kept: ~8 advances each time, while the key -- "any object" beside "an
            # object with that name", off every name -- stays one along a key: a
            # dependency took ~30 ms a mask)
            kept = kept_allowed(self._key)
            if kept is not None:
                self._allowed = kept
                return kept
            out = super().allowed()
            deep = not VALUE_CHECK.closing
            # a closing character after which nothing is left is gone too: a string's
            # quote where its text is one the excluded pattern matches (the value is
            # whole there and both sides took it)
            # (one level deep: inside a string "}" and "]" lead back to the same state)
            VALUE_CHECK.closing = True
            try:
                gone = [c for c in _CLOSING if c in out and (
                    leads_nowhere(self.advance(c)) if deep and c in '"}]' else self.advance(c) is None)]
            finally:
                VALUE_CHECK.closing = not deep
            self._allowed = keep_allowed(self._key, out - CharSet.of(gone) if gone else out)
        return self._allowed


class NotNode(Node):
    """Any JSON value that ``excluded`` rejects."""

    __slots__ = ("excluded", "universe")

    def __init__(self, gid: int, universe: Node, excluded: Node) -> None:
        super().__init__(gid)
        self.universe = universe
        self.excluded = excluded

    def children(self) -> tuple[Node, ...]:
        return self.universe, self.excluded

    def start(self, depth: int) -> Parser:
        exc = self.excluded.start(depth)
        uni = self.universe.start(depth)
        if isinstance(exc, Never):
            return uni
        return ValueComplement(uni, exc)

    def _compute_shortest(self) -> str | None:
        return _combined_shortest(self)


class IfNode(Node):
    """``if``/``then``/``else``: (if and then) or (not if and else). ``failed`` is
    ``cond`` as its whole language, for the texts it takes away from ``else``
    (a generation choice such as strictness must not shrink it there, see
    :meth:`~lmparsec.combinators.jsonschema.compiler.Compiler.exact`)."""

    __slots__ = ("cond", "failed", "other", "then", "universe")

    def __init__(self, gid: int, cond: Node, failed: Node, then: Node, other: Node, universe: Node) -> None:
        super().__init__(gid)
        self.cond = cond
        self.failed = failed
        self.then = then
        self.other = other
        self.universe = universe

    def children(self) -> tuple[Node, ...]:
        return self.cond, self.failed, self.then, self.other, self.universe

    def start(self, depth: int) -> Parser:
        failed = self.failed.start(depth)
        if isinstance(failed, Never):
            return self.other.start(depth)
        cond = failed if self.failed is self.cond else self.cond.start(depth)
        then = self.then.start(depth)
        other = self.other.start(depth)
        yes = cond if self.then is self.universe else ValueIntersect(cond, then)
        # "not if, and else" is the texts of else that if rejects
        no = ValueComplement(other, failed)
        if isinstance(then, Never) or isinstance(cond, Never):
            return no
        if isinstance(other, Never):
            return yes
        return Union(yes, no)

    def _compute_shortest(self) -> str | None:
        return _combined_shortest(self)

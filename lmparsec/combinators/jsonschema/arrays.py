"""JSON arrays: per-position item schemas, counts, ``contains`` and ``uniqueItems``.

The state is the phase, the whitespace slot, how many elements have started
(capped where the count stops mattering), how many matched ``contains``
(capped likewise) and the element being read. ``contains`` runs its own
parser over each element beside the item parser; ``uniqueItems`` keeps the
values written so far (compared as JSON values: ``1`` equals ``1.0``, key
order is free) and the current element's text.

A string element of a ``uniqueItems`` array has its masks from the token layer's
shared paths like any other string: a state whose text can still become an
earlier element stands in by one marked :class:`Fresh` -- known to differ from
every earlier element whatever follows -- with only the tokens that could spell
one of those elements' rests walked from the state itself (see
:meth:`ArrayState.stand_in`); the marked state keeps no text, so the string's
own promises (loops, segments) hold through it as through any array.
Without that, every position inside such a string walked the whole vocabulary
one character at a time (~1 s on a 128k vocabulary: ``"tags": [...]`` lists).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

from ...memo import remember
from ..base import Parser, TokenView
from ..charset import CharSet
from .nodes import AFTER_VALUE, Node, Padded, container_levels, last_bracket_key, leads_nowhere, value_key
from .spec import norm_key
from .strings import ESCAPED_ONLY, JsonString, child_enclosed, raw_in_string

if TYPE_CHECKING:
    from .whitespace import WhitespacePolicy

__all__ = ["ArrayNode", "ArrayState"]

OPEN, FIRST, VALUE, POSTVAL, PREVAL, DONE = range(6)
_OPEN_SET = CharSet.of("[")
_CLOSE_SET = CharSet.of("]")
_COMMA_SET = CharSet.of(",")


#: allowed sets this small are checked for elements that could only repeat one
_CHECKED = 32
_BACKSLASH = CharSet.of("\\")
_ZERO = CharSet.of("0")


def _only_rest(state: Parser, most: int = 64) -> str | None:
    """The one text that finishes ``state``, where it has exactly one (of at most
    ``most`` characters): the rest of ``null`` after its ``n``. Inside a string an
    escape may spell the one character left (``"TRAC`` then ``E`` or ``\\u0045``):
    the decoded text is one, and that is what repeats."""
    out: list[str] = []
    cur: Parser | None = state
    while cur is not None and len(out) <= most:
        allowed = cur.allowed()
        if cur.can_end():
            return "".join(out) if not allowed else None
        if len(allowed) == 2 and "\\" in allowed:
            allowed = allowed - _BACKSLASH
            if not _escape_writes_only(cur, allowed):
                return None  # (the escape may write another character: a quote)
        char = allowed.single()
        if char is None:
            return None
        out.append(char)
        cur = cur.advance(char)
    return None


def _escape_writes_only(state: Parser, chars: CharSet) -> bool:
    """Whether an escape in string ``state`` could only write a character among
    ``chars``, each also written as itself (one decoded text either way). Not so
    where the string's value takes a quote, a backslash or a control character
    there: an enum's ``a\"c`` beside ``ab``."""
    # (a quote written as itself closes the string, a backslash begins an escape:
    # only characters JSON writes as themselves are the same decoded either way)
    written = chars - ESCAPED_ONLY
    return isinstance(state, JsonString) and state.in_content() and not state.value.allowed() - written


class Fresh:
    """The text of a string element (``uniqueItems``) known to differ from every
    earlier element whatever follows, in place of its text: it only ever stands in
    for a real state inside a mask computation (:meth:`ArrayState.stand_in`).

    Once the element ends, it counts among the elements seen as ``("fresh",
    prefix)``; a later string element that starts with ``prefix`` might equal it
    and is refused. That can refuse only a token that closes this element and
    writes a whole further one starting with its text: among the test
    tokenizers' tokens only ``","","`` and the like, which close an element
    written in the same token (an empty one, equal to ``""``, refused rightly).
    """

    __slots__ = ("prefix",)

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Fresh) and other.prefix == self.prefix

    def __hash__(self) -> int:
        return hash(("fresh", self.prefix))

    def __repr__(self) -> str:
        return f"Fresh({self.prefix!r})"


def _open_member_string(element: Parser) -> tuple[Parser, None] | None:
    """The string an object element reads as a member's value (in nested objects
    too), as an enclosed text whose end is walked past whole: any string -- a
    pattern's, an enum's -- where the array keeping the element's text refuses
    nothing before that end. It refuses only a character after which one text
    is left to finish the element and that repeats one seen (``_repeats``); the
    object holding the string offers two characters or more after the value (a
    comma or a closer, and whitespace), so no single text leads past there.
    Without it each such position walked the vocabulary through the array,
    character by character (a pattern's first letter in a list of unique
    objects: ~0.6 s on a 128k vocabulary)."""
    from .objects import POSTVAL, ObjectState
    from .objects import VALUE as MEMBER

    state = element
    holder = None
    while isinstance(state, ObjectState) and state.phase == MEMBER and state.child is not None:
        holder = state
        state = state.child
    if holder is None or not isinstance(state, JsonString) or state.can_end():
        return None
    after = holder._with(POSTVAL).allowed() - _BACKSLASH
    return (state, None) if len(after) >= 2 else None


#: more rests than this to walk (closers of earlier elements): no stand-in
_MAX_CLOSERS = 4096
#: arrays of arrays keyed by their elements' starts this deep (then by node)
_NESTED_KEYS = 2
_nesting = threading.local()
_UNKNOWN = object()


class ArrayNode(Node):
    """A compiled array schema."""

    __slots__ = (
        "contains",
        "contains_cap",
        "index_cap",
        "items",
        "max_contains",
        "max_items",
        "min_contains",
        "min_items",
        "prefix",
        "unique",
        "ws",
    )

    def __init__(self, gid: int, *, prefix: list[Node], items: Node | None, min_items: int,
                 max_items: int | None, contains: Node | None, min_contains: int,
                 max_contains: int | None, unique: bool, ws: WhitespacePolicy) -> None:
        super().__init__(gid)
        self.prefix = prefix
        self.items = items
        self.min_items = min_items
        self.max_items = max_items
        self.contains = contains
        self.min_contains = min_contains if contains is not None else 0
        self.max_contains = max_contains if contains is not None else None
        self.unique = unique
        self.ws = ws
        self.index_cap = max(len(prefix), min_items, max_items or 0)
        self.contains_cap = max(self.min_contains, self.max_contains or 0) + 1

    def children(self) -> tuple[Node, ...]:
        more = [node for node in (self.items, self.contains) if node is not None]
        return (*self.prefix, *more)

    def start(self, depth: int) -> Parser:
        return ArrayState(self, depth, OPEN, 0, 0, 0, None, None, frozenset(), "")

    def first(self) -> CharSet:
        return _OPEN_SET

    def item_node(self, index: int) -> Node | None:
        if self.max_items is not None and index >= self.max_items:
            return None
        if index < len(self.prefix):
            return self.prefix[index]
        return self.items

    def can_close(self, index: int, ccount: int) -> bool:
        return index >= self.min_items and ccount >= self.min_contains

    def _compute_shortest(self) -> str | None:
        return self.start(0).shortest()


_new_array_state = object.__new__


class ArrayState(Parser):
    __slots__ = (
        "_allowed",
        "_ckey",
        "_key",
        "_mkey",
        "cchild",
        "ccount",
        "child",
        "depth",
        "index",
        "node",
        "phase",
        "seen",
        "text",
        "ws",
    )

    def __init__(self, node: ArrayNode, depth: int, phase: int, ws: int, index: int, ccount: int,
                 child: Parser | None, cchild: Parser | None, seen: frozenset[Any],
                 text: str | Fresh) -> None:
        self.node = node
        self.depth = depth
        self.phase = phase
        self.ws = ws
        self.index = index
        self.ccount = ccount
        self.child = child
        self.cchild = cchild
        self.seen = seen
        self.text = text
        self._key: Hashable = None
        self._mkey: tuple[Any, ...] | None = None
        #: (view serial, horizon, cache key, levels reached: what the parent asks next)
        self._ckey: tuple[int, int, Hashable, int] | None = None
        self._allowed: CharSet | None = None

    def _with(self, phase: int, ws: int = 0) -> ArrayState:
        return self._moved(phase, ws, None, None, "")

    def _moved(self, phase: int, ws: int, child: Parser | None, cchild: Parser | None,
               text: str | Fresh) -> ArrayState:
        """The same array at the same element in another phase (made slot by slot,
        not through ``__init__``: walks step from phase to phase character by
        character, as an object's :meth:`~.objects.ObjectState._moved`)."""
        out = _new_array_state(ArrayState)
        out.node = self.node
        out.depth = self.depth
        out.phase = phase
        out.ws = ws
        out.index = self.index
        out.ccount = self.ccount
        out.child = child
        out.cchild = cchild
        out.seen = self.seen
        out.text = text
        out._key = None
        out._mkey = None
        out._ckey = None
        out._allowed = None
        return out

    def _start_element(self, char: str) -> Parser | None:
        node = self.node
        item = node.item_node(self.index)
        if item is None:
            return None
        st = item.start(self.depth + 1).advance(char)
        if st is None:
            return None
        if node.unique and self.seen and self._repeats(char, st):
            return None
        cst = None
        if node.contains is not None:
            cst = node.contains.start(self.depth + 1).advance(char)
        index = min(self.index + 1, node.index_cap)
        return ArrayState(node, self.depth, VALUE, 0, index, self.ccount, st, cst, self.seen,
                          char if node.unique else "")

    def _repeats(self, text: str, state: Parser) -> bool:
        """Whether an element begun as ``text`` has one way left to finish, and
        that way writes an element seen before (``uniqueItems``): a second ``null``
        was refused only at its last letter, where nothing else could be written."""
        rest = _only_rest(state)
        if rest is None:
            if "." not in text or state.allowed() != _ZERO:
                return False
            # an integer's fraction of zeros: any number of them writes one value
            # (a second "8." went on with zeros for ever)
            rest = "0"
        try:
            value = norm_key(json.loads(text + rest))
        except ValueError:
            return False
        return value in self.seen

    def _end_element(self) -> ArrayState | None:
        """The state after the element in ``child`` is complete (None if it may not end here)."""
        node = self.node
        ccount = self.ccount
        if node.contains is not None and self.cchild is not None and self.cchild.can_end():
            ccount = min(ccount + 1, node.contains_cap)
            if node.max_contains is not None and ccount > node.max_contains:
                return None
        seen = self.seen
        if node.unique:
            text = self.text
            if isinstance(text, Fresh):
                value: Any = ("fresh", text.prefix)
            else:
                try:
                    value = norm_key(json.loads(text))
                except ValueError:
                    return None
                if value in seen:
                    return None
                if value[0] == "s" and any(v[0] == "fresh" and value[1].startswith(v[1]) for v in seen):
                    return None  # it might equal the marked element (see Fresh)
            seen = seen | {value}
        return ArrayState(node, self.depth, POSTVAL, 0, self.index, ccount, None, None, seen, "")

    def advance(self, char: str) -> Parser | None:
        phase = self.phase
        node = self.node
        if phase == VALUE:
            child = self.child
            assert child is not None
            nxt = child.advance(char)
            if nxt is not None:
                cnxt = None if self.cchild is None else self.cchild.advance(char)
                if nxt is child and cnxt is self.cchild and not self._reads_text():
                    return self
                text = self.text
                if node.unique and not isinstance(text, Fresh):
                    text = text + char
                    if self.seen and self._repeats(text, nxt):
                        return None
                return self._moved(VALUE, 0, nxt, cnxt, text if node.unique else "")
            if not child.can_end():
                return None
            ended = self._end_element()
            return None if ended is None else ended._after_value(char)
        if phase == POSTVAL:
            return self._after_value(char)
        if phase == OPEN:
            return self._with(FIRST) if char == "[" else None
        if phase in (FIRST, PREVAL):
            ws = node.ws.advance(self.ws, self.depth, char)
            if ws is not None:
                return self._with(phase, ws)
            if char == "]" and phase == FIRST and node.can_close(self.index, self.ccount):
                return self._with(DONE)
            return self._start_element(char)
        return None

    def _after_value(self, char: str) -> Parser | None:
        node = self.node
        ws = node.ws.advance(self.ws, self.depth, char)
        if ws is not None:
            return self._with(POSTVAL, ws)
        if char == ",":
            return self._with(PREVAL) if node.item_node(self.index) is not None else None
        if char == "]" and node.can_close(self.index, self.ccount):
            return self._with(DONE)
        return None

    def _after_value_allowed(self) -> CharSet:
        node = self.node
        out = node.ws.allowed(self.ws, self.depth)
        if node.item_node(self.index) is not None and not (node.unique and self.seen and self._no_more()):
            out = out | _COMMA_SET
        if node.can_close(self.index, self.ccount):
            out = out | _CLOSE_SET
        return out

    def _no_more(self) -> bool:
        """Whether no element could follow a comma here: every one the items take
        repeats one seen (``["TestAssemblies"`` of a one-name enum: the comma was
        offered, and after it nothing)."""
        nxt = self._after_value(",")
        return not isinstance(nxt, ArrayState) or not nxt._firsts(follow=False)

    def _firsts(self, follow: bool) -> CharSet:
        """The characters an element may start with here (before it, between
        elements); under ``uniqueItems`` those of elements that need not repeat one
        seen, and with ``follow`` also alive one character further (each begun
        element also followed one character: after two enum names were written, a
        quote led to their two first letters, each refused there as a repeat)."""
        node = self.node
        item = node.item_node(self.index)
        if item is None:
            return CharSet.EMPTY
        first = item.first()
        if node.unique and self.seen and len(first) <= _CHECKED:
            # (``follow`` only from here: the element's own allowed set asks whether
            # a comma may come after it, which asks this without following)
            starts = [(c, self._start_element(c)) for c in first]
            keep = [c for c, st in starts if (not leads_nowhere(st) if follow else st is not None)]
            first = CharSet.of(keep)
        return first

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
            text = self.text
            if node.unique and self.seen and 0 < len(out) <= _CHECKED and not isinstance(text, Fresh):
                kept = []
                for c in out:
                    nxt = child.advance(c)
                    if nxt is None or not self._repeats(text + c, nxt):
                        kept.append(c)
                # (and an escape that could only write the characters refused: a third
                # name of a two-name enum was begun, and after "Azure " only a backslash
                # was left, whose escape wrote the same two letters)
                refused = out - CharSet.of(kept)
                if "\\" in kept and refused and _escape_writes_only(child, refused):
                    kept.remove("\\")
                out = CharSet.of(kept)
            if child.can_end():
                ended = self._end_element()
                if ended is not None:
                    out = out | ended._after_value_allowed()
            return out
        if phase == POSTVAL:
            return self._after_value_allowed()
        if phase == OPEN:
            return _OPEN_SET
        if phase in (FIRST, PREVAL):
            out = node.ws.allowed(self.ws, self.depth) | self._firsts(follow=True)
            if phase == FIRST and node.can_close(self.index, self.ccount):
                out = out | _CLOSE_SET
            return out
        return CharSet.EMPTY

    def can_end(self) -> bool:
        return self.phase == DONE

    def layout(self) -> CharSet:
        # whitespace between tokens; inside a value, the value's own
        phase = self.phase
        child = self.child
        if phase == VALUE:
            assert child is not None
            out = child.layout() if self.cchild is None else child.layout() & self.cchild.layout()
            if child.can_end():  # whitespace after the value, where the value takes none
                taken = child.allowed() if self.cchild is None else child.allowed() | self.cchild.allowed()
                out = out | (self.node.ws.allowed(0, self.depth) - taken)
            return out
        if phase in (FIRST, PREVAL, POSTVAL):
            return self.node.ws.allowed(self.ws, self.depth)
        return CharSet.EMPTY

    def loop(self) -> CharSet:
        if self.phase != VALUE or self._reads_text():
            return CharSet.EMPTY
        assert self.child is not None
        out = self.child.loop()
        if out and self.cchild is not None:
            out = out & self.cchild.loop()
        if out and self.child.can_end():
            ended = self._end_element()
            out = out - self._after_value_allowed()
            if ended is not None:
                out = out - ended._after_value_allowed()
        return out

    def loop_limit(self) -> int | None:
        if self.phase != VALUE or self._reads_text():
            return None
        assert self.child is not None
        limits = [n for n in (self.child.loop_limit(),
                              None if self.cchild is None else self.cchild.loop_limit()) if n is not None]
        return min(limits) if limits else None

    def step_class(self, char: str) -> CharSet:
        if self.phase != VALUE or self._reads_text():
            return CharSet.of(char)
        assert self.child is not None
        out = self.child.step_class(char)
        if self.cchild is not None:
            out = out & self.cchild.step_class(char)
        if self.child.can_end():
            ended = self._end_element()
            after = self._after_value_allowed() if ended is None else ended._after_value_allowed()
            after = after | self._after_value_allowed()
            out = CharSet.of(char) if char in after else out - after
        return out

    def _with_value(self, child: Parser) -> ArrayState:
        """This element position reading ``child`` instead (no ``contains`` state)."""
        return ArrayState(self.node, self.depth, VALUE, 0, self.index, self.ccount, child, None,
                          self.seen, self.text if isinstance(self.text, Fresh) else "")

    def _reads_text(self) -> bool:
        """Whether the element's text goes into the state (``uniqueItems``, unless
        the element is marked :class:`Fresh`)."""
        return self.node.unique and not isinstance(self.text, Fresh)

    def _forwards(self) -> bool:
        # an element's promises hold through the array unless the array also reads
        # the element's text (uniqueItems) or runs a second state on it (contains)
        return self.phase == VALUE and self.cchild is None and not self._reads_text()

    def enclosed(self) -> tuple[Parser, Parser | None] | None:
        if self._forwards():
            assert self.child is not None
            return child_enclosed(self.child, self._with_value)
        if self.phase == VALUE and self.cchild is None:
            # inside a string in an element whose text this array keeps: the string
            # takes what it takes whatever the text, and a token going past its
            # end is walked whole from here (the element may end in it)
            assert self.child is not None
            return child_enclosed(self.child, None) or _open_member_string(self.child)
        return None

    def segment(self) -> tuple[Parser, Parser, CharSet] | None:
        # After a comma: whitespace and the next element, then the array goes on as
        # after any element (unless it also reads the element's text or runs a
        # contains state on it)
        node = self.node
        if self.phase == PREVAL and node.contains is None and not node.unique:
            item = node.item_node(self.index)
            if item is None:
                return None
            after = ArrayState(node, self.depth, POSTVAL, 0, min(self.index + 1, node.index_cap),
                               self.ccount, None, None, self.seen, "")
            return Padded(node.ws, self.ws, self.depth, item), after, AFTER_VALUE
        if not self._forwards():
            return None
        assert self.child is not None
        got = self.child.segment()
        if got is None:
            ended = self._end_element()
            return None if ended is None else (self.child, ended, AFTER_VALUE)
        return got[0], self._with_value(got[1]), got[2]

    def counted(self) -> tuple[Parser, int | None, int] | None:
        if not self._forwards():
            return None
        assert self.child is not None
        got = self.child.counted()
        return None if got is None else (self._with_value(got[0]), got[1], got[2])

    def stand_in(self) -> tuple[Parser, tuple[str, ...]] | None:
        if self._forwards():
            assert self.child is not None
            got = self.child.stand_in()
            return None if got is None else (self._with_value(got[0]), got[1])
        got = self._unique_stand_in()
        if got is not None or self.phase != VALUE or self.cchild is not None:
            return got
        # an element's promise holds through an array keeping its text too, with
        # the same text kept (both states then read every text alike)
        assert self.child is not None
        inner = self.child.stand_in()
        if inner is None:
            return None
        return ArrayState(self.node, self.depth, VALUE, 0, self.index, self.ccount, inner[0], None,
                          self.seen, self.text), inner[1]

    def _unique_stand_in(self) -> tuple[Parser, tuple[str, ...]] | None:
        """Inside a string element of a ``uniqueItems`` array: the same position
        marked :class:`Fresh` acts alike on every token except one that closes
        the string where its text equals an earlier element -- a token that
        spells the rest of such an element and the quote, or escapes on the way
        there. Those (under the rests' raw spellings up to a backslash or the
        quote) are walked from this state itself."""
        child = self.child
        text = self.text
        if (self.phase != VALUE or self.cchild is not None or not isinstance(child, JsonString)
                or not child.in_content() or isinstance(text, Fresh)):
            return None
        try:
            so_far = json.loads(text + '"')
        except ValueError:
            return None
        if not isinstance(so_far, str):
            return None
        prefixes: set[str] = set()
        for kind, value in self.seen:
            if kind == "fresh":
                return None  # (only inside another stand-in's walk)
            if kind != "s" or not value.startswith(so_far):
                continue
            rest = value[len(so_far):]
            for i, char in enumerate(rest):
                prefixes.add(rest[:i] + "\\")  # spelled with an escape from here on
                if not raw_in_string(char):
                    break
            else:
                prefixes.add(rest + '"')
            if len(prefixes) > _MAX_CLOSERS:
                return None
        other = ArrayState(self.node, self.depth, VALUE, 0, self.index, self.ccount, child, None,
                           self.seen, Fresh(so_far))
        return other, tuple(sorted(prefixes))

    def key(self) -> Hashable:
        k = self._key
        if k is None:
            k = self._key = (
                self.node.gid, self.depth, self.phase, self.ws, self.index, self.ccount,
                None if self.child is None else self.child.key(),
                None if self.cchild is None else self.cchild.key(),
                self.seen or None, self.text or None,
            )
        return k

    def mask_key(self, horizon: int) -> Hashable:
        if self.child is None and self.cchild is None:
            return self.key()
        got = self._mkey
        if got is None or got[-1] != horizon:
            got = self._mkey = (
                self.node.gid, self.depth, self.phase, self.ws, self.index, self.ccount,
                None if self.child is None else self.child.mask_key(horizon),
                None if self.cchild is None else self.cchild.mask_key(horizon),
                self.seen or None, self.text or None, horizon,
            )
        return got

    def cache_key(self, view: TokenView, horizon: int) -> Hashable:
        # Inside an element read as it is (no text kept, no contains state): keyed
        # by the element and what the array does after it (see _after_key) -- not
        # by its ancestors' progress (see Parser.cache_key); before an element, by
        # the element's start and the same.
        node = self.node
        if node.unique or node.contains is not None:
            return self.mask_key(horizon)
        got = self._ckey
        if got is not None and got[0] == view.serial and got[1] == horizon:
            return got[2]
        reach = 0
        phase = self.phase
        key: Hashable = None
        if phase == DONE:
            key = ("array done",)
        elif phase == VALUE:
            inside, after, reach = value_key(view, horizon, self)
            key = inside if after is None else (after, 0, inside)
        elif phase == POSTVAL:
            key = (self._after_key(view, horizon, self.index, self.ws) or self._progress(), self.ws)
        else:
            key = self._before_key(view, horizon)
        if key is None:
            key = self.mask_key(horizon)
        # (by number: a state may outlive the vocabulary's index)
        self._ckey = (view.serial, horizon, key, reach)
        return key

    def _then_key(self, view: TokenView, horizon: int) -> Hashable:
        """What the array does after the element it is in (see :func:`value_key`)."""
        return self._after_key(view, horizon, self.index, 0) or self._progress()

    def _progress(self) -> Hashable:
        """What the array does after the element it is in, by node and progress."""
        return ("array after element", self.node.gid, self.depth, self.index, self.ccount)

    def _after_key(self, view: TokenView, horizon: int, index: int, ws: int) -> Hashable | None:
        """What the array does after its element ``index`` (counted from one),
        having read ``ws`` of whitespace: where nothing is left to count -- every
        later element is an ``items`` one and the array may close after each --
        more whitespace, a closing bracket, or a comma and the next element's
        start (:class:`Padded`'s key): arrays of other schemas whose items start
        alike, at any depth a token cannot tell apart, are one key there (a
        list of strings is one in every schema). ``None`` where something is
        left to count (then by node and progress)."""
        node = self.node
        if node.max_items is not None or index < len(node.prefix) or index < node.min_items:
            return None
        memos = node.view_memos(view)
        memo = ("after element", ws, self.depth, horizon)
        got = memos.get(memo)
        if got is None:
            told = node.ws.depth_told(ws, self.depth, view.indent_reach())
            nxt = None if node.items is None else self._element_key(view, horizon, node.items, 0)
            got = remember(memos, memo, ("array then", node.ws.describe(), told, nxt), 4096)
        return got

    def _before_key(self, view: TokenView, horizon: int) -> Hashable:
        """Before ``[``, after it, or after a comma: the element's start with the
        whitespace before it (and a closing bracket where the array may be
        empty), then what the array does after that element (:meth:`_after_key`);
        ``None`` where that is kept by node and progress."""
        node = self.node
        phase = self.phase
        memos = node.view_memos(view)
        memo = ("before element", phase, self.ws, self.depth, self.index, horizon)
        got = memos.get(memo, _UNKNOWN)
        if got is _UNKNOWN:
            got = None
            if phase == OPEN:
                first = self._with(FIRST)._before_key(view, horizon)
                got = None if first is None else ("array open", first)
            else:
                then = self._after_key(view, horizon, min(self.index + 1, node.index_cap), 0)
                item = node.item_node(self.index)
                if then is not None:
                    start = None if item is None else self._element_key(view, horizon, item, self.ws)
                    close = phase == FIRST and node.can_close(self.index, self.ccount)
                    got = ("array before element", close, start, then)
            got = remember(memos, memo, got, 4096)
        return got

    def _element_key(self, view: TokenView, horizon: int, item: Node, ws: int) -> Hashable:
        """The key of whitespace (``ws`` read) and an element of ``item`` here:
        :class:`Padded`'s, which keys the element by its start. An array's
        element that is an array keys its own elements so in turn; past a few
        such levels (a schema's items may be itself) by node and depth."""
        level = _nesting.__dict__.get("level", 0)
        if level >= _NESTED_KEYS:
            return ("element", self.node.ws.describe(), ws, item.gid, self.depth)
        _nesting.level = level + 1
        try:
            return Padded(self.node.ws, ws, self.depth, item).cache_key(view, horizon)
        finally:
            _nesting.level = level

    def _last_key(self, view: TokenView) -> Hashable:
        """Which of ``view.last_texts()`` the array takes after this element (as an
        object's ``_last_key``): arrays of other items and progress that take
        the same ones are one key there. Kept per node and progress."""
        texts = view.last_texts()
        if texts is None:
            return None
        memos = self.node.view_memos(view)
        memo = ("last texts", self.depth, self.index, self.ccount)
        got: Hashable = memos.get(memo)
        if got is None:
            after = ArrayState(self.node, self.depth, POSTVAL, 0, self.index, self.ccount, None, None,
                               self.seen, "")
            got = remember(memos, memo, last_bracket_key(after, texts), 4096)
        return got

    def levels_reached(self, view: TokenView) -> int:
        # (after a comma, a token gets out only past a whole element)
        return container_levels(view, self.phase == VALUE, self.phase == DONE, self._ckey, self.child,
                                0 if self.phase == PREVAL else None)

    def token_key(self, view: TokenView) -> Hashable | None:
        # an element read as it is (no text kept to compare) takes what its value
        # takes, where no token gets past the value's end
        if self.phase != VALUE or self.node.unique:
            return None
        assert self.child is not None
        return self.child.token_key(view)

    def shortest(self, limit: int = 20000) -> str | None:
        node = self.node
        if node.contains is not None or (node.unique and node.min_items > 1):
            return super().shortest(limit)
        phase = self.phase
        if phase == DONE:
            return ""
        if phase == OPEN:
            tail = self._with(FIRST).shortest(limit)
            return None if tail is None else "[" + tail
        if phase == VALUE:
            assert self.child is not None
            if self.child.can_end():
                ended = self._end_element()
                tail = None if ended is None else ended.shortest(limit)
                if tail is None and self.child.allowed():
                    return super().shortest(limit)  # (a repeat here: "8" after 8 goes on as "80")
                return tail
            head = self.child.shortest(limit)
            if head is None:
                return None
            nxt = self.advance_text(head)
            if nxt is None:
                return super().shortest(limit)
            tail = nxt.shortest(limit)
            return None if tail is None else head + tail
        # FIRST, PREVAL, POSTVAL
        index = self.index
        parts: list[str] = []
        comma = phase == POSTVAL
        need = phase == PREVAL
        while need or index < node.min_items:
            item = node.item_node(index)
            text = None if item is None else item.shortest()
            if text is None:
                return None
            parts.append(("," if comma else "") + text)
            comma = True
            need = False
            index += 1
        out = "".join(parts) + "]"
        if node.unique and self.seen:
            # (an element's shortest text may be one written before: "1" after 1)
            done = self.advance_text(out)
            if done is None or not done.can_end():
                return super().shortest(limit)
        return out

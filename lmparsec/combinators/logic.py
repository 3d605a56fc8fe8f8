"""Boolean combinations beyond union: both, not, exactly one.

All three run their parsers side by side on the same text, which makes them
exact on complete texts (``accepts``) for any parsers, regular or not. The
price is that ``allowed()`` is computed from the parts, so a state can allow
a character after which no completion satisfies the whole combination (for
example ``Intersect`` of "at least 5 characters" and "at most 3"). Generation
can then reach a state that allows nothing and cannot end; the token layer
reports that instead of guessing. Prefer merged grammars where they exist and
use these for what cannot be merged.
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from collections.abc import Hashable, Iterable
from typing import Any, TypeVar

from ..errors import GrammarError
from ..memo import remember
from .base import (
    SEARCH,
    Parser,
    _representatives,
    common_enclosed,
    common_layout,
    common_stand_in,
    common_step_class,
    search_shortest,
)
from .charset import CharSet

__all__ = ["Intersect", "Complement", "ExactlyOne"]

_T = TypeVar("_T", bound=tuple[Any, ...])


def _check(parsers: tuple[Parser, ...], name: str) -> None:
    if not parsers:
        raise GrammarError(f"{name} needs at least one parser")
    for i, p in enumerate(parsers):
        if not isinstance(p, Parser):
            raise GrammarError(f"{name} argument {i} is not a Parser: {p!r}")


class Intersect(Parser):
    """Texts every part accepts."""

    __slots__ = ("_key", "_mkey", "parts")

    def __init__(self, *parts: Parser) -> None:
        _check(parts, "Intersect")
        self.parts = parts
        self._key: Hashable = None
        self._mkey: tuple[Any, ...] | None = None

    @classmethod
    def _of(cls, parts: tuple[Parser, ...]) -> Intersect:
        """A state of parts already checked (a walk makes one per trie node: the
        checks, and the key until asked, are left out)."""
        out = object.__new__(cls)
        out.parts = parts
        out._key = None
        out._mkey = None
        return out

    def advance(self, char: str) -> Parser | None:
        moved = []
        for p in self.parts:
            nxt = p.advance(char)
            if nxt is None:
                return None
            moved.append(nxt)
        return self._of(tuple(moved))

    def allowed(self) -> CharSet:
        out = self.parts[0].allowed()
        for p in self.parts[1:]:
            if not out:
                break
            out = out & p.allowed()
        return out

    def can_end(self) -> bool:
        return all(p.can_end() for p in self.parts)

    def loop(self) -> CharSet:
        out = self.parts[0].loop()
        for p in self.parts[1:]:
            if not out:
                break
            out = out & p.loop()
        return out

    def loop_limit(self) -> int | None:
        limits = [n for n in (p.loop_limit() for p in self.parts) if n is not None]
        return min(limits) if limits else None

    def step_class(self, char: str) -> CharSet:
        return common_step_class(self.parts, char)

    def layout(self) -> CharSet:
        return common_layout(self.parts)

    def key(self) -> Hashable:
        k = self._key
        if k is None:
            k = self._key = ("and", tuple(p.key() for p in self.parts))
        return k

    def mask_key(self, horizon: int) -> Hashable:
        got = self._mkey
        if got is None or got[-1] != horizon:
            got = self._mkey = ("and", tuple(p.mask_key(horizon) for p in self.parts), horizon)
        return got

    # The token layer's sharing promises hold for the intersection when they hold
    # for every part *and* the shared piece is one and the same state in all of
    # them (equal keys): then every part reads it alike, ends it at the same
    # place, and only the continuations differ -- they are intersected. (Parts
    # of an ``allOf`` reading the same plain string or value are the common case.)

    def enclosed(self) -> tuple[Parser, Parser | None] | None:
        # (the parts' enclosed texts need not be one state: one that reads within
        # all the others -- a key spelled one way beside a key spelled any way --
        # is what they read together)
        return common_enclosed(self.parts, lambda afters: self._of(tuple(afters)), narrowest=True)

    def segment(self) -> tuple[Parser, Parser, CharSet] | None:
        got = _alike(p.segment() for p in self.parts)
        return None if got is None else self._segments(got)

    def _segments(self, got: list[tuple[Parser, Parser, CharSet]]) -> tuple[Parser, Parser, CharSet]:
        """The intersection's segment from its parts' (whose heads are one state,
        or -- see subclasses -- heads that end alike)."""
        heads = tuple(head for head, _, _ in got)
        first = heads[0].key()
        head = heads[0] if all(h.key() == first for h in heads[1:]) else self._of(heads)
        exits = got[0][2]
        for _, _, more in got[1:]:
            exits = exits & more  # a character going on must go on in every part
        return head, self._of(tuple(then for _, then, _ in got)), exits

    def shortest(self, limit: int = 20000) -> str | None:
        return _from_parts(self, limit)

    def stand_in(self) -> tuple[Parser, tuple[str, ...]] | None:
        # (an allOf part reading a uniqueItems list beside one that takes any
        # array: the list's stand-in serves both)
        got = common_stand_in(self.parts)
        return None if got is None else (self._of(tuple(got[0])), got[1])


class Complement(Parser):
    """Texts of ``universe`` that ``excluded`` does not accept.

    ``universe`` bounds what "not" means (for JSON Schema's ``not``, any JSON
    value); ``excluded`` may die along the way, after which every text of the
    universe is fine.
    """

    __slots__ = ("_allowed", "_key", "excluded", "universe")

    def __init__(self, universe: Parser, excluded: Parser | None) -> None:
        _check((universe,), "Complement")
        if excluded is not None and not isinstance(excluded, Parser):
            raise GrammarError(f"Complement excluded part is not a Parser: {excluded!r}")
        self.universe = universe
        self.excluded = excluded
        self._key = ("not", universe.key(), None if excluded is None else excluded.key())
        self._allowed: CharSet | None = None

    def advance(self, char: str) -> Parser | None:
        uni = self.universe.advance(char)
        if uni is None:
            return None
        exc = None if self.excluded is None else self.excluded.advance(char)
        if exc is None:
            return uni
        if exc.key() == uni.key():
            # one state on both sides (a boolean, a string or an array where the
            # excluded schema says nothing of them): every way on is taken away
            return None
        return self._next(uni, exc)

    def _next(self, universe: Parser, excluded: Parser) -> Parser | None:
        """The state after a character both sides took (subclasses may find none left)."""
        return Complement(universe, excluded)

    def allowed(self) -> CharSet:
        out = self._allowed
        if out is None:
            out = self.universe.allowed()
            if self.excluded is not None and len(out) <= _CHECKED:
                if checking_complement():
                    # inside another complement's check: unchecked (and not kept).
                    # Nested if/then/else checked at every level took 64 ** depth
                    # steps: ui5.yaml's first mask ran 85 s.
                    return out
                # a few characters (an object's closing brace among them): one that
                # ends the universe where the excluded part ends too leads nowhere --
                # {"specVersion": "3.0"} then "}" under "not the if" of a ui5.yaml
                _COMPLEMENT.on = True
                try:
                    out = CharSet.of_codes([ord(c) for c in out if _leads_on(self.advance(c))])
                finally:
                    _COMPLEMENT.on = False
            self._allowed = out
        return out

    def can_end(self) -> bool:
        return self.universe.can_end() and not (self.excluded is not None and self.excluded.can_end())

    def loop(self) -> CharSet:
        out = self.universe.loop()
        return out if self.excluded is None else out & self.excluded.loop()

    def loop_limit(self) -> int | None:
        return _min_limit((self.universe, self.excluded))

    def step_class(self, char: str) -> CharSet:
        out = self.universe.step_class(char)
        return out if self.excluded is None else out & self.excluded.step_class(char)

    def layout(self) -> CharSet:
        return common_layout((self.universe, self.excluded))

    def shortest(self, limit: int = 20000) -> str | None:
        return _from_parts(self, limit)

    def key(self) -> Hashable:
        return self._key


class ExactlyOne(Parser):
    """Texts exactly one part accepts (JSON Schema's ``oneOf``).

    Dead parts are kept as ``None`` so the key still says which parts remain.
    Parts that reach equal states (equal keys: the same continuations) can no
    longer be the one: whatever completes one completes the other. A text is
    then taken only where the other parts take it and those do not -- and
    where no other part is left, nowhere. ``oneOf`` branches written for
    objects without ``"type": "object"`` all take any string or array alike,
    so a string there is no value of the ``oneOf`` at all, and its opening
    quote is not allowed.
    """

    __slots__ = ("_allowed", "_key", "parts")

    def __init__(self, *parts: Parser | None) -> None:
        _check(tuple(p for p in parts if p is not None), "ExactlyOne")
        self._fill(parts)

    def _fill(self, parts: tuple[Parser | None, ...]) -> None:
        self.parts = parts
        self._key = ("one", tuple(None if p is None else p.key() for p in parts))
        self._allowed: CharSet | None = None

    @classmethod
    def _moved(cls, parts: tuple[Parser | None, ...]) -> ExactlyOne:
        """The state of parts this one's advanced (checked when they were made: a
        oneOf of objects makes one at every character of every walk)."""
        out = object.__new__(cls)
        out._fill(parts)
        return out

    def advance(self, char: str) -> Parser | None:
        moved = tuple(None if p is None else p.advance(char) for p in self.parts)
        live = [p for p in moved if p is not None]
        if not live:
            return None
        if len(live) == 1:
            return live[0]
        if sum(1 for p in live if takes_any_rest(p)) > 1:
            # two parts take every way to finish (two oneOf branches of open
            # objects, each with its required names written: a cloud status and
            # an RSS feed with their feed URL): no text is exactly one's
            return None
        out = type(self)._moved(moved)
        # Twins: states that take the same texts, of which none can be the one.
        # Parts that have ended and take nothing more (two string branches at
        # their closing quote) take the same text -- the empty one -- whatever
        # their keys say; objects whose schemas differ only in names each has
        # written go on alike, and one still missing names takes only texts
        # such a pair takes (see ``_future``).
        finished = [_finished(p) for p in live]
        groups = [g for g in (getattr(p, "twin_group", None) for p in live) if g is not None]
        if sum(finished) < 2 and len(set(groups)) == len(groups):
            # (the usual case, on every character: only equal keys make twins)
            idents: list[Hashable] = [p.key() for p in live]
            within: list[Hashable] = [None] * len(live)
        else:
            idents = []
            within = []
            for p, done in zip(live, finished, strict=True):
                if done:
                    idents.append(_FINISHED)
                    within.append(None)
                else:
                    future, exact = _future(p)
                    idents.append(future if exact else p.key())
                    within.append(None if exact else future)
        if len(set(idents)) == len(idents):
            return out
        seen = Counter(idents)
        doomed = {k for k, n in seen.items() if n > 1}
        rest = [p for p, k, w in zip(live, idents, within, strict=True)
                if k not in doomed and w not in doomed]
        twins = list({k: p for p, k in zip(live, idents, strict=True) if k in doomed}.values())
        if not rest:
            return None
        from .union import Union

        base = rest[0] if len(rest) == 1 else type(self)(*rest)
        return Complement(base, twins[0] if len(twins) == 1 else Union(*twins))

    def allowed(self) -> CharSet:
        out = self._allowed
        if out is None:
            # (kept: the checks below advance on up to 64 characters -- a Vega-Lite
            # spec's three object branches inside one string took ~200 ms a mask)
            out = kept_allowed(self._key)
            if out is not None:
                self._allowed = out
                return out
            out = CharSet.EMPTY
            for p in self.parts:
                if p is not None:
                    out = out | p.allowed()
            if len(out) <= _CHECKED:
                # a few characters (a value's first ones, where oneOf branches part
                # by type): each is checked, so twins' characters are left out
                out = CharSet.of_codes([ord(c) for c in out if _leads_on(self.advance(c))])
            else:
                # among many (inside a string), the characters that may close a
                # value: where two parts close together ("" of an enum [""] and of
                # any string), neither is the one. (A character every part loops on
                # closes none of them: "]" and "}" inside most strings.)
                loop = self.loop()
                shut = [c for c in _CLOSERS if c in out and c not in loop and not _leads_on(self.advance(c))]
                if shut:
                    out = out - CharSet.of("".join(shut))
            self._allowed = keep_allowed(self._key, out)
        return out

    def can_end(self) -> bool:
        return sum(1 for p in self.parts if p is not None and p.can_end()) == 1

    def loop(self) -> CharSet:
        out: CharSet | None = None
        for p in self.parts:
            if p is not None:
                out = p.loop() if out is None else out & p.loop()
        return out or CharSet.EMPTY

    def loop_limit(self) -> int | None:
        return _min_limit(self.parts)

    def layout(self) -> CharSet:
        return common_layout(self.parts)

    def step_class(self, char: str) -> CharSet:
        # (without it the generic search tried one character per range: of an
        # enum's "static" and "template", only the "s")
        return common_step_class(self.parts, char)

    def shortest(self, limit: int = 20000) -> str | None:
        return _from_parts(self, limit)

    def key(self) -> Hashable:
        return self._key


_CHECKED = 64  # allowed sets this small are checked character by character
_CLOSERS = '"]}'  # characters that close a JSON value (checked in larger sets too)
_FINISHED = object()  # the shared identity of parts that take nothing more


def _finished(state: Parser) -> bool:
    """Whether ``state`` has ended and takes nothing more (its only rest is "")."""
    return state.can_end() and not state.allowed()


def _future(state: Parser) -> tuple[Hashable, bool]:
    """``(key, exact)``: with ``exact``, a key equal for states that take the
    same rests; else one equal to such a key of the states that take every
    rest this one takes (and more). A JSON object's own ``future`` says so for
    objects whose schemas differ only in their required names (exact once
    its names are written); any other state gives its key, exact."""
    future = getattr(state, "future", None)
    return (state.key(), True) if future is None else future()


class _Complement(threading.local):
    """Per thread, ``on``: a complement's characters are being checked. (Defaults
    are class attributes, as :data:`~lmparsec.combinators.base.SEARCH`'s.)"""

    on: bool = False


class _ValueCheck(threading.local):
    """Per thread, how deep the checks of JSON values read side by side are
    (``depth``: a ValueIntersect's lookahead; ``closing``: a ValueComplement's
    closing characters)."""

    depth: int = 0
    closing: bool = False


_COMPLEMENT = _Complement()
VALUE_CHECK = _ValueCheck()


#: allowed sets whose characters were checked (by advancing on them), by state key
#: and check context: a walk makes each state anew at every trie node, while
#: its key stays one along a name or a string
_KEPT: dict[tuple[Hashable, tuple[bool, int, bool]], CharSet] = {}
_KEPT_SIZE = 65_536


def check_context() -> tuple[bool, int, bool]:
    """What an allowed set checked now depends on besides the state: whether a
    complement is checking (states met then answer unchecked) and how deep the
    value checks are."""
    return (_COMPLEMENT.on, VALUE_CHECK.depth, VALUE_CHECK.closing)


def kept_allowed(key: Hashable) -> CharSet | None:
    """The checked allowed set kept for a state of ``key`` in this context, if any."""
    return _KEPT.get((key, check_context()))


def keep_allowed(key: Hashable, allowed: CharSet) -> CharSet:
    """Keeps ``allowed``, checked in this context, for states of ``key``."""
    return remember(_KEPT, (key, check_context()), allowed, _KEPT_SIZE)


def takes_any_rest(state: Parser) -> bool:
    """Whether ``state`` says it takes every way to finish (see JSON objects'
    and strings' ``takes_any_rest``); parsers that do not say, do not."""
    check = getattr(state, "takes_any_rest", None)
    return check is not None and bool(check())


def checking_complement() -> bool:
    """Whether a complement is checking its next characters in this thread (the
    states met on the way then answer without checks of their own)."""
    return _COMPLEMENT.on


def _leads_on(state: Parser | None) -> bool:
    """Whether ``state`` may still end or go on, judged without checking its next
    characters (so that checking a complement's few characters does not recurse)."""
    if state is None:
        return False
    if isinstance(state, Complement):
        return state.can_end() or bool(state.universe.allowed())
    if isinstance(state, ExactlyOne):  # "{}" where two object branches both take it
        return state.can_end() or any(p is not None and bool(p.allowed()) for p in state.parts)
    return True


def _alike(promises: Iterable[_T | None]) -> list[_T] | None:
    """Every part's promise, when each part made one and their first items (the
    state to be shared) are one state, by key; ``None`` otherwise."""
    out: list[_T] = []
    for got in promises:
        if got is None or (out and got[0].key() != out[0][0].key()):
            return None
        out.append(got)
    return out


def _from_parts(state: Parser, limit: int) -> str | None:
    """A completion of a state that runs parts side by side (:func:`_side_by_side`):
    the shortest of the parts' own shortest completions that ``state`` accepts,
    else the same one character on (:func:`_one_on`), else those completions
    followed as far as all parts take them (:func:`_guided`), else the generic
    search.

    The generic search tries every way to write the next characters, and in the
    middle of a JSON object (whitespace allowed between every two tokens) it
    ran out of its 20,000 states before a 30-character completion, after ~12 s:
    the generation loop asks at every candidate token. Where one part is the
    constrained one (an ``anyOf`` branch, the others plain objects) its own
    completion is the answer; it may not be the shortest possible, which only
    makes a token budget err on the safe side.

    The parts' completions are only candidates: a part nested inside them that
    finds none of its own gets a short generic search (this state's tries and
    search come after). A part whose side-by-side branches cannot agree --
    often none can, by the schema's design -- used the full search at every
    level of nesting: 20 s each, twice, before a rust-toolchain file's first
    token.
    """
    parts = _side_by_side(state)
    assert parts is not None
    nested = SEARCH.depth
    SEARCH.depth = nested + 1
    try:
        got = _accepted(state, parts, limit)
    finally:
        SEARCH.depth = nested
    if got is None and not SEARCH.on:
        # (not again for the parts' completions asked on the way: nested, these
        # tries multiply, and a puzzle the search solves in 0.1 s took seconds)
        SEARCH.on = True
        try:
            got = _one_on(state, limit)
            if got is None:
                got = _guided(state, min(limit, _LOOKAHEAD_LIMIT), [_GUIDED_STEPS])
        finally:
            SEARCH.on = False
    if got is None:
        got = search_shortest(state, min(limit, _LOOKAHEAD_LIMIT) if nested else limit)
    return got


def _accepted(state: Parser, parts: Iterable[Parser | None], limit: int) -> str | None:
    """The shortest of the parts' own completions that ``state`` accepts."""
    for text in _completions(parts, limit):
        end = state.advance_text(text)
        if end is not None and end.can_end():
            return text
    return None


def _completions(parts: Iterable[Parser | None], limit: int) -> list[str]:
    """The parts' own shortest completions, distinct, shortest first."""
    texts = {t for t in (p.shortest(limit) for p in parts if p is not None) if t is not None}
    return sorted(texts, key=lambda t: (len(t), t))


_LOOKAHEAD = 16  # next characters tried by _one_on
#: states a part's search may visit there (puzzles would take seconds each; a part
#: of a devfile component is a deep object, ~3 ms a state: at 1,000, ~13 s to
#: complete one, at 250 under 3 s, with the same completions across MaskBench)
_LOOKAHEAD_LIMIT = 250


def _one_on(state: Parser, limit: int) -> str | None:
    """The parts' completions one character on, for each kind of next character.

    Before a value, parts' shortest values are often of different types -- ``{}``
    from ``"type": "object"``, ``0`` from an ``anyOf`` branch that says nothing of
    type but requires keys of objects -- so neither is accepted by both; after
    the ``{`` they agree on, the branch's own completion is (a Skaffold config:
    the generic search gave up after ~8 s and the generation loop could not
    start)."""
    best: str | None = None
    for char in itertools.islice(_representatives(state), _LOOKAHEAD):
        nxt = state.advance(char)
        if nxt is None:
            continue
        if nxt.can_end():
            return char
        parts = _side_by_side(nxt)
        if parts is None:
            continue
        tail = _accepted(nxt, parts, min(limit, _LOOKAHEAD_LIMIT))
        if tail is not None and (best is None or len(tail) + 1 < len(best)):
            best = char + tail
    return best


_GUIDED_STEPS = 64  # states _guided may expand


def _side_by_side(state: Parser) -> tuple[Parser | None, ...] | None:
    """The parts whose completions complete a state that runs parts side by side
    (the one place that says which: :func:`_from_parts` and its tries ask it), else
    ``None``."""
    if isinstance(state, (Intersect, ExactlyOne)):
        return state.parts
    if isinstance(state, Complement):
        return (state.universe,)
    return None


def _guided(state: Parser, limit: int, budget: list[int]) -> str | None:
    """A completion found by following the parts' own completions as far as all
    parts take them, then asking again from there (depth first, the furthest
    first, within ``budget`` states).

    The parts of an object's ``anyOf`` of ``required`` lists each complete it on
    their own terms -- ``{}`` from the declared properties, ``{"type":0}`` from a
    branch that says nothing of ``type``'s value -- and none is taken by the
    other; but ``{"type":`` is, and from there the properties' ``""`` is (a
    package configuration schema: the generic search ran for minutes)."""
    parts = _side_by_side(state)
    if parts is None:
        return state.shortest(limit)
    if budget[0] <= 0:
        return None
    budget[0] -= 1
    progress: list[tuple[int, str, Parser]] = []
    for text in _completions(parts, limit):
        current = state
        taken = 0
        for char in text:
            nxt = current.advance(char) if char in current.allowed() else None
            if nxt is None:
                break
            current = nxt
            taken += 1
        if taken == len(text) and current.can_end():
            return text
        if taken:
            progress.append((taken, text[:taken], current))
    for _, prefix, current in sorted(progress, key=lambda p: -p[0]):
        if current.can_end():
            return prefix
        tail = _guided(current, limit, budget)
        if tail is not None:
            return prefix + tail
    return None


def _min_limit(parts: tuple[Parser | None, ...]) -> int | None:
    """The shortest counted loop among ``parts``: a loop shared by parts run side
    by side is exact only while every part's is."""
    limits = [n for n in (p.loop_limit() for p in parts if p is not None) if n is not None]
    return min(limits) if limits else None

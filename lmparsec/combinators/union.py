"""Any one of several parsers."""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from ..errors import GrammarError
from .base import (
    Parser,
    TokenView,
    common_enclosed,
    common_layout,
    common_stand_in,
    common_step_class,
    shorter_than,
)
from .charset import CharSet
from .literal import Literal

__all__ = ["Union", "choice"]

_TAG = "union"


class Union(Parser):
    """The text matches at least one alternative.

    All alternatives run side by side and drop out as they reject; the key is
    the set of surviving alternatives' keys, so two unions whose survivors
    agree share masks. When one survivor is left, ``advance`` returns it
    directly.
    """

    __slots__ = ("_key", "alternatives")

    def __init__(self, *parsers: Parser) -> None:
        if not parsers:
            raise GrammarError("Union needs at least one parser")
        for i, p in enumerate(parsers):
            if not isinstance(p, Parser):
                raise GrammarError(f"Union alternative {i} is not a Parser: {p!r}")
        self._init(_dedupe(parsers))

    def _init(self, alternatives: tuple[Parser, ...]) -> None:
        self.alternatives = alternatives
        self._key = (_TAG, frozenset(p.key() for p in alternatives))

    def advance(self, char: str) -> Parser | None:
        moved = [n for n in (p.advance(char) for p in self.alternatives) if n is not None]
        if not moved:
            return None
        if len(moved) == 1:
            return moved[0]
        obj = Union.__new__(Union)
        obj._init(_dedupe(moved))
        return obj if len(obj.alternatives) > 1 else obj.alternatives[0]

    def allowed(self) -> CharSet:
        out = CharSet.EMPTY
        for p in self.alternatives:
            out = out | p.allowed()
        return out

    def can_end(self) -> bool:
        return any(p.can_end() for p in self.alternatives)

    def loop(self) -> CharSet:
        out = self.alternatives[0].loop()
        for p in self.alternatives[1:]:
            if not out:
                break
            out = out & p.loop()
        return out

    def loop_limit(self) -> int | None:
        limits = [n for n in (p.loop_limit() for p in self.alternatives) if n is not None]
        return min(limits) if limits else None

    def step_class(self, char: str) -> CharSet:
        return common_step_class(self.alternatives, char)

    def layout(self) -> CharSet:
        return common_layout(self.alternatives)

    def split(self) -> tuple[Parser, ...] | None:
        return self.alternatives

    def stand_in(self) -> tuple[Parser, tuple[str, ...]] | None:
        # (an anyOf of objects beside an allOf part, one of them reading a
        # uniqueItems list)
        got = common_stand_in(self.alternatives)
        if got is None:
            return None
        obj = Union.__new__(Union)
        obj._init(_dedupe(got[0]))
        return (obj if len(obj.alternatives) > 1 else obj.alternatives[0]), got[1]

    def enclosed(self) -> tuple[Parser, Parser | None] | None:
        # alternatives inside one and the same enclosed text take its tokens alike;
        # past its end, any of their continuations may take the rest
        return common_enclosed(self.alternatives, lambda afters: Union(*afters))

    def key(self) -> Hashable:
        return self._key

    def cache_key(self, view: TokenView, horizon: int) -> Hashable:
        # the alternatives run side by side: equal alternatives by their own keys
        # (a string before its quote by the texts it takes) take the same tokens
        return (_TAG, frozenset(p.cache_key(view, horizon) for p in self.alternatives))

    def shortest(self, limit: int = 20000) -> str | None:
        # A first look at every alternative on a small budget, then the full search
        # of those it did not settle, each bounded by the best answer so far: an
        # alternative only a long search completes (a dependency's oneOf of open
        # objects) ran ~13 s before its sibling's one-key answer bounded it.
        best: str | None = None
        pending = list(self.alternatives)
        for budget in (min(limit, _FIRST_LOOK), limit):
            unsettled: list[Parser] = []
            for p in pending:
                with shorter_than(None if best is None else len(best)):
                    text = p.shortest(budget)
                if text is None:
                    unsettled.append(p)
                elif best is None or len(text) < len(best):
                    best = text
            if budget == limit:
                break
            pending = unsettled
        return best

    def __reduce__(self) -> tuple[object, ...]:
        return (Union, tuple(self.alternatives))


#: search states of the first look at each alternative (see :meth:`Union.shortest`)
_FIRST_LOOK = 500


def _dedupe(parsers: Iterable[Parser]) -> tuple[Parser, ...]:
    out: dict[Hashable, Parser] = {}
    for p in parsers:
        for q in p.alternatives if isinstance(p, Union) else (p,):
            out.setdefault(q.key(), q)
    return tuple(out.values())


def choice(options: Iterable[str | Parser]) -> Parser:
    """One of ``options``; strings stand for literals."""
    parsers = [Literal(o) if isinstance(o, str) else o for o in options]
    if not parsers:
        raise GrammarError("choice() needs at least one option")
    return parsers[0] if len(parsers) == 1 else Union(*parsers)

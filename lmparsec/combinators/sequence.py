"""One parser after another, keeping every way the text can be split."""

from __future__ import annotations

from collections.abc import Hashable

from ..errors import GrammarError
from .base import Parser, grammar_id
from .charset import CharSet

__all__ = ["Sequence"]


class _SeqGrammar:
    __slots__ = ("elements", "gid")

    def __init__(self, elements: tuple[Parser, ...]) -> None:
        self.elements = elements
        self.gid = grammar_id(("seq", tuple(e.key() for e in elements)))


class Sequence(Parser):
    """``a`` then ``b`` then ... .

    When an element can both end and continue (``FreeText`` followed by
    anything, an optional suffix), both readings are kept as separate branches
    until the text decides between them, so no valid text is ever dropped. A
    branch is ``(index, state of that element)``.
    """

    __slots__ = ("_grammar", "_key", "branches")

    def __init__(self, *parsers: Parser) -> None:
        if not parsers:
            raise GrammarError("Sequence needs at least one parser")
        for i, p in enumerate(parsers):
            if not isinstance(p, Parser):
                raise GrammarError(f"Sequence element {i} is not a Parser: {p!r}")
        grammar = _SeqGrammar(tuple(parsers))
        self._init(grammar, _closure(grammar.elements, ((0, parsers[0]),)))

    def _init(self, grammar: _SeqGrammar, branches: tuple[tuple[int, Parser], ...]) -> None:
        self._grammar = grammar
        self.branches = branches
        self._key = (grammar.gid, frozenset((i, p.key()) for i, p in branches))

    @classmethod
    def _make(cls, grammar: _SeqGrammar, branches: tuple[tuple[int, Parser], ...]) -> Sequence:
        obj = cls.__new__(cls)
        obj._init(grammar, branches)
        return obj

    def advance(self, char: str) -> Parser | None:
        moved = []
        for i, p in self.branches:
            nxt = p.advance(char)
            if nxt is not None:
                moved.append((i, nxt))
        if not moved:
            return None
        return Sequence._make(self._grammar, _closure(self._grammar.elements, moved))

    def allowed(self) -> CharSet:
        out = CharSet.EMPTY
        for _, p in self.branches:
            out = out | p.allowed()
        return out

    def can_end(self) -> bool:
        last = len(self._grammar.elements) - 1
        return any(i == last and p.can_end() for i, p in self.branches)

    def loop(self) -> CharSet:
        out: CharSet | None = None
        for _, p in self.branches:
            lp = p.loop()
            out = lp if out is None else out & lp
            if not out:
                return CharSet.EMPTY
        return out or CharSet.EMPTY

    def loop_limit(self) -> int | None:
        limits = [n for n in (p.loop_limit() for _, p in self.branches) if n is not None]
        return min(limits) if limits else None

    def step_class(self, char: str) -> CharSet:
        out = CharSet.ANY
        for _, p in self.branches:
            out = out & p.step_class(char)
        return out

    def split(self) -> tuple[Parser, ...] | None:
        if len(self.branches) < 2:
            return None
        return tuple(Sequence._make(self._grammar, (b,)) for b in self.branches)

    def key(self) -> Hashable:
        return self._key

    def shortest(self, limit: int = 20000) -> str | None:
        elements = self._grammar.elements
        best: str | None = None
        for i, p in self.branches:
            head = p.shortest(limit)
            if head is None:
                continue
            parts = [head]
            for e in elements[i + 1 :]:
                tail = e.shortest(limit)
                if tail is None:
                    break
                parts.append(tail)
            else:
                text = "".join(parts)
                if best is None or len(text) < len(best):
                    best = text
        return best

    def __reduce__(self) -> tuple[object, ...]:
        return (_restore, (self._grammar.elements, self.branches))


def _restore(elements: tuple[Parser, ...], branches: tuple[tuple[int, Parser], ...]) -> Sequence:
    return Sequence._make(_SeqGrammar(elements), branches)


def _closure(
    elements: tuple[Parser, ...], start: tuple[tuple[int, Parser], ...] | list[tuple[int, Parser]]
) -> tuple[tuple[int, Parser], ...]:
    """Add the next element's start after every branch that can end; drop duplicates
    and branches that can neither continue nor finish the sequence."""
    last = len(elements) - 1
    out: dict[tuple[int, Hashable], tuple[int, Parser]] = {}
    stack = list(start)
    while stack:
        i, p = stack.pop()
        k = (i, p.key())
        if k in out:
            continue
        ends = p.can_end()
        if ends and i < last:
            stack.append((i + 1, elements[i + 1]))
        if p.allowed() or (ends and i == last):
            out[k] = (i, p)
    return tuple(out.values())

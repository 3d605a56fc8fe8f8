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

from collections.abc import Hashable

from ..errors import GrammarError
from .base import Parser
from .charset import CharSet

__all__ = ["Intersect", "Complement", "ExactlyOne"]


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
        self._key = ("and", tuple(p.key() for p in parts))
        self._mkey: tuple[int, Hashable] | None = None

    def advance(self, char: str) -> Parser | None:
        moved = []
        for p in self.parts:
            nxt = p.advance(char)
            if nxt is None:
                return None
            moved.append(nxt)
        return Intersect(*moved)

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
        out = CharSet.ANY
        for p in self.parts:
            out = out & p.step_class(char)
        return out

    def key(self) -> Hashable:
        return self._key

    def mask_key(self, horizon: int) -> Hashable:
        got = self._mkey
        if got is None or got[0] != horizon:
            got = self._mkey = (horizon, ("and", tuple(p.mask_key(horizon) for p in self.parts)))
        return got[1]


class Complement(Parser):
    """Texts of ``universe`` that ``excluded`` does not accept.

    ``universe`` bounds what "not" means (for JSON Schema's ``not``, any JSON
    value); ``excluded`` may die along the way, after which every text of the
    universe is fine.
    """

    __slots__ = ("_key", "excluded", "universe")

    def __init__(self, universe: Parser, excluded: Parser | None) -> None:
        _check((universe,), "Complement")
        if excluded is not None and not isinstance(excluded, Parser):
            raise GrammarError(f"Complement excluded part is not a Parser: {excluded!r}")
        self.universe = universe
        self.excluded = excluded
        self._key = ("not", universe.key(), None if excluded is None else excluded.key())

    def advance(self, char: str) -> Parser | None:
        uni = self.universe.advance(char)
        if uni is None:
            return None
        exc = None if self.excluded is None else self.excluded.advance(char)
        return uni if exc is None else Complement(uni, exc)

    def allowed(self) -> CharSet:
        return self.universe.allowed()

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

    def key(self) -> Hashable:
        return self._key


class ExactlyOne(Parser):
    """Texts exactly one part accepts (JSON Schema's ``oneOf``).

    Dead parts are kept as ``None`` so the key still says which parts remain.
    """

    __slots__ = ("_key", "parts")

    def __init__(self, *parts: Parser | None) -> None:
        live = tuple(p for p in parts if p is not None)
        _check(live, "ExactlyOne")
        self.parts = parts
        self._key = ("one", tuple(None if p is None else p.key() for p in parts))

    def advance(self, char: str) -> Parser | None:
        moved = tuple(None if p is None else p.advance(char) for p in self.parts)
        live = [p for p in moved if p is not None]
        if not live:
            return None
        if len(live) == 1:
            return live[0]
        return ExactlyOne(*moved)

    def allowed(self) -> CharSet:
        out = CharSet.EMPTY
        for p in self.parts:
            if p is not None:
                out = out | p.allowed()
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

    def key(self) -> Hashable:
        return self._key


def _min_limit(parts: tuple[Parser | None, ...]) -> int | None:
    """The shortest counted loop among ``parts``: a loop shared by parts run side
    by side is exact only while every part's is."""
    limits = [n for n in (p.loop_limit() for p in parts if p is not None) if n is not None]
    return min(limits) if limits else None

"""A parser defined later: the knot that ties recursive grammars."""

from __future__ import annotations

from collections.abc import Callable, Hashable

from ..errors import GrammarError
from .base import Parser, own_search
from .charset import CharSet

__all__ = ["Lazy"]


class Lazy(Parser):
    """Stands for ``factory()``, built on first use and then shared.

    ``name`` must identify the grammar the factory builds (it is the key), so
    recursion such as ``value = Union(..., Sequence(Literal("["), Lazy(lambda:
    value, "value"), ...))`` has finite keys. Advancing a ``Lazy`` returns a
    state of the real parser, so the indirection costs nothing after the first
    character.
    """

    __slots__ = ("_factory", "_shortest", "_target", "name")

    def __init__(self, factory: Callable[[], Parser], name: Hashable) -> None:
        if not callable(factory):
            raise GrammarError(f"Lazy needs a callable factory, got {factory!r}")
        self._factory = factory
        self._target: Parser | None = None
        self.name = name
        self._shortest: str | bool | None = False  # False: not computed yet

    @property
    def target(self) -> Parser:
        if self._target is None:
            target = self._factory()
            if not isinstance(target, Parser):
                raise GrammarError(f"Lazy {self.name!r} factory returned {target!r}, not a Parser")
            self._target = target
        return self._target

    def advance(self, char: str) -> Parser | None:
        return self.target.advance(char)

    def allowed(self) -> CharSet:
        return self.target.allowed()

    def can_end(self) -> bool:
        return self.target.can_end()

    def loop(self) -> CharSet:
        return CharSet.EMPTY  # advancing leaves the Lazy wrapper, so the key changes

    def layout(self) -> CharSet:
        return self.target.layout()

    def step_class(self, char: str) -> CharSet:
        return self.target.step_class(char)

    def key(self) -> Hashable:
        return ("lazy", self.name)

    # A Lazy names a grammar that usually contains it: copying it would copy the
    # cycle, and rebuilding a half-copied Sequence asks the copy for its key.
    # States are immutable, so a copy is the Lazy itself.
    def __copy__(self) -> Lazy:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> Lazy:
        return self

    def __reduce__(self) -> tuple[object, ...]:
        return (Lazy, (self._factory, self.name))  # pickles when the factory does

    def shortest(self, limit: int = 20000) -> str | None:
        # A recursive reference met again while its own shortest text is being
        # computed cannot be part of a shortest completion: answer None there.
        if self._shortest is True:
            return None
        if self._shortest is False:
            self._shortest = True
            try:
                with own_search():
                    self._shortest = self.target.shortest(limit)
            except BaseException:
                self._shortest = False
                raise
        return self._shortest if isinstance(self._shortest, str) else None

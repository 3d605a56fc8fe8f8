"""A fixed string."""

from __future__ import annotations

from collections.abc import Hashable

from ..errors import GrammarError
from .base import Parser, grammar_id
from .charset import CharSet

__all__ = ["Literal"]


class Literal(Parser):
    """Exactly ``text``; the state is how much of it has been read."""

    __slots__ = ("_gid", "pos", "text")

    def __init__(self, text: str, _pos: int = 0, _gid: int | None = None) -> None:
        if not isinstance(text, str):
            raise GrammarError(f"Literal expects a str, got {type(text).__name__}")
        self.text = text
        self.pos = _pos
        self._gid = grammar_id(("literal", text)) if _gid is None else _gid

    def advance(self, char: str) -> Parser | None:
        if self.pos < len(self.text) and self.text[self.pos] == char:
            return Literal(self.text, self.pos + 1, self._gid)
        return None

    def allowed(self) -> CharSet:
        if self.pos < len(self.text):
            return CharSet.of(self.text[self.pos])
        return CharSet.EMPTY

    def can_end(self) -> bool:
        return self.pos == len(self.text)

    def key(self) -> Hashable:
        return (self._gid, self.pos)

    def forced(self) -> str:
        return self.text[self.pos :]

    def shortest(self, limit: int = 20000) -> str | None:
        return self.text[self.pos :]

    def __reduce__(self) -> tuple[object, ...]:
        return (Literal, (self.text, self.pos))

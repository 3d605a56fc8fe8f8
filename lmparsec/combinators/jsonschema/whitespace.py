"""Where JSON may hold whitespace, and how much.

A *slot* is a place between tokens where ``json.dumps`` puts whitespace in
one of its styles: after ``{``, ``[``, ``,`` and ``:``, and before ``}`` and
``]``. A slot holds nothing, one space, or one newline followed by at most
``indent * (depth + 1)`` spaces, so ``json.dumps(x)``, ``separators=(",",
":")`` and ``indent=N`` (N up to ``indent``) are all accepted at any depth,
while runaway whitespace (a model emitting spaces forever) is impossible.

A slot's state is a small int: 0 nothing read yet, 1 one space read (slot
full), ``2 + k`` a newline and ``k`` spaces read.
"""

from __future__ import annotations

from typing import Any

from ...errors import GrammarError
from ..charset import CharSet

__all__ = ["WhitespacePolicy", "make_policy"]

_SPACE = CharSet.of(" ")
_SPACE_NL = CharSet.of(" \n")


class WhitespacePolicy:
    """``indent`` is the largest indent per nesting level; ``None`` means compact."""

    __slots__ = ("indent",)

    def __init__(self, indent: int | None) -> None:
        self.indent = indent

    def describe(self) -> Any:
        return self.indent

    def allowed(self, ws: int, depth: int) -> CharSet:
        if self.indent is None or ws == 1:
            return CharSet.EMPTY
        if ws == 0:
            return _SPACE_NL
        return _SPACE if ws - 2 < self.indent * (depth + 1) else CharSet.EMPTY

    def advance(self, ws: int, depth: int, char: str) -> int | None:
        if self.indent is None or ws == 1:
            return None
        if ws == 0:
            if char == " ":
                return 1
            return 2 if char == "\n" else None
        if char == " " and ws - 2 < self.indent * (depth + 1):
            return ws + 1
        return None

    def depth_told(self, ws: int, depth: int, reach: int) -> int:
        """``depth`` as far as a token read from ``ws`` can tell it, where no token
        holds more than ``reach`` spaces after a newline: the depths whose indent
        bound takes that many are one (a deeper one only takes more). Inside an
        indent (``ws`` >= 2) a token's leading spaces count too: exact there."""
        if self.indent is None or self.indent == 0:
            return 0  # (no indent at all: the depth changes nothing)
        if ws >= 2:
            return depth
        told = -(-reach // self.indent) - 1  # (comparisons, not min() and max(): every key asks)
        if told < 0:
            told = 0
        return depth if depth < told else told


def make_policy(whitespace: object) -> WhitespacePolicy:
    """``"default"`` (indent up to 4 per level), ``"compact"`` (none), an int (the
    largest indent per level) or ``{"indent": int}``."""
    if whitespace == "default":
        return WhitespacePolicy(4)
    if whitespace == "compact":
        return WhitespacePolicy(None)
    if isinstance(whitespace, dict):
        whitespace = whitespace.get("indent")
    if isinstance(whitespace, int) and not isinstance(whitespace, bool) and whitespace >= 0:
        return WhitespacePolicy(whitespace)
    raise GrammarError(
        f"whitespace must be 'default', 'compact', a non-negative int or {{'indent': int}}, "
        f"got {whitespace!r}"
    )

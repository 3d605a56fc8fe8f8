"""The ``format: "regex"`` check: strings that read as a regular expression.

Whether a string is a valid regex is not a regular property (groups nest), so
no DFA can decide it; this small pushdown parser (a mode plus the group depth)
does. It checks the structure: balanced groups and classes, no quantifier
without something to repeat or right after another quantifier, no dangling
backslash, well-formed group prefixes (``(?:``, ``(?=``, ``(?!``, ``(?<=``,
``(?<!``, ``(?<name>``, ``(?P<name>``). It does not check the inside of
escapes and classes (``[z-a]``, ``\\q``) nor inline flags (``(?i)``, rejected),
so it is an approximation in both directions, documented as such.
"""

from __future__ import annotations

from collections.abc import Hashable

from ..base import Parser
from ..charset import CharSet

__all__ = ["RegexSyntax"]

# modes
_START, _ATOM, _QUANT, _NOQUANT, _ESC, _CLASS_FIRST, _CLASS, _CLASS_ESC = range(8)
_GROUP_OPEN, _GROUP_Q, _GROUP_LT, _GROUP_P, _NAME_START, _NAME, _CLASS_NEG = range(8, 15)

_QUANTIFIERS = CharSet.of("*+?")
_CLOSE = CharSet.of(")")
_NAME_FIRST = CharSet([(ord("A"), ord("Z")), (ord("a"), ord("z")), (ord("_"), ord("_"))])
_NAME_REST = _NAME_FIRST | CharSet.range("0", "9")
_CLASS_LOOP = ~CharSet.of("]\\")
_LITERAL = ~CharSet.of("\\()[]|*+?^$.")


class RegexSyntax(Parser):
    """A state of the regex-syntax recogniser: ``(mode, group depth)``."""

    __slots__ = ("depth", "mode")

    def __init__(self, mode: int = _START, depth: int = 0) -> None:
        self.mode = mode
        self.depth = depth

    def _to(self, mode: int, depth: int | None = None) -> RegexSyntax:
        depth = self.depth if depth is None else depth
        if mode == self.mode and depth == self.depth:
            return self
        return RegexSyntax(mode, depth)

    def _pattern_char(self, char: str, mode: int) -> Parser | None:
        """A character where a new piece of pattern may start (``mode`` says what
        came just before: nothing to repeat, an atom, or a quantifier)."""
        if char in "*+?":
            if mode == _ATOM:
                return self._to(_QUANT)
            if mode == _QUANT and char in "+?":
                return self._to(_NOQUANT)
            return None
        if char == "(":
            return RegexSyntax(_GROUP_OPEN, self.depth + 1)
        if char == ")":
            return self._to(_ATOM, self.depth - 1) if self.depth > 0 else None
        if char == "|":
            return self._to(_START)
        if char == "[":
            return self._to(_CLASS_FIRST)
        if char == "\\":
            return self._to(_ESC)
        if char in "^$":
            return self._to(_NOQUANT)
        return self._to(_ATOM)

    def advance(self, char: str) -> Parser | None:
        mode = self.mode
        if mode in (_START, _ATOM, _QUANT, _NOQUANT):
            return self._pattern_char(char, mode)
        if mode == _ESC:
            return self._to(_ATOM)
        if mode == _CLASS_FIRST:
            if char == "^":
                return self._to(_CLASS_NEG)
            return self._to(_CLASS_ESC if char == "\\" else _CLASS)  # a first "]" is literal
        if mode == _CLASS_NEG:
            return self._to(_CLASS_ESC if char == "\\" else _CLASS)
        if mode == _CLASS:
            if char == "]":
                return self._to(_ATOM)
            return self._to(_CLASS_ESC if char == "\\" else _CLASS)
        if mode == _CLASS_ESC:
            return self._to(_CLASS)
        if mode == _GROUP_OPEN:
            if char == "?":
                return self._to(_GROUP_Q)
            return self._pattern_char(char, _START)
        if mode == _GROUP_Q:
            if char in ":=!":
                return self._to(_START)
            if char == "<":
                return self._to(_GROUP_LT)
            return self._to(_GROUP_P) if char == "P" else None
        if mode == _GROUP_LT:
            if char in "=!":
                return self._to(_START)
            return self._to(_NAME) if char in _NAME_FIRST else None
        if mode == _GROUP_P:
            return self._to(_NAME_START) if char == "<" else None
        if mode == _NAME_START:
            return self._to(_NAME) if char in _NAME_FIRST else None
        # _NAME
        if char == ">":
            return self._to(_START)
        return self._to(_NAME) if char in _NAME_REST else None

    def allowed(self) -> CharSet:
        mode = self.mode
        close = CharSet.EMPTY if self.depth == 0 else _CLOSE
        if mode in (_START, _NOQUANT, _GROUP_OPEN):
            out = CharSet.ANY - _QUANTIFIERS - _CLOSE | close
            return out | CharSet.of("?") if mode == _GROUP_OPEN else out
        if mode == _ATOM:
            return CharSet.ANY - _CLOSE | close
        if mode == _QUANT:
            return CharSet.ANY - CharSet.of("*") - _CLOSE | close
        if mode in (_ESC, _CLASS_FIRST, _CLASS, _CLASS_ESC, _CLASS_NEG):
            return CharSet.ANY
        if mode == _GROUP_Q:
            return CharSet.of(":=!<P")
        if mode == _GROUP_LT:
            return CharSet.of("=!") | _NAME_FIRST
        if mode == _GROUP_P:
            return CharSet.of("<")
        if mode == _NAME_START:
            return _NAME_FIRST
        return _NAME_REST | CharSet.of(">")

    def can_end(self) -> bool:
        return self.depth == 0 and self.mode in (_START, _ATOM, _QUANT, _NOQUANT)

    def loop(self) -> CharSet:
        if self.mode == _CLASS:
            return _CLASS_LOOP
        if self.mode == _ATOM:
            return _LITERAL
        if self.mode == _NAME:
            return _NAME_REST
        return CharSet.EMPTY

    def key(self) -> Hashable:
        return ("rxsyn", self.mode, self.depth)

    def shortest(self, limit: int = 20000) -> str | None:
        mode = self.mode
        head = {_ESC: "a", _CLASS_FIRST: "a]", _CLASS_NEG: "a]", _CLASS: "]", _CLASS_ESC: "a]",
                _GROUP_Q: ":",
                _GROUP_LT: "=", _GROUP_P: "<a>", _NAME_START: "a>", _NAME: ">"}.get(mode, "")
        return head + ")" * self.depth

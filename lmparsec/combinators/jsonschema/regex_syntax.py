"""The ``format: "regex"`` check: strings that read as a regular expression.

Whether a string is a valid regex is not a regular property (groups nest), so
no DFA can decide it; this small pushdown parser (a mode plus the group depth)
does. It checks the structure: balanced groups and classes, no quantifier
without something to repeat or right after another quantifier, no dangling
backslash, well-formed group prefixes (``(?:``, ``(?=``, ``(?!``, ``(?<=``,
``(?<!``, ``(?<name>``, ``(?P<name>``), escapes Python's ``re`` knows (what
``jsonschema`` compiles a "regex" with: ``\\q`` is an error there) and ranges in
classes in order (``[z-a]``, ``[\\d-a]`` are errors). Not taken though valid:
inline flags (``(?i)``), backreferences and numeric escapes (``\\1``, ``\\x41``):
a subset, which is what generation needs.
"""

from __future__ import annotations

from collections.abc import Hashable

from ..base import Parser
from ..charset import CharSet

__all__ = ["RegexSyntax"]

# modes
_START, _ATOM, _QUANT, _NOQUANT, _ESC, _CLASS_FIRST, _CLASS, _CLASS_ESC = range(8)
_GROUP_OPEN, _GROUP_Q, _GROUP_LT, _GROUP_P, _NAME_START, _NAME, _CLASS_NEG = range(8, 15)
_CLASS_DASH, _CLASS_ESC_END = range(15, 17)

# ``last`` in a class: the code point a range may start from, or one of these
_AFTER_RANGE = -1  # (a "-" is then a character of its own)
_AFTER_SET = -2  # (after \d and the like a "-" may only end the class)

_QUANTIFIERS = CharSet.of("*+?")
_CLOSE = CharSet.of(")")
_NAME_FIRST = CharSet([(ord("A"), ord("Z")), (ord("a"), ord("z")), (ord("_"), ord("_"))])
_NAME_REST = _NAME_FIRST | CharSet.range("0", "9")
_LITERAL = ~CharSet.of("\\()[]|*+?^$.")
_ATOMS = _LITERAL | CharSet.of(".")  # characters that are an atom of their own
_ASCII_ALNUM = CharSet([(0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)])
#: escapes of one character (Python's re and ECMA agree on these)
_SIMPLE = {"n": "\n", "r": "\r", "t": "\t", "f": "\f", "v": "\v", "a": "\a"}
_SETS = "dDwWsS"
_ESCAPES = ~_ASCII_ALNUM | CharSet.of(_SETS + "bBAZ" + "".join(_SIMPLE))
_CLASS_ESCAPES = ~_ASCII_ALNUM | CharSet.of(_SETS + "b" + "".join(_SIMPLE))


class RegexSyntax(Parser):
    """A state of the regex-syntax recogniser: ``(mode, group depth, last)``, where
    ``last`` is, inside a class, what a range starting there would start from."""

    __slots__ = ("depth", "last", "mode")

    def __init__(self, mode: int = _START, depth: int = 0, last: int = _AFTER_RANGE) -> None:
        self.mode = mode
        self.depth = depth
        self.last = last

    def _to(self, mode: int, depth: int | None = None) -> RegexSyntax:
        depth = self.depth if depth is None else depth
        if mode == self.mode and depth == self.depth and self.last == _AFTER_RANGE:
            return self
        return RegexSyntax(mode, depth)

    def _in_class(self, mode: int, last: int) -> RegexSyntax:
        return RegexSyntax(mode, self.depth, last)

    def _class_char(self, char: str) -> Parser | None:
        """A class member that is a character (the class goes on from it)."""
        if char == "\\":
            return self._in_class(_CLASS_ESC, _AFTER_RANGE)
        return self._in_class(_CLASS, ord(char))

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
            if char not in _ESCAPES:
                return None
            return self._to(_NOQUANT if char in "bBAZ" else _ATOM)  # (assertions repeat nothing)
        if mode == _CLASS_FIRST:
            if char == "^":
                return self._to(_CLASS_NEG)
            return self._class_char(char)  # (a first "]" or "-" is a character)
        if mode == _CLASS_NEG:
            return self._class_char(char)
        if mode == _CLASS:
            if char == "]":
                return self._to(_ATOM)
            if char == "-" and (self.last >= 0 or self.last == _AFTER_SET):
                return self._in_class(_CLASS_DASH, self.last)
            return self._class_char(char)
        if mode == _CLASS_DASH:
            if char == "]":
                return self._to(_ATOM)
            if self.last == _AFTER_SET:
                return None  # ([\d-a]: no range from a set)
            if char == "\\":
                return self._in_class(_CLASS_ESC_END, self.last)
            return self._in_class(_CLASS, _AFTER_RANGE) if ord(char) >= self.last else None
        if mode in (_CLASS_ESC, _CLASS_ESC_END):
            if char not in _CLASS_ESCAPES:
                return None
            if char in _SETS:
                return None if mode == _CLASS_ESC_END else self._in_class(_CLASS, _AFTER_SET)
            code = ord(_SIMPLE.get(char, "\b" if char == "b" else char))
            if mode == _CLASS_ESC:
                return self._in_class(_CLASS, code)
            return self._in_class(_CLASS, _AFTER_RANGE) if code >= self.last else None
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
        if mode == _ESC:
            return _ESCAPES
        if mode == _CLASS_ESC:
            return _CLASS_ESCAPES
        if mode == _CLASS_DASH:
            if self.last == _AFTER_SET:
                return CharSet.of("]")
            return CharSet.of("]\\") | CharSet([(self.last, 0x10FFFF)])
        if mode == _CLASS_ESC_END:
            # (a range's escaped end: a character itself, or one a letter stands for)
            named = {**_SIMPLE, "b": "\b"}
            itself = ~_ASCII_ALNUM & CharSet([(self.last, 0x10FFFF)])
            return itself | CharSet.of([k for k, v in named.items() if ord(v) >= self.last])
        if mode in (_CLASS_FIRST, _CLASS, _CLASS_NEG):
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

    def stand_in(self) -> tuple[Parser, tuple[str, ...]] | None:
        # Inside a class, what came last matters only to a "-" right after it (a
        # range from it): on any other text a class that began a range anywhere
        # goes on alike -- one mask for every position in every class, and only
        # the tokens starting with "-" walked from here.
        # Just after the "[" (or "[^"), a first "]" is a character, not the end.
        mode = self.mode
        if mode == _CLASS:
            prefixes: tuple[str, ...] = ("-",) if self.last != _AFTER_RANGE else ()
        elif mode == _CLASS_FIRST:
            prefixes = ("]", "^")
        elif mode == _CLASS_NEG:
            prefixes = ("]",)
        else:
            return None
        return (RegexSyntax(_CLASS, self.depth, _AFTER_RANGE), prefixes) if prefixes else None

    def step_class(self, char: str) -> CharSet:
        # where a piece of pattern may start, every literal character (and ".")
        # is one atom: the token layer then answers the tokens that start with
        # one by the atom's loop table, not by a walk of the whole vocabulary
        if self.mode in (_START, _ATOM, _QUANT, _NOQUANT, _GROUP_OPEN) and char in _ATOMS:
            return _ATOMS
        return CharSet.of(char)

    def loop(self) -> CharSet:
        if self.mode == _ATOM:
            return _LITERAL
        if self.mode == _NAME:
            return _NAME_REST
        return CharSet.EMPTY

    def key(self) -> Hashable:
        return ("rxsyn", self.mode, self.depth, self.last)

    def shortest(self, limit: int = 20000) -> str | None:
        mode = self.mode
        head = {_ESC: "d", _CLASS_FIRST: "a]", _CLASS_NEG: "a]", _CLASS: "]", _CLASS_ESC: "d]",
                _CLASS_DASH: "]", _GROUP_Q: ":",
                _GROUP_LT: "=", _GROUP_P: "<a>", _NAME_START: "a>", _NAME: ">"}.get(mode, "")
        if mode == _CLASS_ESC_END:
            head = next(self.allowed().samples()) + "]"
        return head + ")" * self.depth

"""``multipleOf`` where a remainder automaton would be too large: the remainder kept as a number.

:mod:`.numbers` intersects the bounds with an automaton of remainders, one state
per remainder, up to :data:`~.numbers.MAX_MODULUS`. A divisor such as ``86400``
or ``4096`` is read here instead by a parser whose state holds the remainder
itself: no state is made before a text reaches it, whatever the modulus.

The language is the automaton's: ``-?digits(.digits)?`` texts (no exponent) whose
value times ``10**scale`` is an integer divisible by ``modulus``, fraction
digits past ``scale`` zeros only. A digit is offered only where the text can
still end on a multiple (from an integer part, more digits always reach one;
in the fraction, the digits left must be able to). The bounds and the number
grammar (leading zeros, a digit after the dot) are left to the automaton read
alongside; :func:`multiple_parser` takes the bounds under which no text of the
two together is left without an end -- none, or a lower bound of zero or more.
The compiler uses it for whole divisors: under a fractional float one such as
0.123456789 a fraction has one exact multiple left after a few digits, which
the float quotient check validators run may refuse (and an integer's completion
searches long for a multiple whose float quotient is whole).
"""

from __future__ import annotations

import math
from collections.abc import Hashable

from ..base import Parser
from ..charset import CharSet
from .numbers import Bound, _interval

__all__ = ["Multiple", "multiple_parser"]

_DIGITS = "0123456789"
_DIGIT_SET = CharSet.of(_DIGITS)
_START, _SIGN, _INT, _DOT, _FRAC = range(5)


def multiple_parser(modulus: int, scale: int, *, minimum: Bound = None, maximum: Bound = None,
                    exclusive_minimum: Bound = None, exclusive_maximum: Bound = None) -> Multiple | None:
    """The texts whose value times ``10**scale`` is a multiple of ``modulus``, for use
    beside the bounds' own automaton -- or ``None`` when the bounds could strand
    a text the two take one character at a time: an upper bound (``"9"`` under
    ``maximum: 100`` has no multiple of 86400 to go on to) or a negative lower one."""
    iv = _interval(minimum, maximum, exclusive_minimum, exclusive_maximum)
    if iv.hi is not None or (iv.lo is not None and iv.lo < 0):
        return None
    return Multiple(modulus, scale, _START, 0, 0)


class Multiple(Parser):
    """A number text read so far, by its remainder (see the module docstring)."""

    __slots__ = ("_allowed", "j", "modulus", "phase", "r", "scale")

    def __init__(self, modulus: int, scale: int, phase: int, r: int, j: int) -> None:
        self.modulus = modulus
        self.scale = scale
        self.phase = phase
        self.r = r  # the value read so far (times 10**j in the fraction), modulo ``modulus``
        self.j = j  # fraction digits read, up to ``scale``
        self._allowed: CharSet | None = None

    def _with(self, phase: int, r: int, j: int) -> Multiple:
        return Multiple(self.modulus, self.scale, phase, r, j)

    def _finishable(self, r: int, j: int) -> bool:
        """Whether the fraction, ``j`` digits in with remainder ``r``, can still end
        on a multiple: some ``scale - j`` more digits make it one."""
        rest = self.scale - j
        need = (-r * pow(10, rest, self.modulus)) % self.modulus
        digits: int = 10**rest
        return need < digits

    def advance(self, char: str) -> Parser | None:
        phase, m = self.phase, self.modulus
        if char == "-":
            return self._with(_SIGN, 0, 0) if phase == _START else None
        if char == ".":
            return self._with(_DOT, self.r, 0) if phase == _INT and self._finishable(self.r, 0) else None
        if char not in _DIGITS or len(char) != 1:
            return None
        d = ord(char) - 48
        if phase in (_START, _SIGN):
            return self._with(_INT, d % m, 0)
        if phase == _INT:
            return self._with(_INT, (self.r * 10 + d) % m, 0)
        if self.j < self.scale:
            r = (self.r * 10 + d) % m
            return self._with(_FRAC, r, self.j + 1) if self._finishable(r, self.j + 1) else None
        return self._with(_FRAC, self.r, self.j) if d == 0 else None

    def allowed(self) -> CharSet:
        # (asked at every node of a token walk: kept)
        got = self._allowed
        if got is None:
            got = self._allowed = self._compute_allowed()
        return got

    def _compute_allowed(self) -> CharSet:
        phase = self.phase
        if phase == _START:
            return _DIGIT_SET | CharSet.of("-")
        if phase == _SIGN:
            return _DIGIT_SET
        if phase == _INT:
            return _DIGIT_SET | CharSet.of(".") if self._finishable(self.r, 0) else _DIGIT_SET
        if self.j >= self.scale:
            return CharSet.of("0")
        m, j = self.modulus, self.j + 1
        return CharSet.of([c for c in _DIGITS if self._finishable((self.r * 10 + ord(c) - 48) % m, j)])

    def can_end(self) -> bool:
        if self.phase == _INT:
            return (self.r * pow(10, self.scale, self.modulus)) % self.modulus == 0
        if self.phase == _FRAC:
            return (self.r * pow(10, self.scale - self.j, self.modulus)) % self.modulus == 0
        return False

    def key(self) -> Hashable:
        return ("multiple", self.modulus, self.scale, self.phase, self.r, self.j)

    def shortest(self, limit: int = 20000) -> str | None:
        # Each remainder is a state of its own: the generic search would try them
        # all. The end comes by arithmetic: the fewest digits that close the remainder.
        m, phase = self.modulus, self.phase
        if self.can_end():
            return ""
        if phase in (_START, _SIGN):
            return "0"  # (zero is a multiple of anything)
        if phase == _INT:
            # n more digits s with (r * 10**n + s) * 10**scale divisible by m, that is
            # r * 10**n + s divisible by g: the least such s, once it has n digits
            g = m // math.gcd(m, 10**self.scale)
            n = 1
            while True:
                s = (-self.r * pow(10, n, g)) % g
                if s < 10**n:
                    return f"{s:0{n}d}"
                n += 1
        rest = self.scale - self.j
        need = (-self.r * pow(10, rest, m)) % m
        if phase == _FRAC and need == 0:
            return ""
        # (a fraction of ``rest`` more digits; a dot alone needs at least one)
        return f"{need:0{max(rest, 1)}d}" if need < 10**rest else None

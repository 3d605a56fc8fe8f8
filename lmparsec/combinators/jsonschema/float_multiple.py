"""``multipleOf`` as validators compute it: a quotient of binary floats.

Exact decimal arithmetic says 19.99 is a multiple of 0.01. Python's jsonschema
(``int(x / d) == x / d``) and JavaScript validators (``x / d % 1 === 0``) divide
binary floats, get 1998.9999999999998 and refuse it -- about one two-decimal
price in six, and ``0.3`` for ``multipleOf: 0.1``. The number automaton
(:mod:`.numbers`) keeps the exact language; :class:`FloatQuotient`, read
alongside it, takes out the texts whose float quotient is not whole, so what is
generated passes both. Only a divisor written as a fraction needs it: an
integer one is checked with ``%``, exact on the float's value.

A text that would need one of the refused values is not offered either: a
divisor with ``D`` decimals fixes the value by the ``D``-th decimal (later
digits are zeros), so before that point a digit is allowed only when some way
to finish the decimals passes (tried one by one, up to a thousand of them).
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Iterator
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from ..base import Parser
from ..charset import CharSet
from .numbers import Bound, _interval

__all__ = ["FloatQuotient", "float_quotient"]

_NUMBER_CHARS = CharSet.of("-0123456789.eE+")
_DIGITS = CharSet.of("0123456789")
_PREFIX = re.compile(r"(-?)(\d*)(?:\.(\d*))?")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
#: completions of the decimals tried before a digit is offered (more: offered)
_TRIES = 1000

#: (divisor, its decimals, exact divisor, low, low strict, high, high strict)
_Params = tuple[float, int, Fraction, "Fraction | None", bool, "Fraction | None", bool]


def float_quotient(multiple_of: object, *, minimum: Bound = None, maximum: Bound = None,
                   exclusive_minimum: Bound = None, exclusive_maximum: Bound = None) -> FloatQuotient | None:
    """The check for ``multipleOf`` within the bounds (those of :func:`.numbers.number_fsm`),
    or ``None`` when validators divide exactly (an integer divisor, or a float with
    an integral value)."""
    if not isinstance(multiple_of, float) or multiple_of.is_integer():
        return None
    exact = Fraction(Decimal(repr(multiple_of)))
    decimals = 0
    while (exact * 10**decimals).denominator != 1:
        decimals += 1
    iv = _interval(minimum, maximum, exclusive_minimum, exclusive_maximum)
    return FloatQuotient((multiple_of, decimals, exact, iv.lo, iv.lo_strict, iv.hi, iv.hi_strict), "")


def _float_whole(text: str, divisor: float) -> bool:
    """jsonschema's test: the float quotient is a whole number (an exact one when
    the quotient overflows)."""
    x = float(text)
    quotient = x / divisor
    try:
        return int(quotient) == quotient
    except OverflowError:
        return (Fraction(x) / Fraction(divisor)).denominator == 1


@lru_cache(maxsize=4096)
def _passes(params: _Params, text: str) -> bool:
    """Whether the number ``text`` is an exact multiple within the bounds whose
    float quotient is whole."""
    divisor, _, exact, low, low_strict, high, high_strict = params
    if not math.isfinite(float(text)):
        return False  # past the largest float: no validator reads it as a number
    value = Fraction(Decimal(text))  # (not Fraction(text): Python's limit on digits in a str)
    if (value / exact).denominator != 1:
        return False
    if low is not None and (value < low or (value == low and low_strict)):
        return False
    if high is not None and (value > high or (value == high and high_strict)):
        return False
    return _float_whole(text, divisor)


@lru_cache(maxsize=4096)
def _live(params: _Params, sign: str, whole: str, decimals: str) -> bool:
    """Whether ``sign whole . decimals`` can still be finished into a passing value."""
    places = params[1]
    if len(decimals) >= places:
        return _passes(params, f"{sign}{whole}.{decimals}")
    missing = places - len(decimals)
    if 10**missing > _TRIES:
        return True
    return any(_passes(params, f"{sign}{whole}.{decimals}{n:0{missing}d}") for n in range(10**missing))


class FloatQuotient(Parser):
    """Number texts whose value passes a float ``multipleOf`` check (see the module
    docstring); every other number character is left to the automaton beside it."""

    __slots__ = ("_allowed", "params", "text")

    def __init__(self, params: _Params, text: str) -> None:
        self.params = params
        self.text = text
        self._allowed: CharSet | None = None

    def advance(self, char: str) -> Parser | None:
        if char not in self.allowed():
            return None
        return FloatQuotient(self.params, self.text + char)

    def allowed(self) -> CharSet:
        got = self._allowed
        if got is None:
            got = self._allowed = self._compute_allowed()
        return got

    def _compute_allowed(self) -> CharSet:
        m = _PREFIX.fullmatch(self.text)
        if m is None or not m.group(2):
            return _NUMBER_CHARS  # a sign, an exponent: the value is not decided here
        sign, whole, decimals = m.groups()
        params = self.params
        if decimals is None:
            out = _NUMBER_CHARS if _live(params, sign, whole, "") else _NUMBER_CHARS - CharSet.of(".")
            divisor = params[0]
            if not math.isfinite(float(whole + "9") / divisor):
                # a quotient past the largest float is checked exactly, and a binary
                # float divisor such as 0.01 divides no float that large: never ends
                out = out - CharSet.of([d for d in "0123456789"
                                        if not math.isfinite(float(whole + d) / divisor)])
            return out
        keep = [d for d in "0123456789" if _live(params, sign, whole, decimals + d)]
        return (_NUMBER_CHARS - _DIGITS) | CharSet.of("".join(keep)) if keep else _NUMBER_CHARS - _DIGITS

    def can_end(self) -> bool:
        return _NUMBER.fullmatch(self.text) is not None and _passes(self.params, self.text)

    def key(self) -> Hashable:
        return ("float-multiple", self.params, self.text)

    def shortest(self, limit: int = 20000) -> str | None:
        # Every text is a state of its own here: the generic search would try
        # them all. Passing values come by length instead, the fraction cut at
        # the divisor's decimals (more of them would be zeros).
        m = _PREFIX.fullmatch(self.text)
        if m is not None:
            for tried, rest in enumerate(_rests(m.group(2), m.group(3), self.params[1])):
                text = self.text + rest
                if _NUMBER.fullmatch(text) is not None and _passes(self.params, text):
                    return rest
                if tried >= limit:
                    break
        return super().shortest(limit)


def _rests(whole: str, decimals: str | None, places: int) -> Iterator[str]:
    """Continuations of a number prefix, shortest first: more digits of the whole
    part (up to six) and a fraction of at most ``places`` digits; a prefix already
    in its fraction takes only more decimals."""
    if decimals is not None:
        for n in range(max(places - len(decimals), 0) + 1):
            yield from _all_digits(n)
        return
    for length in range(7):
        for extra in range(length + 1):
            fraction = length - extra
            if fraction == 1 or fraction - 1 > places:
                continue  # "." alone, or decimals past the divisor's
            if extra and whole == "0":
                continue
            for more in _all_digits(extra):
                if not whole and more[:1] == "0" and extra > 1:
                    continue  # a leading zero
                if not fraction:
                    yield more
                    continue
                for digits in _all_digits(fraction - 1):
                    yield f"{more}.{digits}"


def _all_digits(n: int) -> Iterator[str]:
    """Every string of ``n`` digits, in numeric order."""
    if n == 0:
        yield ""
        return
    for k in range(10**n):
        yield f"{k:0{n}d}"

"""Regular languages of JSON number texts with bounds and ``multipleOf``.

Everything here works on the *text* of a JSON number (RFC 8259:
``-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?``) and compares its exact
decimal value with the bounds. Bounds are read exactly: an ``int`` as itself,
a ``float`` as the decimal ``repr`` writes (``0.1`` is one tenth), a
``Decimal`` or ``Fraction`` as itself.

The patterns are interegular full-match syntax for :func:`lmparsec.Regex`;
the ``*_fsm`` functions return interegular FSMs (for ``multipleOf``, which is
a remainder automaton intersected with the bounds) to pass to
:func:`lmparsec.combinators.regex.regex_from_fsm`.

Soundness comes first: no pattern accepts a text whose value is out of range.
What is knowingly *not* accepted although in range is listed in each
function's docstring (mostly exponent forms, which a model rarely needs).
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

import interegular
from interegular.fsm import FSM, Alphabet, anything_else

from ...errors import SchemaError, UnsupportedSchemaError
from ..automata import combined

__all__ = [
    "NUMBER_PATTERN",
    "INTEGER_PATTERN",
    "integer_pattern",
    "number_pattern",
    "integer_fsm",
    "number_fsm",
    "nonnegative_range_pattern",
    "remainder_modulus",
    "MAX_MODULUS",
]

Bound = int | float | Decimal | Fraction | None

NUMBER_PATTERN = r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?"
INTEGER_PATTERN = r"-?(?:0|[1-9][0-9]*)"
_ZERO_FRACTION = r"(?:\.0+)?"
_EXP_ANY = r"[eE][+-]?[0-9]+"
_EXP_NONPOS = r"[eE](?:-[0-9]+|\+?0+)"  # value * 10**e lies between 0 and value
_EXP_NONNEG = r"[eE](?:\+?[0-9]+|-0+)"  # |value * 10**e| >= |value|

#: Largest modulus for which ``multipleOf`` builds a remainder automaton.
MAX_MODULUS = 2500


# -- bounds ------------------------------------------------------------------------


def _exact(bound: object, name: str) -> Fraction | None:
    """A bound as an exact fraction, ``None`` for "no bound" (absent or infinite)."""
    if bound is None:
        return None
    if isinstance(bound, bool) or not isinstance(bound, (int, float, Decimal, Fraction)):
        raise SchemaError(f"{name} must be a number, got {bound!r}", pointer="")
    if isinstance(bound, float):
        if not math.isfinite(bound):
            raise SchemaError(f"{name} must be a finite number, got {bound!r}")
        return Fraction(Decimal(repr(bound)))
    if isinstance(bound, Decimal):
        if not bound.is_finite():
            raise SchemaError(f"{name} must be a finite number, got {bound!r}")
        return Fraction(bound)
    return Fraction(bound)


class _Interval:
    """An interval of exact values; ``None`` ends are unbounded."""

    __slots__ = ("hi", "hi_strict", "lo", "lo_strict")

    def __init__(
        self, lo: Fraction | None, lo_strict: bool, hi: Fraction | None, hi_strict: bool
    ) -> None:
        self.lo, self.lo_strict, self.hi, self.hi_strict = lo, lo_strict, hi, hi_strict

    def empty(self) -> bool:
        if self.lo is None or self.hi is None:
            return False
        return self.lo > self.hi or (self.lo == self.hi and (self.lo_strict or self.hi_strict))

    def contains(self, x: Fraction) -> bool:
        if self.lo is not None and (x < self.lo or (x == self.lo and self.lo_strict)):
            return False
        return not (self.hi is not None and (x > self.hi or (x == self.hi and self.hi_strict)))


def _interval(
    minimum: Bound, maximum: Bound, exclusive_minimum: Bound, exclusive_maximum: Bound
) -> _Interval:
    lo, lo_strict = _exact(minimum, "minimum"), False
    emin = _exact(exclusive_minimum, "exclusiveMinimum")
    if emin is not None and (lo is None or emin >= lo):
        lo, lo_strict = emin, True
    hi, hi_strict = _exact(maximum, "maximum"), False
    emax = _exact(exclusive_maximum, "exclusiveMaximum")
    if emax is not None and (hi is None or emax <= hi):
        hi, hi_strict = emax, True
    return _Interval(lo, lo_strict, hi, hi_strict)


_Key = tuple[tuple[str, Bound], ...]


def _key(*bounds: Bound) -> _Key:
    # lru_cache treats 1 == 1.0 == True as one key; keep types apart.
    return tuple((type(b).__name__, b) for b in bounds)


def _unkey(key: _Key) -> list[Bound]:
    return [b for _, b in key]


# -- integer digit ranges -------------------------------------------------------------


def _digits(lo: int, hi: int) -> str:
    if lo == hi:
        return str(lo)
    if lo == 0 and hi == 9:
        return "[0-9]"
    return f"[{lo}-{hi}]" if hi > lo + 1 else f"[{lo}{hi}]"


def _same_length(lo: str, hi: str) -> list[str]:
    """Alternatives matching the digit strings of ``len(lo)`` between ``lo`` and ``hi``."""
    n = len(lo)
    if n == 0:
        return [""]
    if lo == hi:
        return [lo]
    if lo[0] == hi[0]:
        return [lo[0] + _group(_same_length(lo[1:], hi[1:]))]
    out: list[str] = []
    first, last = int(lo[0]), int(hi[0])
    rest = n - 1
    tail = "" if rest == 0 else ("[0-9]" if rest == 1 else f"[0-9]{{{rest}}}")
    if lo[1:] != "0" * rest:
        out.append(lo[0] + _group(_same_length(lo[1:], "9" * rest)))
        first += 1
    upper_full = hi[1:] == "9" * rest
    if not upper_full:
        last -= 1
    if first <= last:
        out.append(_digits(first, last) + tail)
    if not upper_full:
        out.append(hi[0] + _group(_same_length("0" * rest, hi[1:])))
    return out


def _wrap(text: str) -> str:
    """``text`` made safe to concatenate (grouped if it has an alternation)."""
    return f"(?:{text})" if "|" in text else text


def _group(alts: list[str]) -> str:
    if len(alts) == 1:
        return alts[0]
    return "(?:" + "|".join(alts) + ")"


def _int_range(lo: int, hi: int | None) -> list[str]:
    """Alternatives for the canonical decimal texts (no sign, no leading zero) of the
    integers in ``[lo, hi]`` (``hi=None``: unbounded); ``0 <= lo``."""
    if hi is not None and lo > hi:
        return []
    out: list[str] = []
    if lo == 0:
        out.append("0")
        lo = 1
        if hi is not None and hi == 0:
            return out
    a = str(lo)
    la = len(a)
    lb = len(str(hi)) if hi is not None else None
    top = "9" * la if lb is None or lb > la else str(hi)
    out.extend(_same_length(a, top))
    if lb is None:
        out.append(f"[1-9][0-9]{{{la},}}")
        return out
    if lb > la:
        if lb - 1 > la:  # full lengths la+1 .. lb-1
            lo_len, hi_len = la, lb - 2
            rep = f"{{{lo_len}}}" if lo_len == hi_len else f"{{{lo_len},{hi_len}}}"
            out.append(f"[1-9][0-9]{rep}")
        out.extend(_same_length("1" + "0" * (lb - 1), str(hi)))
    return out


def _ceil(x: Fraction) -> int:
    return -((-x.numerator) // x.denominator)


def _floor(x: Fraction) -> int:
    return x.numerator // x.denominator


def _int_bounds(iv: _Interval) -> tuple[int | None, int | None]:
    lo = None if iv.lo is None else (_floor(iv.lo) + 1 if iv.lo_strict else _ceil(iv.lo))
    hi = None if iv.hi is None else (_ceil(iv.hi) - 1 if iv.hi_strict else _floor(iv.hi))
    return lo, hi


@lru_cache(maxsize=512)
def _integer_pattern(key: _Key, allow_zero_fraction: bool) -> str | None:
    minimum, maximum, emin, emax = _unkey(key)
    iv = _interval(minimum, maximum, emin, emax)
    lo, hi = _int_bounds(iv)
    if lo is not None and hi is not None and lo > hi:
        return None
    alts: list[str] = []
    # Non-negative values.
    if hi is None or hi >= 0:
        pos = _int_range(max(lo, 0) if lo is not None else 0, hi)
        if pos:
            alts.append(_group(pos))
    # Negative values (and "-0" when 0 is in range): the absolute value in [a, b].
    if lo is None or lo <= 0:
        a = 0 if hi is None or hi >= 0 else -hi
        neg = _int_range(a, None if lo is None else -lo)
        if neg:
            alts.append("-" + _group(neg))
    if not alts:
        return None
    body = _group(alts) if len(alts) > 1 else alts[0]
    return body + (_ZERO_FRACTION if allow_zero_fraction else "")


def integer_pattern(
    minimum: Bound = None,
    maximum: Bound = None,
    exclusive_minimum: Bound = None,
    exclusive_maximum: Bound = None,
    *,
    allow_zero_fraction: bool = True,
) -> str | None:
    """A full-match pattern for JSON integer texts within the bounds, ``None`` if none is.

    Bounds are exact (floats allowed: ``minimum=1.5`` means ``>= 2``; ints of
    any size). ``-0`` is accepted when 0 is in range. With
    ``allow_zero_fraction`` (the default) ``1.0`` and ``-5.00`` are accepted
    too, as JSON Schema counts them as integers. Not accepted although JSON
    Schema counts them as integers: exponent forms such as ``1e2``.
    """
    return _integer_pattern(_key(minimum, maximum, exclusive_minimum, exclusive_maximum), allow_zero_fraction)


# -- decimal (non-exponent) ranges ------------------------------------------------------


def _split(x: Fraction) -> tuple[int, str]:
    """A non-negative finite decimal as (integer part, fraction digits without trailing
    zeros). Values that are no finite decimal are not produced by :func:`_exact`."""
    whole = _floor(x)
    rest = x - whole
    digits: list[str] = []
    steps = 0
    while rest and steps < 2000:
        rest *= 10
        d = _floor(rest)
        digits.append(str(d))
        rest -= d
        steps += 1
    if rest:  # pragma: no cover - _exact only yields finite decimals
        raise SchemaError(f"bound {x} is not a finite decimal")
    return whole, "".join(digits)


_ANY_FRAC_DIGITS = "[0-9]*"


def _frac(lo: str, lo_strict: bool, hi: str | None, hi_strict: bool, allow_empty: bool) -> str | None:
    """Digit strings ``s`` (empty only if ``allow_empty``) with ``0.lo <= 0.s <= 0.hi``
    (``<`` where strict; ``hi=None``: no upper bound). ``lo``/``hi`` have no
    trailing zeros; ``lo == ""`` and not strict means no lower bound."""
    no_lower = lo == "" and not lo_strict
    if hi == "":
        if not no_lower or hi_strict:
            return None
        return "0*" if allow_empty else "0+"
    if hi is None:
        if no_lower:
            return _ANY_FRAC_DIGITS if allow_empty else "[0-9]+"
        if lo == "":  # strictly positive
            return "[0-9]*[1-9][0-9]*"
    alts: list[str] = []
    if allow_empty and no_lower and (hi is None or hi != "" or not hi_strict):
        alts.append("")
    dl = int(lo[0]) if lo else 0
    dh = int(hi[0]) if hi else 9
    # (first digit, last digit, lower bound carries on, upper bound carries on)
    groups: list[tuple[int, int, bool, bool]]
    if hi is None:
        groups = [(dl, dl, True, False), (dl + 1, 9, False, False)]
    elif dl == dh:
        groups = [(dl, dl, True, True)]
    else:
        groups = [(dl, dl, True, False), (dl + 1, dh - 1, False, False), (dh, dh, False, True)]
    for first, last, lower, upper in groups:
        if first > last:
            continue
        new_lo, new_lo_strict = (lo[1:], lo_strict) if lower and not no_lower else ("", False)
        new_hi: str | None = hi[1:] if upper and hi is not None else None
        rest = _frac(new_lo, new_lo_strict, new_hi, hi_strict if upper else False, True)
        if rest is None:
            continue
        alts.append(_digits(first, last) + _wrap(rest))
    if not alts:
        return None
    if alts == [""]:
        return ""
    if "" in alts:
        others = [a for a in alts if a]
        return "(?:" + "|".join(others) + ")?"
    return _group(alts)


def _fraction_part(lo: str, lo_strict: bool, hi: str | None, hi_strict: bool) -> str | None:
    """Optional ``\\.digits`` suffix whose value lies within the fraction bounds."""
    digits = _frac(lo, lo_strict, hi, hi_strict, False)
    no_lower = lo == "" and not lo_strict
    zero_ok = no_lower and (hi is None or hi != "" or not hi_strict)
    if digits is None:
        return "" if zero_ok else None
    part = r"\." + _wrap(digits)
    return f"(?:{part})?" if zero_ok else part


def nonnegative_range_pattern(
    lo: Fraction, lo_strict: bool, hi: Fraction | None, hi_strict: bool
) -> str | None:
    """Non-negative JSON number texts without sign or exponent whose value lies in
    the interval (``hi=None``: unbounded), or ``None`` if none does. ``lo >= 0``."""
    if lo < 0:
        raise ValueError("lo must be non-negative")
    iv = _Interval(lo, lo_strict, hi, hi_strict)
    if iv.empty():
        return None
    ia, fa = _split(lo)
    alts: list[str] = []
    if hi is not None:
        ib, fb = _split(hi)
        if ia == ib:
            frac = _fraction_part(fa, lo_strict, fb, hi_strict)
            return None if frac is None else str(ia) + frac
    frac = _fraction_part(fa, lo_strict, None, False)
    if frac is not None:
        alts.append(str(ia) + frac)
    middle = _int_range(ia + 1, None if hi is None else ib - 1)
    if middle:
        alts.append(_group(middle) + r"(?:\.[0-9]+)?")
    if hi is not None:
        frac = _fraction_part("", False, fb, hi_strict)
        if frac is not None:
            alts.append(str(ib) + frac)
    return _group(alts) if alts else None


@lru_cache(maxsize=512)
def _number_pattern(key: _Key, exponents: bool = True) -> str | None:
    minimum, maximum, emin, emax = _unkey(key)
    iv = _interval(minimum, maximum, emin, emax)
    if iv.empty():
        return None
    zero_in = iv.contains(Fraction(0))
    alts: list[str] = []
    # Non-negative texts: value y = x >= 0.
    if iv.hi is None or iv.hi > 0 or (iv.hi == 0 and not iv.hi_strict):
        if iv.lo is None or iv.lo < 0:
            lo, lo_strict = Fraction(0), False
        else:
            lo, lo_strict = iv.lo, iv.lo_strict
        body = nonnegative_range_pattern(lo, lo_strict, iv.hi, iv.hi_strict)
        if body is not None:
            alts.append(_with_exponent(body, zero_in, iv.hi is None) if exponents else body)
    # Negative texts "-y": value -y, so y lies in [-hi, -lo].
    if iv.lo is None or iv.lo < 0 or (iv.lo == 0 and not iv.lo_strict):
        if iv.hi is None or iv.hi > 0:
            lo, lo_strict = Fraction(0), False
        else:
            lo, lo_strict = -iv.hi, iv.hi_strict
        hi = None if iv.lo is None else -iv.lo
        body = nonnegative_range_pattern(lo, lo_strict, hi, iv.lo_strict)
        if body is not None:
            alts.append("-" + (_with_exponent(body, zero_in, iv.lo is None) if exponents else body))
    if not alts:
        return None
    return _group(alts)


def _with_exponent(mantissa: str, zero_in_range: bool, unbounded_outward: bool) -> str:
    """Exponents that keep an in-range mantissa in range: ``e <= 0`` moves the value
    toward 0 (fine when 0 is in range), ``e >= 0`` away from it (fine when the
    range is unbounded on that side)."""
    if zero_in_range and unbounded_outward:
        exp = _EXP_ANY
    elif zero_in_range:
        exp = _EXP_NONPOS
    elif unbounded_outward:
        exp = _EXP_NONNEG
    else:
        return mantissa
    return f"{_wrap(mantissa)}(?:{exp})?"


def number_pattern(
    minimum: Bound = None,
    maximum: Bound = None,
    exclusive_minimum: Bound = None,
    exclusive_maximum: Bound = None,
    *,
    exponents: bool = True,
) -> str | None:
    """A full-match pattern for JSON number texts within the bounds, ``None`` if none is.

    Every in-range text *without* an exponent is accepted, and no out-of-range
    text at all. A text with an exponent is accepted when its mantissa (the
    text before ``e``) is itself in range and the exponent provably keeps the
    value in range: an exponent ``<= 0`` when 0 is in range (the value moves
    toward 0), an exponent ``>= 0`` when the range is unbounded on the
    mantissa's side (it moves away from 0). So with ``minimum=0`` everything
    non-negative is accepted, but with ``minimum=1, maximum=100`` the text
    ``1e1`` is not (nor ``5e-1`` for ``minimum=0.1, maximum=1``).
    Without bounds the pattern is the full RFC 8259 grammar. Without
    ``exponents`` no text has one (what a place needs whose texts other
    languages take away, see ``Compiler.plain``).

    Values are compared exactly as decimals. A validator that parses to binary
    floats (Python's ``jsonschema``) can disagree only on texts with more than
    about 16 significant digits lying within rounding distance of a bound.
    """
    return _number_pattern(_key(minimum, maximum, exclusive_minimum, exclusive_maximum), exponents)


# -- multipleOf -----------------------------------------------------------------------------

_NUM_CHARS = "0123456789-+.eE"


@lru_cache(maxsize=1)
def _alphabet() -> Alphabet:
    groups: list[set[object]] = [{c} for c in _NUM_CHARS]
    groups.append({anything_else})
    alphabet: Alphabet = Alphabet.from_groups(*groups)  # type: ignore[no-untyped-call]
    return alphabet


def _to_fsm(pattern: str) -> FSM:
    return interegular.parse_pattern(pattern).to_fsm(_alphabet())


def _multiple(multiple_of: object) -> Fraction:
    if isinstance(multiple_of, bool) or not isinstance(multiple_of, (int, float, Decimal, Fraction)):
        raise SchemaError(f"multipleOf must be a number, got {multiple_of!r}")
    if isinstance(multiple_of, float) and not math.isfinite(multiple_of):
        raise SchemaError(f"multipleOf must be finite, got {multiple_of!r}")
    if isinstance(multiple_of, Decimal) and not multiple_of.is_finite():
        raise SchemaError(f"multipleOf must be finite, got {multiple_of!r}")
    q = Fraction(Decimal(repr(multiple_of))) if isinstance(multiple_of, float) else Fraction(multiple_of)
    if q <= 0:
        raise SchemaError(f"multipleOf must be strictly positive, got {multiple_of!r}")
    return q


def _remainder_fsm(modulus: int, scale: int) -> FSM:
    """Texts ``-?digits(.digits)?`` whose value times ``10**scale`` is an integer
    divisible by ``modulus``; fraction digits beyond ``scale`` must be zeros.

    States: ("i", r) reading the integer part with remainder r; ("f", r, j) after
    j fraction digits; ("z", r) past ``scale`` fraction digits (zeros only).
    The grammar itself (leading zeros...) is left to the bounds FSM it is
    intersected with.
    """
    if modulus > MAX_MODULUS:
        raise UnsupportedSchemaError(
            f"multipleOf needs a remainder automaton with {modulus} states (limit {MAX_MODULUS})",
            keyword="multipleOf",
        )
    alphabet = _alphabet()
    digit = {d: alphabet[str(d)] for d in range(10)}
    states: dict[object, int] = {}
    transitions: dict[int, dict[object, int]] = {}
    finals: set[int] = set()

    def sid(name: object) -> int:
        if name not in states:
            states[name] = len(states)
            transitions[states[name]] = {}
        return states[name]

    def step(r: int, j: int, d: int) -> tuple[object, ...] | None:
        """The state after fraction digit ``d`` with ``j`` fraction digits read."""
        if j < scale:
            return ("f", (r * 10 + d) % modulus, j + 1)
        return ("f", r, j) if d == 0 else None

    start = sid("start")
    sign = sid("sign")
    transitions[start][alphabet["-"]] = sign
    todo: list[tuple[object, ...]] = []
    for src in (start, sign):
        for d in range(10):
            transitions[src][digit[d]] = sid(("i", d % modulus))
            todo.append(("i", d % modulus))
    seen: set[object] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        s = sid(name)
        kind = name[0]
        r = int(name[1])  # type: ignore[call-overload]
        j = int(name[2]) if kind == "f" else 0  # type: ignore[call-overload]
        if kind != "dot" and (r * pow(10, scale - j, modulus)) % modulus == 0:
            finals.add(s)
        if kind == "i":
            for d in range(10):
                nxt: tuple[object, ...] | None = ("i", (r * 10 + d) % modulus)
                transitions[s][digit[d]] = sid(nxt)
                todo.append(nxt)  # type: ignore[arg-type]
            dot = ("dot", r)
            transitions[s][alphabet["."]] = sid(dot)
            todo.append(dot)
        else:
            for d in range(10):
                nxt = step(r, j, d)
                if nxt is not None:
                    transitions[s][digit[d]] = sid(nxt)
                    todo.append(nxt)
    return FSM(alphabet=alphabet, states=set(states.values()), initial=start, finals=finals,
               map=transitions)


@lru_cache(maxsize=256)
def _integer_fsm(key: _Key, allow_zero_fraction: bool) -> FSM | None:
    multiple_of = key[4][1]
    pattern = _integer_pattern(key[:4], allow_zero_fraction)
    if pattern is None:
        return None
    fsm = _to_fsm(pattern)
    if multiple_of is not None:
        fsm = combined("and", [fsm, _remainder_fsm(*remainder_modulus(multiple_of, integer=True))])
    return fsm


def remainder_modulus(multiple_of: object, *, integer: bool) -> tuple[int, int]:
    """``(modulus, scale)``: a number is a multiple of ``multiple_of`` iff its value
    times ``10**scale`` is an integer divisible by ``modulus`` (an integer is one
    of ``p/s`` in lowest terms iff ``p`` divides it: scale 0)."""
    q = _multiple(multiple_of)
    if integer:
        return q.numerator, 0
    scale = 0
    while (q * 10**scale).denominator != 1:
        scale += 1
        if scale > 60:
            raise UnsupportedSchemaError(f"multipleOf {multiple_of!r} is not a finite decimal",
                                         keyword="multipleOf")
    return int(q * 10**scale), scale


def integer_fsm(
    minimum: Bound = None,
    maximum: Bound = None,
    exclusive_minimum: Bound = None,
    exclusive_maximum: Bound = None,
    multiple_of: Bound = None,
    *,
    allow_zero_fraction: bool = True,
) -> FSM | None:
    """The FSM of :func:`integer_pattern` further restricted to multiples of
    ``multiple_of`` (any positive number: an integer is a multiple of ``p/s`` in
    lowest terms iff ``p`` divides it). ``None`` when the bounds admit no integer
    (the language may still be empty when bounds and ``multipleOf`` clash).
    Raises :class:`UnsupportedSchemaError` when ``p`` exceeds ``MAX_MODULUS``."""
    return _integer_fsm(_key(minimum, maximum, exclusive_minimum, exclusive_maximum, multiple_of),
                        allow_zero_fraction)


@lru_cache(maxsize=256)
def _number_fsm(key: _Key) -> FSM | None:
    multiple_of = key[4][1]
    if multiple_of is None:
        pattern = _number_pattern(key[:4])
        return None if pattern is None else _to_fsm(pattern)
    _multiple(multiple_of)  # (a malformed one is an error whatever the bounds)
    minimum, maximum, emin, emax = _unkey(key[:4])
    iv = _interval(minimum, maximum, emin, emax)
    if iv.empty():
        return None
    # Exponent-free texts in range (see number_pattern), then the remainder test:
    # x is a multiple of P / 10**D iff x * 10**D is an integer divisible by P.
    pattern = _number_pattern(key[:4])
    if pattern is None:
        return None
    modulus, scale = remainder_modulus(multiple_of, integer=False)
    # The remainder automaton reads no exponent, so the intersection has none.
    return combined("and", [_to_fsm(pattern), _remainder_fsm(modulus, scale)])


def number_fsm(
    minimum: Bound = None,
    maximum: Bound = None,
    exclusive_minimum: Bound = None,
    exclusive_maximum: Bound = None,
    multiple_of: Bound = None,
) -> FSM | None:
    """The FSM of :func:`number_pattern`, restricted to exact multiples of
    ``multiple_of`` when given; ``None`` when the bounds admit no number.

    ``multipleOf`` is exact decimal arithmetic (``0.3`` is a multiple of
    ``0.1``; Python's ``jsonschema`` divides floats and disagrees on such
    cases). With ``multipleOf`` no exponent form is accepted. Raises
    :class:`UnsupportedSchemaError` when the remainder automaton would need more
    than ``MAX_MODULUS`` states (``multipleOf`` written with many significant
    digits, such as ``0.123457``).
    """
    return _number_fsm(_key(minimum, maximum, exclusive_minimum, exclusive_maximum, multiple_of))

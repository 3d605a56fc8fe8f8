"""Formats over plain text: anything, nothing more, and "anything until a trigger"."""

from __future__ import annotations

from collections.abc import Hashable

from ..errors import GrammarError
from .base import Parser, grammar_id
from .charset import CharSet

__all__ = ["Avoid", "ForceStop", "FreeText", "Until", "until", "without"]


class ForceStop(Parser):
    """The empty format: accepts nothing more and may end right away."""

    __slots__ = ()

    def advance(self, char: str) -> Parser | None:
        return None

    def allowed(self) -> CharSet:
        return CharSet.EMPTY

    def can_end(self) -> bool:
        return True

    def key(self) -> Hashable:
        return ("stop",)


class FreeText(Parser):
    """Any text over ``chars`` (all of Unicode by default), at most ``max_length`` characters.

    Without a bound every character loops back to the same state, which lets
    the token layer answer with one precomputed mask.
    """

    __slots__ = ("chars", "min_length", "remaining")

    def __init__(
        self,
        max_length: int | None = None,
        *,
        min_length: int = 0,
        chars: CharSet = CharSet.ANY,
    ) -> None:
        if max_length is not None and (not isinstance(max_length, int) or max_length < 0):
            raise GrammarError(f"FreeText max_length must be a non-negative int, got {max_length!r}")
        if not isinstance(min_length, int) or min_length < 0:
            raise GrammarError(f"FreeText min_length must be a non-negative int, got {min_length!r}")
        if max_length is not None and min_length > max_length:
            raise GrammarError(f"FreeText min_length {min_length} exceeds max_length {max_length}")
        if not isinstance(chars, CharSet):
            raise GrammarError(f"FreeText chars must be a CharSet, got {type(chars).__name__}")
        self.chars = chars
        self.remaining = max_length
        self.min_length = min_length

    def advance(self, char: str) -> Parser | None:
        if char not in self.chars or self.remaining == 0:
            return None
        if self.remaining is None and self.min_length == 0:
            return self
        nxt = FreeText.__new__(FreeText)
        nxt.chars = self.chars
        nxt.remaining = None if self.remaining is None else self.remaining - 1
        nxt.min_length = max(0, self.min_length - 1)
        return nxt

    def allowed(self) -> CharSet:
        return CharSet.EMPTY if self.remaining == 0 else self.chars

    def can_end(self) -> bool:
        return self.min_length == 0

    def loop(self) -> CharSet:
        return self.chars

    def step_class(self, char: str) -> CharSet:
        return self.chars if char in self.chars else ~self.chars

    def loop_limit(self) -> int | None:
        if self.remaining is None and self.min_length == 0:
            return None
        if self.remaining is None:
            return self.min_length  # after that many, the state stops changing
        return self.remaining

    def key(self) -> Hashable:
        return ("free", self.chars.ranges, self.remaining, self.min_length)

    def mask_key(self, horizon: int) -> Hashable:
        # far from both bounds, the count changes nothing within a token: the
        # masks of a long counted string are one mask, not one per position
        # (and so is each bound alone: a count of 32 left is no bound to a token,
        # whether the string must still take one character or none)
        rem, need = self.remaining, self.min_length
        if rem is not None and rem >= horizon:
            rem = None
        if rem is None and (need == 0 or need >= horizon):
            return ("free~", self.chars.ranges, need == 0)
        return ("free", self.chars.ranges, rem, min(need, horizon))

    def shortest(self, limit: int = 20000) -> str | None:
        return next(self.chars.samples(), "") * self.min_length


class Until(Parser):
    """Any text that does not contain ``trigger``, then ``trigger``; nothing after.

    The state is the length of the longest suffix read so far that is a prefix
    of the trigger (Knuth-Morris-Pratt), so the format is exact: the first
    occurrence of the trigger ends it, wherever it starts.
    """

    __slots__ = ("_table", "matched")

    def __init__(self, trigger: str, _table: _UntilTable | None = None, _matched: int = 0) -> None:
        if _table is None:
            if not isinstance(trigger, str) or not trigger:
                raise GrammarError(f"until() needs a non-empty str trigger, got {trigger!r}")
            _table = _UntilTable.build(trigger)
        self._table = _table
        self.matched = _matched

    @property
    def trigger(self) -> str:
        return self._table.trigger

    def advance(self, char: str) -> Parser | None:
        table = self._table
        if self.matched == len(table.trigger):
            return None
        nxt = table.step[self.matched].get(char, 0)
        return Until(table.trigger, table, nxt)

    def allowed(self) -> CharSet:
        return CharSet.EMPTY if self.matched == len(self._table.trigger) else CharSet.ANY

    def can_end(self) -> bool:
        return self.matched == len(self._table.trigger)

    def loop(self) -> CharSet:
        if self.matched == len(self._table.trigger):
            return CharSet.EMPTY
        return self._table.loops[self.matched]

    def step_class(self, char: str) -> CharSet:
        if self.matched == len(self._table.trigger):
            return CharSet.ANY
        return self._table.step_class(self.matched, char)

    def key(self) -> Hashable:
        return (self._table.gid, self.matched)

    def shortest(self, limit: int = 20000) -> str | None:
        return self._table.trigger[self.matched :]

    def __reduce__(self) -> tuple[object, ...]:
        return (Until, (self.trigger, None, self.matched))


class _UntilTable:
    """The KMP automaton of a trigger, shared by all states of one ``Until``."""

    __slots__ = ("gid", "loops", "step", "trigger")

    def __init__(
        self, trigger: str, step: list[dict[str, int]], loops: list[CharSet], gid: int
    ) -> None:
        self.trigger = trigger
        self.step = step
        self.loops = loops
        self.gid = gid

    def step_class(self, matched: int, char: str) -> CharSet:
        """Characters that move the automaton from ``matched`` where ``char`` does."""
        row = self.step[matched]
        target = row.get(char, 0)
        if target == 0:
            return ~CharSet.of(row)
        return CharSet.of(c for c, n in row.items() if n == target)

    @classmethod
    def build(cls, trigger: str) -> _UntilTable:
        alphabet = set(trigger)
        fail = [0] * (len(trigger) + 1)
        k = 0
        for i in range(1, len(trigger)):
            while k and trigger[i] != trigger[k]:
                k = fail[k]
            if trigger[i] == trigger[k]:
                k += 1
            fail[i + 1] = k
        step: list[dict[str, int]] = []
        for j in range(len(trigger)):
            row = {}
            for c in alphabet:
                m = j
                while m and trigger[m] != c:
                    m = fail[m]
                row[c] = m + 1 if trigger[m] == c else 0
            step.append({c: n for c, n in row.items() if n})
        loops = []
        for j, row in enumerate(step):
            looping = CharSet.of(c for c, n in row.items() if n == j)
            if j == 0:
                looping = looping | ~CharSet.of(row)
            loops.append(looping)
        return cls(trigger, step, loops, grammar_id(("until", trigger)))


class Avoid(Parser):
    """Any text that does not contain ``trigger`` (it may end anywhere).

    The complement of :class:`Until` on the same automaton: union the two and
    a model may either reach the trigger (and what follows it is enforced) or
    finish without it, with no text accepted both ways.
    """

    __slots__ = ("_table", "matched")

    def __init__(self, trigger: str, _table: _UntilTable | None = None, _matched: int = 0) -> None:
        if _table is None:
            if not isinstance(trigger, str) or not trigger:
                raise GrammarError(f"without() needs a non-empty str trigger, got {trigger!r}")
            _table = _UntilTable.build(trigger)
        self._table = _table
        self.matched = _matched

    def advance(self, char: str) -> Parser | None:
        table = self._table
        nxt = table.step[self.matched].get(char, 0)
        if nxt == len(table.trigger):
            return None
        return Avoid(table.trigger, table, nxt)

    def allowed(self) -> CharSet:
        row = self._table.step[self.matched]
        return ~CharSet.of(c for c, n in row.items() if n == len(self._table.trigger))

    def can_end(self) -> bool:
        return True

    def loop(self) -> CharSet:
        return self._table.loops[self.matched]

    def step_class(self, char: str) -> CharSet:
        return self._table.step_class(self.matched, char)

    def key(self) -> Hashable:
        return ("avoid", self._table.gid, self.matched)

    def shortest(self, limit: int = 20000) -> str | None:
        return ""

    def __reduce__(self) -> tuple[object, ...]:
        return (Avoid, (self._table.trigger, None, self.matched))


def until(trigger: str) -> Until:
    """Free text up to and including the first occurrence of ``trigger``."""
    return Until(trigger)


def without(trigger: str) -> Avoid:
    """Free text that never contains ``trigger``."""
    return Avoid(trigger)

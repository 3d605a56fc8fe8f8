"""Regular expressions as deterministic automata (no backtracking, no ReDoS).

interegular turns the pattern into a DFA once; each DFA state becomes one
shared, immutable parser object, so ``advance`` is two dictionary lookups and
never allocates. States that cannot reach an accepting state are pruned at
compile time, which keeps ``allowed()`` exact: a character is allowed only if
the text can still be completed.
"""

from __future__ import annotations

from collections.abc import Hashable
from functools import lru_cache
from typing import Any

import interegular
from interegular.fsm import FSM, anything_else

from ..errors import RegexError
from .base import Parser, grammar_id
from .charset import CharSet

__all__ = ["Regex", "RegexState"]


#: characters standing for blocks of code points, each with its block's ranges
Blocks = tuple[tuple[str, tuple[tuple[int, int], ...]], ...]
_UNNAMED = object()


class _Dfa:
    """A pruned DFA with per-state character sets, built from an interegular FSM."""

    __slots__ = (
        "allowed",
        "blocks",
        "classes",
        "description",
        "else_symbol",
        "finals",
        "gid",
        "initial",
        "loops",
        "states",
        "structure",
        "symbol_of",
        "trans",
    )

    def __init__(self, fsm: FSM, description: str, blocks: Blocks = (), *, minimal: bool = False) -> None:
        self.description = description
        alphabet = fsm.alphabet
        groups: dict[Any, list[str]] = {}
        self.else_symbol: Any = None
        self.symbol_of: dict[str, Any] = {}
        for sym, tk in alphabet._symbol_mapping.items():
            if sym is anything_else:
                self.else_symbol = tk
            elif isinstance(sym, str):
                self.symbol_of[sym] = tk
                groups.setdefault(tk, []).append(sym)
        explicit = CharSet.of(self.symbol_of)
        sets = {tk: CharSet.of(chars) for tk, chars in groups.items()}
        # (each standing character reads as its block: see BlockRegexState)
        self.blocks = tuple((CharSet(list(ranges)), char) for char, ranges in blocks)
        for block, char in self.blocks:
            explicit = explicit | block
            named: Any = self.symbol_of.get(char)
            if named is None:  # (a character the automaton never names: its block goes as it does)
                named = self.symbol_of[char] = self.else_symbol
            if named is not None:
                sets[named] = sets.get(named, CharSet.EMPTY) | block
        if self.else_symbol is not None:
            sets[self.else_symbol] = sets.get(self.else_symbol, CharSet.EMPTY) | ~explicit

        live = _live_states(fsm)
        if fsm.initial not in live:
            # The language is empty: keep a single dead initial state that rejects all.
            live = set()
        ordered_syms = sorted(sets, key=lambda tk: sets[tk].ranges)
        # Equivalent states become one: equal futures then have equal keys (cache
        # hits), and a loop the construction unrolled ("x+" as a first-x state and
        # an x-loop state) is seen as the loop it is.
        rep = {st: st for st in live} if minimal else _representatives(fsm, live, ordered_syms)
        # Renumber states canonically (BFS from the initial state) for structural keys.
        order: dict[Any, int] = {}
        initial = rep.get(fsm.initial, fsm.initial)
        queue = [initial]
        order[initial] = 0
        for state in queue:
            if state not in live:
                continue
            row = fsm.map.get(state, {})
            for tk in ordered_syms:
                nxt = rep.get(row.get(tk))
                if nxt is not None and nxt not in order:
                    order[nxt] = len(order)
                    queue.append(nxt)
        n = len(order)
        self.trans: list[dict[Any, int]] = [{} for _ in range(n)]
        self.finals = [False] * n
        self.allowed = [CharSet.EMPTY] * n
        self.loops = [CharSet.EMPTY] * n
        for state, idx in order.items():
            if state not in live:
                continue
            self.finals[idx] = state in fsm.finals
            allowed: list[tuple[int, int]] = []
            loop: list[tuple[int, int]] = []
            for tk, nxt in fsm.map.get(state, {}).items():
                if nxt in live and tk in sets:
                    target = order[rep[nxt]]
                    self.trans[idx][tk] = target
                    allowed.extend(sets[tk].ranges)
                    if target == idx:
                        loop.extend(sets[tk].ranges)
            self.allowed[idx] = CharSet(allowed)
            self.loops[idx] = CharSet(loop)
        self.classes = sets
        self.initial = 0
        sym_pos = {tk: i for i, tk in enumerate(ordered_syms)}
        structure = (
            tuple(sets[tk].ranges for tk in ordered_syms),
            tuple(tuple(sorted((sym_pos[tk], nxt) for tk, nxt in row.items())) for row in self.trans),
            tuple(self.finals),
        )
        self.structure = structure
        self.gid = grammar_id(("dfa", structure))
        self.states = self._states()

    def _states(self) -> list[RegexState]:
        kind = BlockRegexState if self.blocks else RegexState
        return [kind(self, i) for i in range(len(self.trans))]

    def symbol(self, char: str) -> Any:
        """The automaton's symbol for ``char``, read through the blocks."""
        got = self.symbol_of.get(char, _UNNAMED)
        if got is not _UNNAMED:
            return got
        for block, stand in self.blocks:
            if char in block:
                return self.symbol_of[stand]
        return self.else_symbol

    def __getstate__(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__ if name not in ("gid", "states")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        # Grammar ids are per process: re-intern the structure after unpickling.
        for name, value in state.items():
            object.__setattr__(self, name, value)
        self.gid = grammar_id(("dfa", self.structure))
        self.states = self._states()


_MINIMISE_LIMIT = 2_000_000  # states x symbols beyond which a DFA is kept as built


def _representatives(fsm: FSM, live: set[Any], symbols: list[Any]) -> dict[Any, Any]:
    """One state for each class of equivalent live states (Hopcroft's partition
    refinement over the live states plus one sink for every missing or dead
    transition): split by accepting, then by which class each symbol leads to."""
    states = sorted(live, key=repr)
    n = len(states)
    if n * max(len(symbols), 1) > _MINIMISE_LIMIT:
        return {st: st for st in states}  # too big to be worth the compile time
    index = {st: i for i, st in enumerate(states)}
    sink = n
    # inverse transitions: for each symbol, the states leading to each state
    inverse: list[list[list[int]]] = [[[] for _ in range(n + 1)] for _ in symbols]
    for i, st in enumerate(states):
        row = fsm.map.get(st, {})
        for k, tk in enumerate(symbols):
            inverse[k][index.get(row.get(tk), sink)].append(i)
    for k in range(len(symbols)):
        inverse[k][sink].append(sink)
    finals = {index[st] for st in states if st in fsm.finals}
    blocks: list[set[int]] = [b for b in (finals, set(range(n + 1)) - finals) if b]
    where = [0] * (n + 1)
    for b, initial in enumerate(blocks):
        for i in initial:
            where[i] = b
    pending = set(range(len(blocks)))
    while pending:
        splitter = list(blocks[pending.pop()])
        for k in range(len(symbols)):
            touched: dict[int, list[int]] = {}
            for j in splitter:
                for i in inverse[k][j]:
                    touched.setdefault(where[i], []).append(i)
            for b, members in touched.items():
                current = blocks[b]
                if len(members) == len(current):
                    continue
                part = set(members)
                current -= part
                nb = len(blocks)
                blocks.append(part)
                for i in part:
                    where[i] = nb
                if b in pending or len(part) <= len(current):
                    pending.add(nb)
                else:
                    pending.add(b)
    first: dict[int, Any] = {}
    for i, st in enumerate(states):
        first.setdefault(where[i], st)
    return {st: first[where[i]] for i, st in enumerate(states)}


def _live_states(fsm: FSM) -> set[Any]:
    """States from which an accepting state is reachable."""
    reverse: dict[Any, set[Any]] = {}
    for state, row in fsm.map.items():
        for nxt in row.values():
            reverse.setdefault(nxt, set()).add(state)
    live = set(fsm.finals)
    stack = list(live)
    while stack:
        for prev in reverse.get(stack.pop(), ()):
            if prev not in live:
                live.add(prev)
                stack.append(prev)
    return live


_HEX = frozenset("0123456789abcdefABCDEF")


def _translate_escapes(pattern: str) -> str:
    """Rewrite ``\\uXXXX`` and ``\\UXXXXXXXX`` (which ``re`` and JSON Schema
    patterns use, and interegular reads as unicode properties) into the
    character itself, or ``\\xHH`` for ASCII so metacharacters stay literal."""
    if "\\u" not in pattern and "\\U" not in pattern:
        return pattern
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char != "\\" or i + 1 >= n:
            out.append(char)
            i += 1
            continue
        kind = pattern[i + 1]
        width = 4 if kind == "u" else 8 if kind == "U" else 0
        digits = pattern[i + 2 : i + 2 + width]
        if width and len(digits) == width and set(digits) <= _HEX and int(digits, 16) <= 0x10FFFF:
            cp = int(digits, 16)
            out.append(f"\\x{cp:02x}" if cp < 0x80 else chr(cp))
            i += 2 + width
        else:
            out.append(pattern[i : i + 2])  # any other escape, kept whole
            i += 2
    return "".join(out)


@lru_cache(maxsize=1024)
def _compile(pattern: str) -> _Dfa:
    return _Dfa(pattern_fsm(pattern), pattern)


def pattern_fsm(pattern: str) -> FSM:
    """interegular's automaton of ``pattern`` (for languages built from several:
    intersections, differences)."""
    if not isinstance(pattern, str):
        raise RegexError(f"expected a str pattern, got {type(pattern).__name__}", pattern=repr(pattern))
    try:
        return interegular.parse_pattern(_translate_escapes(pattern)).to_fsm()
    except interegular.patterns.Unsupported as exc:
        raise RegexError(f"unsupported regex syntax ({exc})", pattern=pattern) from exc
    except interegular.patterns.InvalidSyntax as exc:
        raise RegexError(f"invalid regex syntax ({exc})", pattern=pattern) from exc
    except Exception as exc:  # interegular's parser raises plain ValueError/IndexError too
        position = getattr(exc, "index", None)
        raise RegexError(f"invalid regex ({type(exc).__name__}: {exc})", pattern=pattern,
                         position=position) from exc


class RegexState(Parser):
    """One state of a compiled regular expression."""

    __slots__ = ("_dfa", "state")

    def __init__(self, dfa: _Dfa, state: int) -> None:
        self._dfa = dfa
        self.state = state

    @property
    def pattern(self) -> str:
        return self._dfa.description

    def advance(self, char: str) -> Parser | None:
        dfa = self._dfa
        sym = dfa.symbol_of.get(char, dfa.else_symbol)
        nxt = dfa.trans[self.state].get(sym)
        return None if nxt is None else dfa.states[nxt]

    def allowed(self) -> CharSet:
        return self._dfa.allowed[self.state]

    def can_end(self) -> bool:
        return self._dfa.finals[self.state]

    def loop(self) -> CharSet:
        return self._dfa.loops[self.state]

    def step_class(self, char: str) -> CharSet:
        dfa = self._dfa
        return self._step_class(dfa.symbol_of.get(char, dfa.else_symbol))

    def _step_class(self, sym: Any) -> CharSet:
        dfa = self._dfa
        nxt = dfa.trans[self.state].get(sym)
        if nxt is None:
            return ~dfa.allowed[self.state]
        # every symbol leading to the same live state has the same effect
        out = CharSet.EMPTY
        for other, target in dfa.trans[self.state].items():
            if target == nxt:
                out = out | dfa.classes[other]
        return out

    def key(self) -> Hashable:
        return (self._dfa.gid, self.state)

    def counted_class(self) -> tuple[CharSet, int, int | None] | None:
        """``(chars, least, most)`` where the automaton (from its start) takes exactly
        the texts of ``least`` to ``most`` (``None``: any number of) characters of
        ``chars`` -- ``[a-z0-9_-]{1,64}``, ``[0-9a-f]{24}``, ``[A-Z]+`` -- read off its
        states: a chain, each stepping every character of one class to the next,
        the last one looping or taking nothing, ending from ``least`` on. ``None``
        for any other shape."""
        dfa = self._dfa
        if self.state != dfa.initial or dfa.blocks:
            return None
        n = len(dfa.trans)
        chars: CharSet | None = None
        for i, row in enumerate(dfa.trans):
            targets = set(row.values())
            if not row:
                if i != n - 1:
                    return None
                continue
            if len(targets) != 1 or targets.pop() != min(i + 1, n - 1):
                return None
            if chars is None:
                chars = dfa.allowed[i]
            elif dfa.allowed[i] != chars:
                return None
        if chars is None:
            return None
        least = dfa.finals.index(True) if True in dfa.finals else -1
        if least < 0 or not all(dfa.finals[least:]):
            return None
        loops = bool(dfa.trans[n - 1])
        return chars, least, None if loops else n - 1

    def ends_and_goes_on(self) -> bool:
        """Whether every state of the automaton can end and can go on: then a count
        read beside it never strands a text (see ``Compiler._counted``)."""
        dfa = self._dfa
        return all(dfa.finals) and all(dfa.trans)

    def __reduce__(self) -> tuple[object, ...]:
        return (_restore, (self._dfa, self.state))


class BlockRegexState(RegexState):
    """A state of an automaton written over blocks of code points (a pattern's
    ``\\p{L}``, see :mod:`lmparsec.combinators.jsonschema.ecma`): a character
    is read as its block's."""

    __slots__ = ()

    def advance(self, char: str) -> Parser | None:
        dfa = self._dfa
        nxt = dfa.trans[self.state].get(dfa.symbol(char))
        return None if nxt is None else dfa.states[nxt]

    def step_class(self, char: str) -> CharSet:
        return self._step_class(self._dfa.symbol(char))


def _restore(dfa: _Dfa, state: int) -> RegexState:
    return dfa.states[state]


def Regex(pattern: str) -> RegexState:  # noqa: N802 - reads as a class at call sites
    """A parser for texts that match ``pattern`` in full (as ``re.fullmatch``).

    The class escapes ``\\d``, ``\\w`` and ``\\s`` are ASCII, as with ``re.ASCII``
    (and as ``\\d`` and ``\\w`` are in ECMA-262); ``\\uXXXX`` escapes are understood.

    Syntax that no DFA can express (backreferences, lookbehind, conditionals)
    raises :class:`lmparsec.errors.RegexError` naming the pattern.
    """
    return _compile(pattern).states[0]


def regex_from_fsm(fsm: FSM, description: str, blocks: Blocks = (), *, minimal: bool = False) -> RegexState:
    """A parser from an interegular FSM built by other means (intersections, unions);
    ``blocks``: characters of its alphabet that stand for blocks of code points
    (each with the block's ranges). ``minimal``: no two states of ``fsm`` are
    equivalent (an automaton shipped built), so the partition refinement that
    merges them is skipped (13 ms of the 15 for the e-mail format's)."""
    return _Dfa(fsm, description, blocks, minimal=minimal).states[0]

"""JSON Schema ``pattern`` (ECMA-262, unanchored) as parsers of decoded strings."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from functools import lru_cache
from typing import Any, TypeVar

from interegular.fsm import FSM, Alphabet

from ...errors import UnsupportedSchemaError
from ..regex import Regex, RegexState, pattern_fsm, regex_from_fsm
from .ecma import Lang, search_pattern

__all__ = ["pattern_parser", "pattern_matches"]


@lru_cache(maxsize=4096)
def pattern_parser(pattern: str, pointer: str = "") -> RegexState:
    """The full-match parser of strings in which ``pattern`` finds a match.

    Raises RegexError/UnsupportedSchemaError for syntax no DFA can express.
    """
    lang = search_pattern(pattern, pointer=pointer)
    if isinstance(lang, str):
        return Regex(lang)
    try:
        return _composed(pattern)
    except _TooLargeError:
        raise UnsupportedSchemaError(
            f"the lookarounds of {pattern!r} make an automaton of more than {MAX_PRODUCT_STATES} states",
            keyword="pattern", pointer=pointer) from None


@lru_cache(maxsize=256)
def _composed(pattern: str) -> RegexState:
    """The parser of a pattern whose language is built from several automata (kept
    by the pattern alone: a password rule's, ~0.1 s, is made once however many
    places of a schema use it)."""
    lang = search_pattern(pattern)
    return regex_from_fsm(_automaton(lang), pattern)


class _TooLargeError(Exception):
    """An automaton built for lookarounds passed :data:`MAX_PRODUCT_STATES` states."""


def pattern_matches(pattern: str, name: str) -> bool:
    """Whether ``pattern`` matches ``name`` (False when the pattern cannot be compiled).

    The same automaton as at run time decides; Python's ``re`` first screens
    out the common case cheaply (ECMA and Python agree on simple patterns,
    and building a search automaton can be slow)."""
    try:
        if re.search(pattern, name) is None and re.fullmatch(r"[\w.^$*+?()\[\]{}|/-]*", pattern):
            return False
    except re.error:
        pass
    try:
        return pattern_parser(pattern).accepts(name)
    except Exception:
        return False


def _automaton(lang: Lang) -> FSM:
    """The automaton of a language built from patterns (see :data:`Lang`)."""
    if isinstance(lang, str):
        return pattern_fsm(lang)
    op, *parts = lang
    assert isinstance(op, str)
    fsms = [_automaton(part) for part in parts]
    if op == "cat":
        out = fsms[0]
        for fsm in fsms[1:]:
            out = _concatenated(out, fsm)
        return out
    alive, accepts = _COMBINE[op]
    return _combined(fsms, alive, accepts)


def _concatenated(first: FSM, second: FSM) -> FSM:
    """``first`` then ``second``, determinised: a state is where ``first`` is (or
    ``None``) and the set of places ``second`` may be."""
    alphabet, (to_first, to_second) = Alphabet.union(first.alphabet, second.alphabet)
    map1: dict[Any, dict[Any, Any]] = first.map
    map2: dict[Any, dict[Any, Any]] = second.map

    def entered(at: object, then: frozenset[object]) -> _Place:
        return at, then | {second.initial} if at is not None and at in first.finals else then

    def follow(state: _Place, key: Any) -> _Place | None:
        at, then = state
        nxt = None if at is None else map1.get(at, {}).get(to_first[key])
        later = frozenset(t for s in then if (t := map2.get(s, {}).get(to_second[key])) is not None)
        return None if nxt is None and not later else entered(nxt, later)

    return _crawl(alphabet, entered(first.initial, frozenset()),
                  lambda state: any(s in second.finals for s in state[1]), follow)


def _combined(fsms: list[FSM], alive: Callable[[tuple[object, ...]], bool],
              accepts: Callable[[list[bool]], bool]) -> FSM:
    """The product of ``fsms``. Only states that may still accept are kept:
    ``alive`` says so of a tuple of part states (``None`` for a part that has
    died)."""
    alphabet, to_old = Alphabet.union(*(f.alphabet for f in fsms))
    maps: list[dict[Any, dict[Any, Any]]] = [f.map for f in fsms]
    finals = [f.finals for f in fsms]
    olds: list[dict[Any, Any]] = list(to_old)

    def follow(state: tuple[object, ...], key: Any) -> tuple[object, ...] | None:
        nxt = tuple(None if s is None else maps[j].get(s, {}).get(olds[j][key]) for j, s in enumerate(state))
        return nxt if alive(nxt) else None

    start: tuple[object, ...] = tuple(f.initial for f in fsms)
    return _crawl(alphabet, start,
                  lambda state: accepts([s is not None and s in finals[j] for j, s in enumerate(state)]),
                  follow)


def _crawl(alphabet: Alphabet, start: S, accepting: Callable[[S], bool],
           follow: Callable[[S, Any], S | None]) -> FSM:
    """The automaton whose states are reached from ``start`` by ``follow`` (``None``:
    no state), numbered as met (interegular's own crawl looks each new state
    up in a list: seconds for a password rule's four lookaheads)."""
    keys = list(alphabet.by_transition)
    index = {start: 0}
    order = [start]
    table: dict[int, dict[object, int]] = {}
    finals: set[int] = set()
    for i, state in enumerate(order):  # (a growing list)
        if len(order) > MAX_PRODUCT_STATES:
            raise _TooLargeError
        if accepting(state):
            finals.add(i)
        row: dict[object, int] = {}
        for key in keys:
            nxt = follow(state, key)
            if nxt is None:
                continue
            k = index.get(nxt)
            if k is None:
                k = index[nxt] = len(order)
                order.append(nxt)
            row[key] = k
        table[i] = row
    return FSM(alphabet=alphabet, states=range(len(order)), initial=0, finals=finals, map=table,
               __no_validation__=True)


S = TypeVar("S", bound=Hashable)
#: a state of a concatenation: where the first automaton is, where the second may be
_Place = tuple[object, frozenset[object]]

#: the most states an automaton built for lookarounds may have
MAX_PRODUCT_STATES = 20_000

#: per operation of a :data:`Lang`: which tuples of part states may still accept, and
#: which accept (given whether each part does)
_COMBINE: dict[str, tuple[Callable[[tuple[object, ...]], bool], Callable[[list[bool]], bool]]] = {
    "or": (lambda states: any(s is not None for s in states), any),
    "and": (lambda states: all(s is not None for s in states), all),
    "minus": (lambda states: states[0] is not None, lambda finals: finals[0] and not any(finals[1:])),
}

"""Operations on interegular automata, built with a dict of the states met.

interegular's own product and concatenation look each new state up in a list
(seconds for a password rule's four lookaheads, minutes for a remainder
automaton of thousands of states); these number states as they are met.
Only states that may still accept are kept.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Any, TypeVar

from interegular.fsm import FSM, Alphabet

__all__ = ["TooManyStatesError", "combined", "concatenated", "ended", "started", "unmarked"]

S = TypeVar("S", bound=Hashable)
#: a state of a concatenation: where the first automaton is, where the second may be
_Place = tuple[object, frozenset[object]]
_NO_ROW: dict[Any, Any] = {}  # (the transitions of a part that has died: none)


class TooManyStatesError(Exception):
    """An automaton being built passed the number of states its caller allows."""


def combined(op: str, fsms: list[FSM], limit: int | None = None) -> FSM:
    """The product of ``fsms`` taking what all (``"and"``), any (``"or"``) or the
    first and none of the others (``"minus"``) take."""
    alive, accepts = _COMBINE[op]
    alphabet, to_old = Alphabet.union(*(f.alphabet for f in fsms))
    maps: list[dict[Any, dict[Any, Any]]] = [f.map for f in fsms]
    finals = [f.finals for f in fsms]
    # per key of the product, each part's own key
    keyed = [(key, tuple(old[key] for old in to_old)) for key in alphabet.by_transition]
    parts = range(len(fsms))

    def successors(state: tuple[object, ...]) -> Iterator[tuple[Any, tuple[object, ...]]]:
        rows = [_NO_ROW if s is None else maps[j].get(s, _NO_ROW) for j, s in enumerate(state)]
        if len(rows) == 2:  # (the common case, spelled out: a remainder automaton has thousands)
            first, second = rows
            for key, (one, two) in keyed:
                a, b = first.get(one), second.get(two)
                if (b is not None or op != "and") if a is not None else (b is not None and op == "or"):
                    yield key, (a, b)
            return
        for key, olds in keyed:
            nxt = tuple(rows[j].get(olds[j]) for j in parts)
            if alive(nxt):
                yield key, nxt

    start: tuple[object, ...] = tuple(f.initial for f in fsms)
    return _crawl(alphabet, start,
                  lambda state: accepts([s is not None and s in finals[j] for j, s in enumerate(state)]),
                  successors, limit)


def concatenated(first: FSM, second: FSM, limit: int | None = None) -> FSM:
    """``first`` then ``second``, determinised: a state is where ``first`` is (or
    ``None``) and the set of places ``second`` may be."""
    alphabet, (to_first, to_second) = Alphabet.union(first.alphabet, second.alphabet)
    map1: dict[Any, dict[Any, Any]] = first.map
    map2: dict[Any, dict[Any, Any]] = second.map

    def entered(at: object, then: frozenset[object]) -> _Place:
        return at, then | {second.initial} if at is not None and at in first.finals else then

    keys = list(alphabet.by_transition)

    def successors(state: _Place) -> Iterator[tuple[Any, _Place]]:
        at, then = state
        row = _NO_ROW if at is None else map1.get(at, _NO_ROW)
        rows = [map2.get(s, _NO_ROW) for s in then]
        for key in keys:
            nxt = row.get(to_first[key])
            old = to_second[key]
            later = frozenset(t for r in rows if (t := r.get(old)) is not None)
            if nxt is not None or later:
                yield key, entered(nxt, later)

    return _crawl(alphabet, entered(first.initial, frozenset()),
                  lambda state: any(s in second.finals for s in state[1]), successors, limit)


def _own_key(fsm: FSM, mark: str) -> Any:
    """The transition key of ``mark`` when it is a character of its own in ``fsm``'s
    alphabet, else ``None``."""
    key = fsm.alphabet[mark]
    return key if mark in fsm.alphabet and fsm.alphabet.by_transition.get(key) == [mark] else None


def ended(fsm: FSM, mark: str) -> FSM:
    """The texts without ``mark`` that ``fsm`` accepts followed by zero or more
    ``mark`` characters: a state accepts when the chain of ``mark`` steps from it
    meets an accepting one, and no transition reads ``mark`` any more (how a
    ``$`` inside a pattern, read as ``mark``, holds only where the text ends).
    A pattern that reads ``mark`` has it as a character of its own (nothing else
    is read only there); one trimmed of what did (``x($)*``) has none to read,
    and is returned as it is.
    """
    key = _own_key(fsm, mark)
    if key is None:
        return fsm
    finals = set()
    for state in fsm.states:
        seen = set()
        at: Any = state
        while at is not None and at not in seen:
            if at in fsm.finals:
                finals.add(state)
                break
            seen.add(at)
            at = fsm.map.get(at, _NO_ROW).get(key)
    return FSM(alphabet=fsm.alphabet, states=fsm.states, initial=fsm.initial, finals=finals,
               map=_without(fsm, key), __no_validation__=True)


def started(fsm: FSM, mark: str, limit: int | None = None) -> FSM:
    """The texts without ``mark`` that ``fsm`` accepts after zero or more ``mark``
    characters (how a ``^`` inside a pattern, read as ``mark``, holds only where
    the text starts): the union of the automaton started from each state of the
    chain of ``mark`` steps from its start, with no transition reading ``mark``.
    As for :func:`ended`, one without ``mark`` of its own is returned as it is."""
    key = _own_key(fsm, mark)
    if key is None:
        return fsm
    starts: list[Any] = []
    at: Any = fsm.initial
    while at is not None and at not in starts:
        starts.append(at)
        at = fsm.map.get(at, _NO_ROW).get(key)
    table = _without(fsm, key)
    copies = [FSM(alphabet=fsm.alphabet, states=fsm.states, initial=s, finals=fsm.finals, map=table,
                  __no_validation__=True) for s in starts]
    return copies[0] if len(copies) == 1 else combined("or", copies, limit)


def unmarked(fsm: FSM, start: str, end: str, limit: int | None = None) -> FSM:
    """The texts ``t`` without marks for which ``fsm`` accepts some ``start`` marks,
    ``t`` and some ``end`` marks (:func:`ended`, then :func:`started`) -- and the
    empty text also when it accepts the marks in any order: where the text is
    empty it starts and ends at once (``($^)`` finds a match in ``""``)."""
    out = started(ended(fsm, end), start, limit)
    keys = {k for k in (_own_key(fsm, start), _own_key(fsm, end)) if k is not None}
    if not keys or out.accepts(""):
        return out
    seen = {fsm.initial}
    todo = [fsm.initial]
    while todo:
        at = todo.pop()
        if at in fsm.finals:
            break
        for key in keys:
            nxt = fsm.map.get(at, _NO_ROW).get(key)
            if nxt is not None and nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    else:
        return out
    # a new start state, accepting, that goes on as the old one does
    new = max(out.states) + 1
    table: dict[Any, dict[Any, Any]] = dict(out.map)
    table[new] = dict(out.map.get(out.initial, _NO_ROW))
    return FSM(alphabet=out.alphabet, states=[*out.states, new], initial=new, finals={*out.finals, new},
               map=table, __no_validation__=True)


def _without(fsm: FSM, key: Any) -> dict[Any, dict[Any, Any]]:
    """``fsm``'s transitions but those on ``key``."""
    return {state: {k: nxt for k, nxt in row.items() if k != key} for state, row in fsm.map.items()}


def _crawl(alphabet: Alphabet, start: S, accepting: Callable[[S], bool],
           successors: Callable[[S], Iterable[tuple[Any, S]]], limit: int | None) -> FSM:
    """The automaton whose states are reached from ``start`` (``successors``: each
    key with the state it leads to), numbered as met."""
    index = {start: 0}
    order = [start]
    table: dict[int, dict[object, int]] = {}
    finals: set[int] = set()
    for i, state in enumerate(order):  # (a growing list)
        if limit is not None and len(order) > limit:
            raise TooManyStatesError
        if accepting(state):
            finals.add(i)
        row: dict[object, int] = {}
        for key, nxt in successors(state):
            k = index.get(nxt)
            if k is None:
                k = index[nxt] = len(order)
                order.append(nxt)
            row[key] = k
        table[i] = row
    return FSM(alphabet=alphabet, states=range(len(order)), initial=0, finals=finals, map=table,
               __no_validation__=True)


#: per operation: which tuples of part states may still accept, and which accept
#: (given whether each part does)
_COMBINE: dict[str, tuple[Callable[[tuple[object, ...]], bool], Callable[[list[bool]], bool]]] = {
    "or": (lambda states: any(s is not None for s in states), any),
    "and": (lambda states: all(s is not None for s in states), all),
    "minus": (lambda states: states[0] is not None, lambda finals: finals[0] and not any(finals[1:])),
}

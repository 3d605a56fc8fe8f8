"""Where a token leaves the shared head of a state (see :meth:`Parser.segment`).

A state that reads a value and then goes on in its container -- the position
after an object's colon, in whatever object, at whatever progress -- takes a
token either inside the value, which depends only on the value's grammar, or
across the value's end, which depends on the container too. The token layer
walks the value's grammar once, as a :class:`Probe`, and notes each trie node
where a token goes past the value's end (a :class:`Mark` state reached there).
The state's mask is then the probe's tokens plus, from each noted node, a
walk of the container's continuation: a few small subtrees instead of the
vocabulary, for every context that shares the value.

A noted node is kept as ``(trie, lo, hi, depth, prefix, chars, char, keep)``:
the trie entries ``lo:hi`` share ``prefix`` (``depth`` bytes, ``chars`` complete
characters of the entry), whose last character ``char`` is the first one the
value rejected where it could end; ``keep`` (a bool per token id, or ``None``)
says which of the tokens found there count, for walks whose answers are
filtered afterwards (:func:`filtered`).

Notes go to a per-thread list opened by :func:`noting` rather than one a mark
carries: a probe's walk goes through loop tables, chain plans and escape tries
that keep states between walks, so a state made by one probe may be met again
in another's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np

from ..combinators.base import Parser, TokenView
from ..combinators.charset import CharSet

if TYPE_CHECKING:
    from .trie import TokenTrie

__all__ = ["Exit", "Mark", "Probe", "filtered", "noting", "note", "replay"]

#: a trie node where tokens leave the head (see the module docstring)
Exit = tuple["TokenTrie", int, int, int, bytes, int, str, "np.ndarray | None"]

class _Notes(threading.local):
    """Per thread: the list walks note their marks to (``None`` outside
    :func:`noting`). The default is a class attribute: reading an attribute a
    thread never set raises inside ``getattr`` (with a formatted message), and
    walks read this one at every mark."""

    out: list[Exit] | None = None


_NOTES = _Notes()


class Mark(Parser):
    """Reached by a :class:`Probe` on the first character past its head's end: a
    walk that meets it notes where it is and goes no further."""

    __slots__ = ("char",)

    def __init__(self, char: str) -> None:
        self.char = char

    def advance(self, char: str) -> Parser | None:
        return None

    def allowed(self) -> CharSet:
        return CharSet.EMPTY

    def can_end(self) -> bool:
        return False

    def key(self) -> Hashable:
        return ("mark", self.char)


class Probe(Parser):
    """``head``, and where it could end, a :class:`Mark` for any character of
    ``exits`` it does not take (a container's continuation starts with one)."""

    __slots__ = ("exits", "head")

    def __init__(self, head: Parser, exits: CharSet) -> None:
        self.head = head
        self.exits = exits

    def advance(self, char: str) -> Parser | None:
        nxt = self.head.advance(char)
        if nxt is not None:
            return Probe(nxt, self.exits)
        if self.head.can_end() and char in self.exits:
            return Mark(char)
        return None

    def allowed(self) -> CharSet:
        out = self.head.allowed()
        return out | self.exits if self.head.can_end() else out

    def can_end(self) -> bool:
        return self.head.can_end()

    def key(self) -> Hashable:
        return ("probe", self.head.key(), self.exits)

    def mask_key(self, horizon: int) -> Hashable:
        return ("probe", self.head.mask_key(horizon), self.exits)

    def token_key(self, view: TokenView) -> Hashable | None:
        # no token gets past the head's end: no mark is ever reached
        return self.head.token_key(view)

    def loop(self) -> CharSet:
        return self.head.loop()

    def loop_limit(self) -> int | None:
        return self.head.loop_limit()

    def segment(self) -> tuple[Parser, Parser, CharSet] | None:
        # the head's own shared head, then its continuation still probed: a key's
        # closing quote in a nested object reads the colon's shared walk too
        got = self.head.segment()
        if got is None:
            return None
        head, after, exits = got
        return head, Probe(after, self.exits), exits

    def fixed_texts(self) -> tuple[tuple[str, ...], Callable[[int], Parser]] | None:
        got = self.head.fixed_texts()
        if got is None:
            return None
        texts, then = got
        exits = self.exits
        return texts, lambda k: Probe(then(k), exits)

    def stand_in(self) -> tuple[Parser, tuple[str, ...]] | None:
        # the head's promise holds through the probe: where the head and its stand-in
        # agree, they end (and mark) alike
        got = self.head.stand_in()
        return None if got is None else (Probe(got[0], self.exits), got[1])

    def step_class(self, char: str) -> CharSet:
        if not self.head.can_end():
            return self.head.step_class(char)
        if char not in self.head.allowed():
            return CharSet.of(char)  # each character past the end marks its own node
        return self.head.step_class(char) & self.head.allowed()


class noting:  # noqa: N801 - used as a function: ``with noting() as noted``
    """Collects the nodes where walks in this thread meet a :class:`Mark`.

    (A class rather than a generator-based context manager: one is opened for
    every segment head a cold pass meets, and ``contextlib``'s costs three
    objects and as many calls more each time.)"""

    __slots__ = ("out", "saved")

    def __enter__(self) -> list[Exit]:
        self.saved: list[Exit] | None = _NOTES.out
        self.out: list[Exit] = []
        _NOTES.out = self.out
        return self.out

    def __exit__(self, *exc: object) -> None:
        _NOTES.out = self.saved


@contextmanager
def filtered(keep: np.ndarray) -> Iterator[None]:
    """For a walk whose found ids are then kept only where ``keep`` is true: the
    nodes it notes carry the same filter (a no-op outside :func:`noting`)."""
    outer = _NOTES.out
    if outer is None:
        yield
        return
    with noting() as inner:
        yield
    for trie, lo, hi, depth, prefix, chars, char, old in inner:
        outer.append((trie, lo, hi, depth, prefix, chars, char, keep if old is None else keep & old))


def replay(notes: tuple[Exit, ...]) -> None:
    """Notes again the nodes a kept walk noted when it was made (a walk answered
    from a memo meets its marks only this way)."""
    if not notes:
        return
    out = _NOTES.out
    if out is None:
        raise RuntimeError("a segment probe was walked outside noting()")
    out.extend(notes)


def note(trie: TokenTrie, lo: int, hi: int, depth: int, prefix: bytes, chars: int, mark: Any) -> None:
    """Called by a walk that reached ``mark`` at a node (outside :func:`noting`, a
    mark is never reached: only probes make them)."""
    out = _NOTES.out
    if out is None:
        raise RuntimeError("a segment probe was walked outside noting()")
    out.append((trie, lo, hi, depth, prefix, chars, mark.char, None))

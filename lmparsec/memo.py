"""Bounded memo tables: the one way the library keeps derived values.

A memo here is a plain ``dict`` read without a lock (a lookup is atomic); when
it is full it is emptied rather than evicted entry by entry, which keeps the
insert cheap and the table's size bounded. What is dropped is only recomputed.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar
from weakref import WeakKeyDictionary, ref

__all__ = ["ViewMemos", "per_view", "remember", "weak_memo"]

K = TypeVar("K")
V = TypeVar("V")


def remember(memo: dict[K, V], key: K, value: V, limit: int) -> V:
    """Stores ``value`` under ``key`` (emptying ``memo`` first when it holds
    ``limit`` entries) and returns it."""
    if len(memo) >= limit:
        memo.clear()
    memo[key] = value
    return value


_LOCK = threading.Lock()


def weak_memo(table: WeakKeyDictionary[Any, dict[K, V]], owner: object) -> dict[K, V]:
    """The memo ``table`` keeps for ``owner`` weakly (gone with it): what holds
    for a vocabulary's view is kept so without keeping the view alive. An owner
    that takes no weak reference gets a fresh memo each time (nothing kept)."""
    try:
        memo = table.get(owner)
        if memo is None:
            with _LOCK:
                memo = table.setdefault(owner, {})
    except TypeError:
        memo = {}
    return memo


class ViewMemos:
    """Memos kept per owner weakly (a vocabulary's view, see :func:`weak_memo`),
    the last owner's at hand: states ask at every step, nearly always of the
    one vocabulary a process serves, and a weak table's look-up costs a new
    weak reference each time. (The last memo is held until another owner asks:
    one bounded memo at most outlives its owner.)"""

    __slots__ = ("_last", "_table")

    def __init__(self) -> None:
        self._table: WeakKeyDictionary[Any, dict[Any, Any]] = WeakKeyDictionary()
        self._last: tuple[Callable[[], object], dict[Any, Any]] | None = None

    def of(self, owner: object) -> dict[Any, Any]:
        last = self._last
        if last is not None and last[0]() is owner:
            return last[1]
        memo = weak_memo(self._table, owner)
        with contextlib.suppress(TypeError):  # (an owner that takes no weak reference: not kept)
            self._last = (ref(owner), memo)
        return memo


_PER_VIEW = ViewMemos()


def per_view(view: object) -> dict[Hashable, Any]:
    """The memo of what states key by on a vocabulary's view (a
    :class:`~lmparsec.combinators.base.TokenView`) that holds for every grammar
    alike."""
    return _PER_VIEW.of(view)

"""Bounded memo tables: the one way the library keeps derived values.

A memo here is a plain ``dict`` read without a lock (a lookup is atomic); when
it is full it is emptied rather than evicted entry by entry, which keeps the
insert cheap and the table's size bounded. What is dropped is only recomputed.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import TypeVar
from weakref import WeakKeyDictionary

__all__ = ["per_view", "remember"]

K = TypeVar("K")
V = TypeVar("V")


def remember(memo: dict[K, V], key: K, value: V, limit: int) -> V:
    """Stores ``value`` under ``key`` (emptying ``memo`` first when it holds
    ``limit`` entries) and returns it."""
    if len(memo) >= limit:
        memo.clear()
    memo[key] = value
    return value


_PER_VIEW: WeakKeyDictionary[object, dict[Hashable, object]] = WeakKeyDictionary()
_PER_VIEW_LOCK = threading.Lock()


def per_view(view: object) -> dict[Hashable, object]:
    """The memo of what states key by on a vocabulary's view (a
    :class:`~lmparsec.combinators.base.TokenView`) that holds for every grammar
    alike, kept weakly: gone with the view."""
    memo = _PER_VIEW.get(view)
    if memo is None:
        with _PER_VIEW_LOCK:
            memo = _PER_VIEW.setdefault(view, {})
    return memo

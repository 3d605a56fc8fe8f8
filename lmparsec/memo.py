"""Bounded memo tables: the one way the library keeps derived values.

A memo here is a plain ``dict`` read without a lock (a lookup is atomic); when
it is full it is emptied rather than evicted entry by entry, which keeps the
insert cheap and the table's size bounded. What is dropped is only recomputed.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

__all__ = ["per_view", "remember", "weak_memo"]

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


_PER_VIEW: WeakKeyDictionary[Any, dict[Hashable, Any]] = WeakKeyDictionary()


def per_view(view: object) -> dict[Hashable, Any]:
    """The memo of what states key by on a vocabulary's view (a
    :class:`~lmparsec.combinators.base.TokenView`) that holds for every grammar
    alike."""
    return weak_memo(_PER_VIEW, view)

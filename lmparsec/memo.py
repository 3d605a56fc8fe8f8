"""Bounded memo tables: the one way the library keeps derived values.

A memo here is a plain ``dict`` read without a lock (a lookup is atomic); when
it is full it is emptied rather than evicted entry by entry, which keeps the
insert cheap and the table's size bounded. What is dropped is only recomputed.
"""

from __future__ import annotations

from typing import TypeVar

__all__ = ["remember"]

K = TypeVar("K")
V = TypeVar("V")


def remember(memo: dict[K, V], key: K, value: V, limit: int) -> V:
    """Stores ``value`` under ``key`` (emptying ``memo`` first when it holds
    ``limit`` entries) and returns it."""
    if len(memo) >= limit:
        memo.clear()
    memo[key] = value
    return value

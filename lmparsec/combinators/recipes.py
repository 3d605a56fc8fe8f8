"""Compositions users reach for, built only from the other combinators."""

from __future__ import annotations

from .base import Parser
from .literal import Literal
from .sequence import Sequence
from .text import until, without
from .union import Union

__all__ = ["fenced"]


def fenced(inner: Parser, *, lang: str = "json", fence: str = "```", required: bool = True) -> Parser:
    """Free reasoning, then a fenced block ``fence + lang + newline``, a text of
    ``inner``, and ``newline + fence``.

    The first ``fence`` the model opens *is* the block: the language tag after it
    is forced, so a small model that writes a bare ```` ``` ```` (or
    ```` ```python ````) still lands in the enforced block. With
    ``required=False`` the model may also finish without any fence; the free
    text of that alternative never contains ``fence``, so once a fence opens,
    ``inner`` is enforced (a plain ``FreeText`` alternative would accept
    anything and enforce nothing).
    """
    head = fence + (lang + "\n" if lang else "\n")
    block = Sequence(until(fence), Literal(head[len(fence) :]), inner, Literal("\n" + fence))
    return block if required else Union(block, without(fence))

"""Compositions users reach for, built only from the other combinators."""

from __future__ import annotations

from .base import Parser
from .literal import Literal
from .sequence import Sequence
from .text import until, without
from .union import Union

__all__ = ["fenced"]


def fenced(inner: Parser, *, open: str = "```json\n", close: str = "\n```", required: bool = True) -> Parser:
    """Free reasoning, then ``open``, a text of ``inner``, and ``close``.

    With ``required=False`` the model may also finish without the block; the
    free text of that alternative never contains ``open``, so once the fence
    opens, ``inner`` is enforced (a plain ``FreeText`` alternative would accept
    anything and enforce nothing).
    """
    block = Sequence(until(open), inner, Literal(close))
    return block if required else Union(block, without(open))

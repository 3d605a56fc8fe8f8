"""JSON Schema ``pattern`` (ECMA-262, unanchored) as parsers of decoded strings."""

from __future__ import annotations

import re
from functools import lru_cache

from ..regex import Regex, RegexState
from .ecma import search_pattern

__all__ = ["pattern_parser", "pattern_matches"]


@lru_cache(maxsize=4096)
def pattern_parser(pattern: str, pointer: str = "") -> RegexState:
    """The full-match parser of strings in which ``pattern`` finds a match.

    Raises RegexError/UnsupportedSchemaError for syntax no DFA can express.
    """
    return Regex(search_pattern(pattern, pointer=pointer))


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

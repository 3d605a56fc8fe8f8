"""JSON Schema ``pattern`` (ECMA-262, unanchored) as parsers of decoded strings."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from interegular.fsm import FSM

from ...errors import UnsupportedSchemaError
from ..automata import TooManyStatesError, combined, concatenated, unmarked
from ..regex import Regex, RegexState, pattern_fsm, regex_from_fsm
from .ecma import END_MARK, START_MARK, Lang, search_pattern
from .prebuilt import is_prebuilt, prebuilt_automaton

__all__ = ["counted_parser", "lang_parser", "pattern_parser", "pattern_matches"]


@lru_cache(maxsize=4096)
def pattern_parser(pattern: str, pointer: str = "") -> RegexState:
    """The full-match parser of strings in which ``pattern`` finds a match.

    Raises RegexError/UnsupportedSchemaError for syntax no DFA can express.
    """
    lang = search_pattern(pattern, pointer=pointer)
    try:
        return lang_parser(lang, pattern)
    except TooManyStatesError:
        raise UnsupportedSchemaError(
            f"{pattern!r} needs an automaton of more than {MAX_PRODUCT_STATES} states (for its lookarounds"
            " or its anchors inside groups)",
            keyword="pattern", pointer=pointer) from None


def lang_parser(lang: Lang, description: str) -> RegexState:
    """The full-match parser of a language: one pattern, or one built from several
    automata. Raises :class:`TooManyStatesError` past :data:`MAX_PRODUCT_STATES`."""
    if isinstance(lang, str) and not is_prebuilt(lang):
        return Regex(lang)
    return _composed(lang, description)


@lru_cache(maxsize=256)
def _composed(lang: Lang, description: str) -> RegexState:
    """The parser of a language built from several automata, or shipped built, kept
    by the language (a password rule's lookarounds, ~0.1 s, are made once however
    many places use them)."""
    blocks: Any = ()
    if isinstance(lang, tuple) and lang[0] == "blocks":
        _, blocks, lang = lang
    return regex_from_fsm(_automaton(lang), description, blocks, minimal=is_prebuilt(lang))


def counted_parser(langs: list[Lang], least: int, most: int, description: str) -> RegexState | None:
    """The texts of ``least`` to ``most`` characters in every language of ``langs``,
    as one automaton; ``None`` where it could pass ``_COUNTED_STATES`` states (the
    largest part's times the count) -- a 64-character e-mail address took 0.7 s."""
    fsms = [_automaton(lang) for lang in langs]
    if max(len(f.states) for f in fsms) * (most + 1) > _COUNTED_STATES:
        return None
    try:
        both = combined("and", [*fsms, _fsm(f"[^]{{{least},{most}}}")], _COUNTED_STATES)
    except TooManyStatesError:
        return None
    return regex_from_fsm(both, description)


#: the most states :func:`counted_parser` builds
_COUNTED_STATES = 4000


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


@lru_cache(maxsize=256)
def _automaton(lang: Lang) -> FSM:
    """The automaton of a language built from patterns (see :data:`Lang`), kept by
    the language (the operations copy automata, never change them): shipped
    built for the formats (see :mod:`.prebuilt`), else built here."""
    got = prebuilt_automaton(lang)
    return got if got is not None else built_automaton(lang)


def built_automaton(lang: Lang, *, fresh: bool = False) -> FSM:
    """The automaton of ``lang`` built from its patterns; ``fresh``: its parts too,
    none taken from the shipped file or the caches (to write that file)."""
    if isinstance(lang, str):
        return pattern_fsm(lang) if fresh else _fsm(lang)
    op, *parts = lang
    assert isinstance(op, str)
    fsms = [built_automaton(part, fresh=True) if fresh else _automaton(part) for part in parts]
    if op == "marked":
        return unmarked(fsms[0], START_MARK, END_MARK, MAX_PRODUCT_STATES)
    if op != "cat":
        return combined(op, fsms, MAX_PRODUCT_STATES)
    # (a concatenation is a subset construction: from unminimised parts -- a
    # lookbehind's products, ``[^]*`` prefixes -- its subsets ran past the state
    # cap for ``(?<=a)(?<=a)(?=|a)[ab]a*(?=a[ab]|[ab]a)``, minimised 16 states)
    out = fsms[0]
    for fsm in fsms[1:]:
        out = concatenated(_reduced(out), _reduced(fsm), MAX_PRODUCT_STATES)
    return out


def _reduced(fsm: FSM) -> FSM:
    """The minimal automaton of ``fsm`` (Brzozowski's double reversal, ~30 ms for the
    IPv6 address's 676 states, which become 151), for automata of up to
    ``_REDUCE_MAX`` states."""
    return fsm.reduce() if len(fsm.states) <= _REDUCE_MAX else fsm  # type: ignore[no-untyped-call]


_REDUCE_MAX = 5000


@lru_cache(maxsize=64)
def _fsm(pattern: str) -> FSM:
    """A part's automaton, kept: the IPv6 address of the URI and e-mail formats
    (~0.1 s to build) is a part of six of them. (The operations copy, never change it.)"""
    return pattern_fsm(pattern)


#: the most states an automaton built for lookarounds may have
MAX_PRODUCT_STATES = 20_000

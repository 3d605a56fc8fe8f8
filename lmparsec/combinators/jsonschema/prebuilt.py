"""The ``format`` automata, shipped built.

interegular takes 0.1-0.25 s for each URI, IRI and e-mail format (1.3 s for
all of them), which a process paid in the first compile of a schema naming
them: a schema with ``email`` and ``uri`` took 0.35 s to compile once and
0.3 ms after. ``prebuilt_formats.json`` holds every format's minimal
automaton (100 KB, ~2 ms to read, on the first language asked for), so each
is ready in about a millisecond.

Each entry is keyed by a digest of the language it was built from (the
pattern text, or the tree of patterns, see :data:`~.ecma.Lang`): a language
changed since the file was written is not found and is built as before
(the tests check the file is current). Regenerate it with
``python -c "from lmparsec.combinators.jsonschema.prebuilt import write_prebuilt; write_prebuilt()"``.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from interegular.fsm import FSM, Alphabet, anything_else

from .ecma import Lang

__all__ = ["PREBUILT_PATH", "is_prebuilt", "lang_digest", "prebuilt_automaton", "write_prebuilt"]

#: the shipped automata, next to this module
PREBUILT_PATH = Path(__file__).with_name("prebuilt_formats.json")
_VERSION = 1


@lru_cache(maxsize=1024)
def lang_digest(lang: Lang) -> str:
    """The key of a language in the file: its ``repr`` is its whole text (patterns
    and operations), the same in every Python version. (Kept: a compile asks for a
    pattern's twice or three times -- whether it is shipped, then its automaton.)"""
    return hashlib.sha256(repr(lang).encode("utf-8")).hexdigest()[:24]


def prebuilt_automaton(lang: Lang) -> FSM | None:
    """The shipped automaton of ``lang``, or ``None`` when the file has none for it
    (every language but the formats', or a format changed since it was written)."""
    entry = _entries().get(lang_digest(lang))
    return None if entry is None else _fsm_of(entry)


def is_prebuilt(lang: Lang) -> bool:
    """Whether the file holds ``lang``'s automaton."""
    return lang_digest(lang) in _entries()


@lru_cache(maxsize=1)
def _entries() -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(PREBUILT_PATH.read_text(encoding="ascii"))
    except (OSError, ValueError):
        return {}  # (a missing or damaged file only costs the build)
    if data.get("version") != _VERSION:
        return {}
    automata: dict[str, dict[str, Any]] = data["automata"]
    return automata


def _fsm_of(entry: dict[str, Any]) -> FSM:
    """An interegular automaton from an entry: symbol ``i`` takes the characters of
    ``symbols[i]`` (and every other character where ``i`` is ``else``); state
    ``s``'s row lists symbol, target pairs; state 0 is the initial one."""
    mapping: dict[Any, Any] = {char: i for i, chars in enumerate(entry["symbols"]) for char in chars}
    if entry["else"] is not None:
        mapping[anything_else] = entry["else"]
    rows = entry["map"]
    table = {s: dict(zip(row[::2], row[1::2], strict=True)) for s, row in enumerate(rows)}
    return FSM(alphabet=Alphabet(mapping), states=range(len(rows)), initial=0,
               finals=set(entry["finals"]), map=table)


def entry_of(fsm: FSM, name: str) -> dict[str, Any]:
    """The file's entry for ``fsm``: its minimal automaton (the states of a parser
    built from it, numbered from the start), the symbols ordered by their
    characters so the same automaton always writes the same entry."""
    from ..regex import _Dfa

    dfa = _Dfa(fsm, name)
    chars_of: dict[Any, list[Any]] = {}
    for char, sym in fsm.alphabet._symbol_mapping.items():
        chars_of.setdefault(sym, []).append(char)

    def plain(sym: Any) -> str:
        return "".join(sorted(c for c in chars_of[sym] if c is not anything_else))

    order = sorted(chars_of, key=lambda sym: (anything_else in chars_of[sym], plain(sym)))
    number = {sym: i for i, sym in enumerate(order)}
    rest = [number[sym] for sym in order if anything_else in chars_of[sym]]
    rows = [[x for sym, nxt in sorted(row.items(), key=lambda kv: number[kv[0]]) for x in (number[sym], nxt)]
            for row in dfa.trans]
    return {"format": name, "symbols": [plain(sym) for sym in order], "else": rest[0] if rest else None,
            "finals": [s for s, final in enumerate(dfa.finals) if final], "map": rows}


def write_prebuilt(path: Path = PREBUILT_PATH) -> None:
    """Build every format's automaton anew (not from the file) and write the file."""
    from .formats import KNOWN_FORMATS, format_pattern
    from .patterns import built_automaton

    automata: dict[str, dict[str, Any]] = {}
    for name in sorted(KNOWN_FORMATS):
        lang = format_pattern(name)
        assert lang is not None
        automata[lang_digest(lang)] = entry_of(built_automaton(lang, fresh=True), name)
    text = json.dumps({"version": _VERSION, "automata": automata}, separators=(",", ":"), ensure_ascii=True)
    path.write_text(text + "\n", encoding="ascii")
    _entries.cache_clear()

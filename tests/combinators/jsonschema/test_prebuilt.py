"""The shipped format automata: current, and the same automata a fresh build makes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from interegular.fsm import FSM

from lmparsec.combinators.jsonschema import prebuilt
from lmparsec.combinators.jsonschema.formats import KNOWN_FORMATS, format_parser, format_pattern
from lmparsec.combinators.jsonschema.patterns import built_automaton, lang_parser
from lmparsec.combinators.regex import _Dfa

FORMATS = sorted(KNOWN_FORMATS)


@pytest.fixture(scope="module")
def fresh() -> dict[str, FSM]:
    """Every format's automaton built from its patterns, nothing taken from the file."""
    out = {}
    for name in FORMATS:
        lang = format_pattern(name)
        assert lang is not None
        out[name] = built_automaton(lang, fresh=True)
    return out


def test_the_file_is_current(tmp_path: Path) -> None:
    """Writing the file anew gives the shipped bytes: no format changed since it
    was written (else: regenerate it, see the module's docstring)."""
    path = tmp_path / "formats.json"
    prebuilt.write_prebuilt(path)
    assert path.read_bytes() == prebuilt.PREBUILT_PATH.read_bytes()


@pytest.mark.parametrize("name", FORMATS)
def test_every_format_is_shipped(name: str) -> None:
    lang = format_pattern(name)
    assert lang is not None
    assert prebuilt.is_prebuilt(lang)
    assert prebuilt.prebuilt_automaton(lang) is not None


@pytest.mark.parametrize("name", FORMATS)
def test_shipped_automaton_is_the_built_one(name: str, fresh: dict[str, FSM]) -> None:
    """The shipped automaton, read without minimising, has the structure (states,
    classes of characters, transitions, finals) of the fresh build minimised."""
    lang = format_pattern(name)
    assert lang is not None
    shipped = prebuilt.prebuilt_automaton(lang)
    assert shipped is not None
    assert _Dfa(shipped, name, minimal=True).structure == _Dfa(fresh[name], name).structure


@pytest.mark.parametrize("name", ["email", "uri-reference", "date-time", "ipv6"])
def test_format_parsers_come_from_the_file(name: str, fresh: dict[str, FSM]) -> None:
    """The parser a schema gets is the shipped automaton's, and takes what the fresh one takes."""
    parser = format_parser(name)
    assert parser is not None
    assert parser.key()[0] == _Dfa(fresh[name], name).gid
    lang = format_pattern(name)
    assert lang is not None
    assert lang_parser(lang, "again") is not None


def test_other_languages_are_built() -> None:
    assert not prebuilt.is_prebuilt("[a-z]+")
    assert prebuilt.prebuilt_automaton(("cat", "[a-z]+", "@")) is None


def test_missing_or_stale_file_falls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No file, a damaged one or one of another version: nothing is prebuilt, nothing fails."""
    lang = format_pattern("email")
    assert lang is not None
    for content in (None, "{not json", json.dumps({"version": -1, "automata": {}})):
        path = tmp_path / "formats.json"
        if content is None:
            path.unlink(missing_ok=True)
        else:
            path.write_text(content, encoding="ascii")
        monkeypatch.setattr(prebuilt, "PREBUILT_PATH", path)
        prebuilt._entries.cache_clear()
        try:
            assert not prebuilt.is_prebuilt(lang)
        finally:
            prebuilt._entries.cache_clear()
    monkeypatch.undo()
    assert prebuilt.is_prebuilt(lang)

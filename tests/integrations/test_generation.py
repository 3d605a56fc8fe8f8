"""lmparsec's own generation loop (``generate`` / ``generate_json``) on a tiny random model.

A randomly initialised 2-layer Llama over the mistral-7b tokenizer prefers
arbitrary tokens (long strings of unrelated pieces, ``\\u`` escapes in keys):
whatever it prefers, the output must validate, within the token budget, down
to the tightest budget the loop accepts. ``jsonschema`` is the independent
judge of validity.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
jsonschema = pytest.importorskip("jsonschema")

from conftest import hf_tokenizer  # noqa: E402
from tiny_model import tiny_llama  # noqa: E402

from lmparsec.combinators import Literal, Regex, Sequence  # noqa: E402
from lmparsec.combinators.base import Parser  # noqa: E402
from lmparsec.combinators.jsonschema import JsonSchema  # noqa: E402
from lmparsec.errors import BudgetError, GrammarError, LmparsecError  # noqa: E402
from lmparsec.integrations.generation import GenerationResult, generate, prompt_ids  # noqa: E402
from lmparsec.integrations.json_mode import generate_json  # noqa: E402
from lmparsec.integrations.tokenize import vocabulary_for  # noqa: E402

CAR = json.loads((Path(__file__).parents[2] / "benchmarks" / "data" / "seeds" / "car.json").read_text(
    encoding="utf-8"))["schema"]
PERSON = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "maxLength": 12},
        "age": {"type": "integer", "minimum": 0, "maximum": 150},
        "email": {"type": ["string", "null"]},
    },
    "required": ["name", "age"],
}
INTS = {"type": "array", "items": {"type": "integer"}, "minItems": 3, "maxItems": 6}
ENUM_CONST = {
    "type": "object",
    "properties": {
        "status": {"enum": ["ok", "error", "pending"]},
        "version": {"const": 2},
        "kind": {"const": "report"},
    },
    "required": ["status", "version", "kind"],
}
SMALL_SCHEMAS = {"person": PERSON, "ints": INTS, "enum-const": ENUM_CONST}
PROMPT = "Describe it as JSON."


@pytest.fixture(scope="module")
def lm() -> Iterator[tuple[Any, Any]]:
    """The tiny model and the mistral-7b tokenizer (no chat template), built once.

    One torch thread: on the shared 2-core machines a second thread under load
    makes each tiny forward pass slower, not faster.
    """
    tokenizer = hf_tokenizer("mistral-7b")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield tiny_llama(len(tokenizer)), tokenizer
    finally:
        torch.set_num_threads(threads)


def check_valid(result: GenerationResult, schema: dict[str, Any], tokenizer: Any, budget: int) -> Any:
    """The result is complete, within budget, spelled by its tokens, and validates."""
    assert result.completed, result.text
    assert len(result.token_ids) <= budget
    assert vocabulary_for(tokenizer).decode(result.token_ids) == result.text.encode("utf-8")
    value = json.loads(result.text)
    jsonschema.validate(value, schema)
    return value


def check_metrics(result: GenerationResult) -> None:
    m = result.metrics
    assert 0 <= m.prefill_s <= m.ttft_s <= m.total_s
    assert m.tpot_s >= 0
    assert m.output_tokens == len(result.token_ids)
    assert m.forced_tokens + m.sampled_tokens == m.output_tokens
    assert m.forward_passes >= 1
    assert m.prompt_tokens >= 1
    assert set(m.as_dict()) >= {"prefill_s", "ttft_s", "tpot_s", "total_s", "forward_passes"}
    assert "TTFT" in m.summary()


def tightest_budget(lm: tuple[Any, Any], parser: Parser) -> int:
    """The smallest ``max_new_tokens`` that ``generate`` does not refuse (refusals are free:
    the budget is checked before the prompt reaches the model)."""
    model, tokenizer = lm
    for budget in range(1, 400):
        try:
            generate(model, tokenizer, PROMPT, parser, max_new_tokens=budget, temperature=1.0, seed=0)
        except BudgetError:
            continue
        return budget
    raise AssertionError("no budget under 400 tokens was accepted")


# --- validity under sampling and budgets ---------------------------------------------


@pytest.mark.parametrize("name", list(SMALL_SCHEMAS))
def test_sampled_output_always_validates(lm: tuple[Any, Any], name: str) -> None:
    model, tokenizer = lm
    schema = SMALL_SCHEMAS[name]
    parser = JsonSchema(schema)
    tight = tightest_budget(lm, parser)
    for seed, budget in enumerate([tight, tight + 1, tight + 4, tight + 10, 36]):
        result = generate(model, tokenizer, PROMPT, parser, max_new_tokens=budget, temperature=1.0, seed=seed)
        check_valid(result, schema, tokenizer, budget)
        check_metrics(result)


@pytest.mark.parametrize("name", list(SMALL_SCHEMAS))
def test_tightest_budget_fits_and_one_less_is_refused(lm: tuple[Any, Any], name: str) -> None:
    model, tokenizer = lm
    schema = SMALL_SCHEMAS[name]
    parser = JsonSchema(schema)
    tight = tightest_budget(lm, parser)
    for seed in (1, 2):
        result = generate(model, tokenizer, PROMPT, parser, max_new_tokens=tight, temperature=1.0, seed=seed)
        check_valid(result, schema, tokenizer, tight)
    with pytest.raises(BudgetError, match="too small"):
        generate(model, tokenizer, PROMPT, parser, max_new_tokens=tight - 1, temperature=1.0, seed=0)


def test_nested_car_schema_validates_at_tight_and_loose_budgets(lm: tuple[Any, Any]) -> None:
    model, tokenizer = lm
    parser = JsonSchema(CAR)
    tight = tightest_budget(lm, parser)
    with pytest.raises(BudgetError):
        generate(model, tokenizer, PROMPT, parser, max_new_tokens=tight - 1)
    for seed, budget in [(0, tight), (1, tight + 12)]:
        result = generate(model, tokenizer, PROMPT, parser, max_new_tokens=budget, temperature=1.0, seed=seed)
        value = check_valid(result, CAR, tokenizer, budget)
        assert list(value) == list(CAR["properties"])  # key_order="schema"
        check_metrics(result)


def test_greedy_is_deterministic_and_seeds_differ(lm: tuple[Any, Any]) -> None:
    model, tokenizer = lm
    parser = JsonSchema(PERSON)
    a = generate(model, tokenizer, PROMPT, parser, max_new_tokens=16)
    b = generate(model, tokenizer, PROMPT, parser, max_new_tokens=16)
    assert a.token_ids == b.token_ids
    sampled = {generate(model, tokenizer, PROMPT, parser, max_new_tokens=16, temperature=1.0,
                        seed=seed).token_ids for seed in range(3)}
    assert len(sampled) > 1
    again = generate(model, tokenizer, PROMPT, parser, max_new_tokens=16, temperature=1.0, seed=2)
    assert again.token_ids in sampled


def test_top_p_output_validates(lm: tuple[Any, Any]) -> None:
    model, tokenizer = lm
    result = generate(model, tokenizer, PROMPT, JsonSchema(ENUM_CONST), max_new_tokens=24,
                      temperature=0.8, top_p=0.5, seed=3)
    check_valid(result, ENUM_CONST, tokenizer, 24)


# --- fast-forward --------------------------------------------------------------------


def forced_keys_format() -> Parser:
    """Keys and punctuation fixed, values free: most of the output is forced."""
    return Sequence(
        Literal('{"first_name": "'), Regex("[A-Za-z]{1,8}"),
        Literal('", "last_name": "'), Regex("[A-Za-z]{1,8}"),
        Literal('", "age": '), Regex("[0-9]{1,2}"), Literal("}"),
    )


@pytest.mark.parametrize("fmt", ["forced-keys", "json-compact"])
def test_fast_forward_matches_stepwise_forced_decoding(lm: tuple[Any, Any], fmt: str) -> None:
    model, tokenizer = lm
    parser = forced_keys_format() if fmt == "forced-keys" else JsonSchema(PERSON, whitespace="compact")
    fast = generate(model, tokenizer, PROMPT, parser, max_new_tokens=60)
    slow = generate(model, tokenizer, PROMPT, parser, max_new_tokens=60, _stepwise_forced=True)
    assert fast.text == slow.text
    assert fast.token_ids == slow.token_ids
    assert fast.metrics.forced_tokens == slow.metrics.forced_tokens
    assert parser.accepts(fast.text)
    check_metrics(fast)
    check_metrics(slow)
    if fmt == "forced-keys":
        assert fast.metrics.forced_tokens > 0
        assert fast.metrics.forward_passes < fast.metrics.output_tokens
        assert slow.metrics.forward_passes > fast.metrics.forward_passes
    # one pass per token: the prefill yields the first, and the last token is never fed
    assert slow.metrics.forward_passes == slow.metrics.output_tokens


def test_fast_forward_off_samples_every_token(lm: tuple[Any, Any]) -> None:
    model, tokenizer = lm
    result = generate(model, tokenizer, PROMPT, forced_keys_format(), max_new_tokens=60, fast_forward=False)
    assert forced_keys_format().accepts(result.text)
    assert result.metrics.forced_tokens == 0
    assert result.metrics.sampled_tokens == result.metrics.output_tokens
    assert result.metrics.forward_passes == result.metrics.output_tokens
    check_metrics(result)


# --- prompts and chat templates ---------------------------------------------------------

CHAT_TEMPLATE = (
    "{% for m in messages %}[{{ m['role'] }}] {{ m['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}[assistant] {% endif %}"
)


@pytest.fixture(scope="module")
def chat_tokenizer(lm: tuple[Any, Any]) -> Any:
    tokenizer = copy.deepcopy(lm[1])
    tokenizer.chat_template = CHAT_TEMPLATE
    return tokenizer


def test_chat_messages_go_through_the_template(lm: tuple[Any, Any], chat_tokenizer: Any) -> None:
    model, plain = lm
    vocab = vocabulary_for(plain)
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Age?"}]
    rendered = "[system] Be brief.\n[user] Age?\n[assistant] "
    expected = chat_tokenizer.encode(rendered, add_special_tokens=False)
    assert prompt_ids(chat_tokenizer, messages) == expected
    # a string prompt is a user message when there is a template, plain text with chat=False
    assert prompt_ids(chat_tokenizer, "Age?") == chat_tokenizer.encode("[user] Age?\n[assistant] ",
                                                                     add_special_tokens=False)
    assert prompt_ids(chat_tokenizer, "Age?", chat=False) == plain.encode("Age?")
    result = generate(model, chat_tokenizer, messages, JsonSchema(ENUM_CONST), max_new_tokens=20,
                      vocabulary=vocab)
    check_valid(result, ENUM_CONST, chat_tokenizer, 20)
    assert result.metrics.prompt_tokens == len(expected)


def test_chat_messages_without_a_template_are_refused(lm: tuple[Any, Any]) -> None:
    model, tokenizer = lm
    with pytest.raises(GrammarError, match="no chat template"):
        generate(model, tokenizer, [{"role": "user", "content": "hi"}], JsonSchema(INTS), max_new_tokens=20)
    with pytest.raises(GrammarError, match="message 0"):
        generate(model, tokenizer, [{"content": "no role"}], JsonSchema(INTS), max_new_tokens=20)


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"prompt": 42}, "prompt must be"),
        ({"format": {"type": "object"}}, "format must be an lmparsec Parser"),
        ({"format": "[a-z]+"}, "format must be an lmparsec Parser"),
        ({"max_new_tokens": 0}, "max_new_tokens must be a positive int"),
        ({"max_new_tokens": 2.5}, "max_new_tokens must be a positive int"),
        ({"temperature": -1.0}, "temperature"),
        ({"top_p": 0.0}, "top_p"),
    ],
)
def test_bad_arguments_raise_lmparsec_errors(lm: tuple[Any, Any], kwargs: dict[str, Any],
                                            message: str) -> None:
    model, tokenizer = lm
    args: dict[str, Any] = {"prompt": PROMPT, "format": JsonSchema(INTS), "max_new_tokens": 20}
    args.update(kwargs)
    with pytest.raises(LmparsecError, match=message) as info:
        generate(model, tokenizer, args.pop("prompt"), args.pop("format"), **args)
    assert isinstance(info.value, ValueError)


def test_a_budget_too_small_names_the_shortest_cost(lm: tuple[Any, Any]) -> None:
    model, tokenizer = lm
    with pytest.raises(BudgetError, match=r"max_new_tokens=1 is too small: the shortest valid output needs"):
        generate(model, tokenizer, PROMPT, JsonSchema(CAR), max_new_tokens=1)


# --- generate_json ------------------------------------------------------------------------


def test_generate_json_returns_parsed_values(lm: tuple[Any, Any]) -> None:
    model, tokenizer = lm
    for describe in (False, True):
        result = generate_json(model, tokenizer, "Alice is 31.", PERSON, describe=describe, max_new_tokens=40,
                               temperature=1.0, seed=4)
        assert result.completed
        assert result.value == json.loads(result.text)
        jsonschema.validate(result.value, PERSON)
    plain = generate_json(model, tokenizer, "Alice is 31.", PERSON, describe=False, max_new_tokens=40)
    described = generate_json(model, tokenizer, "Alice is 31.", PERSON, describe=True, max_new_tokens=40)
    assert described.metrics.prompt_tokens > plain.metrics.prompt_tokens  # the schema description


def test_generate_json_with_prop_order_and_schema_options(lm: tuple[Any, Any]) -> None:
    model, tokenizer = lm
    result = generate_json(model, tokenizer, "Report.", ENUM_CONST, prop_order=["kind", "status"],
                           max_new_tokens=30, schema_options={"whitespace": "compact"},
                           temperature=1.0, seed=1)
    assert list(result.value) == ["kind", "status", "version"]
    assert " " not in result.text and "\n" not in result.text
    jsonschema.validate(result.value, ENUM_CONST)


def test_generate_json_returns_pydantic_instances(lm: tuple[Any, Any]) -> None:
    pydantic = pytest.importorskip("pydantic")

    class Pet(pydantic.BaseModel):
        name: str = pydantic.Field(max_length=10, description="the pet's name")
        legs: int = pydantic.Field(ge=0, le=8)
        vaccinated: bool

    model, tokenizer = lm
    result = generate_json(model, tokenizer, "Rex has four legs.", Pet, max_new_tokens=40,
                           temperature=1.0, seed=5)
    assert isinstance(result.value, Pet)
    assert 0 <= result.value.legs <= 8
    assert result.value == Pet.model_validate_json(result.text)

    many = generate_json(model, tokenizer, "Two pets.", list[Pet], max_new_tokens=60, temperature=1.0, seed=6)
    assert isinstance(many.value, list)
    assert all(isinstance(pet, Pet) for pet in many.value)  # list[Pet] gives Pet instances
    jsonschema.validate(json.loads(many.text), pydantic.TypeAdapter(list[Pet]).json_schema())


def test_generate_json_rejects_a_bad_prompt(lm: tuple[Any, Any]) -> None:
    model, tokenizer = lm
    with pytest.raises(GrammarError, match="prompt must be"):
        generate_json(model, tokenizer, 3.5, PERSON)  # type: ignore[arg-type]

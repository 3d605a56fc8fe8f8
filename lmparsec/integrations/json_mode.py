"""JSON mode: a prompt and a schema in, a validated object out."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import GrammarError
from ..prompting import describe_schema, schema_dict
from .generation import GenerationResult, generate

__all__ = ["generate_json"]


def generate_json(
    model: Any,
    tokenizer: Any,
    prompt: str | Sequence[Mapping[str, str]],
    schema: Any,
    *,
    describe: bool = True,
    prop_order: Sequence[str] | None = None,
    max_new_tokens: int = 256,
    schema_options: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> GenerationResult:
    """Generate JSON that validates against ``schema`` (a dict, JSON string or
    Pydantic model) and return it parsed in ``result.value`` — validated by
    Pydantic when ``schema`` is a model class or another type it handles
    (``list[Person]`` gives a list of ``Person`` instances).

    With ``describe`` the schema's field descriptions are put in a system
    message as an example object (see :func:`lmparsec.prompting.describe_schema`),
    so instructions such as "name in uppercase" reach the model. ``prop_order``
    fixes the key order of both the example and the output.
    """
    from ..combinators.jsonschema import JsonSchema

    options = dict(schema_options or {})
    if prop_order is not None:
        options.setdefault("key_order", list(prop_order))
    parser = JsonSchema(schema, **options)
    messages: list[Mapping[str, str]]
    if isinstance(prompt, str):
        messages = [{"role": "user", "content": prompt}]
    elif isinstance(prompt, Sequence):
        messages = [*prompt]
    else:
        raise GrammarError(f"prompt must be a str or a list of chat messages, got {type(prompt).__name__}")
    if describe:
        messages = [{"role": "system", "content": describe_schema(schema, prop_order=prop_order)}, *messages]
    if not getattr(tokenizer, "chat_template", None):
        # no template: fold the messages into one plain prompt
        text = "\n\n".join(m["content"] for m in messages) + "\n"
        result = generate(model, tokenizer, text, parser, max_new_tokens=max_new_tokens, chat=False, **kwargs)
    else:
        result = generate(model, tokenizer, messages, parser, max_new_tokens=max_new_tokens, **kwargs)
    value: Any = None
    if result.completed:
        value = json.loads(result.text)
        validate = _pydantic_validator(schema)
        if validate is not None:
            value = validate(result.text)
        else:
            schema_dict(schema)  # validates the schema argument's form
    return dataclasses.replace(result, value=value)


def _pydantic_validator(schema: Any) -> Any:
    """``validate_json`` of a Pydantic model class, or of any other type Pydantic
    handles (``list[Person]``, ``Person | None``), so the value holds instances;
    ``None`` for a JSON Schema given as a dict, bool or string."""
    if isinstance(schema, (dict, bool, str)):
        return None
    try:
        from pydantic import BaseModel, TypeAdapter
    except ImportError:  # pragma: no cover - JsonSchema already needed pydantic for a type
        return None
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        return schema.model_validate_json
    return TypeAdapter(schema).validate_json

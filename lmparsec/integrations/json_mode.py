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
    Pydantic model) and return it parsed in ``result.value`` — a model instance
    when ``schema`` is a Pydantic model class.

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
        messages = list(prompt)
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
        model_cls = _pydantic_model(schema)
        if model_cls is not None:
            value = model_cls.model_validate_json(result.text)
        else:
            schema_dict(schema)  # validates the schema argument's form
    return dataclasses.replace(result, value=value)


def _pydantic_model(schema: Any) -> Any:
    try:
        from pydantic import BaseModel
    except ImportError:  # pragma: no cover
        return None
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        return schema
    return None

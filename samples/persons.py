"""A list of Pydantic models whose field descriptions carry instructions.

    python samples/persons.py

``list[Person]`` becomes a schema with ``$ref`` to ``#/$defs/Person``. The
description "in uppercase" cannot be enforced by the mask (the schema says
"string"); it reaches the model through the system message that
``describe=True`` writes (see ``lmparsec.prompting.describe_schema``).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, TypeAdapter

from lmparsec import GenerationResult, generate_json


class Person(BaseModel):
    name: str = Field(description="the person's name in UPPERCASE letters")
    age: int = Field(ge=0, le=130)


PEOPLE = TypeAdapter(list[Person])
PROMPT = (
    "Alice is 31 years old, Bob is 25 and Carol is 40. "
    "List the three people sorted by age, youngest first."
)


def run(model: Any, tokenizer: Any, *, max_new_tokens: int = 100, **kwargs: Any) -> GenerationResult:
    """A ``list[Person]`` in ``result.value``."""
    return generate_json(model, tokenizer, PROMPT, list[Person], describe=True,
                         max_new_tokens=max_new_tokens, **kwargs)


if __name__ == "__main__":
    from lmparsec.models import load_model

    model, tokenizer = load_model()
    result = run(model, tokenizer)
    print(PEOPLE.dump_json(result.value, indent=2).decode() if result.value is not None else result.text)
    print(result.metrics.summary())

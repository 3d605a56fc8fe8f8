"""Free reasoning first, then a fenced JSON block that must validate.

    python samples/reasoning_then_json.py

``fenced(JsonSchema(...))`` leaves the model free until it opens a fence
("```"); the "json" tag is then forced, the schema enforced, and the fence closed.
Letting a small model think before it answers often helps it; the answer is
still machine-readable.
"""

from __future__ import annotations

import json
from typing import Any

from lmparsec import GenerationResult, JsonSchema, fenced, generate

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "older": {"type": "string", "description": "name of the older person"},
        "difference_years": {"type": "integer", "minimum": 0},
    },
    "required": ["older", "difference_years"],
}
FORMAT = fenced(JsonSchema(SCHEMA))
PROMPT = (
    "Alice is 31 years old and Bob is 25. Who is older, and by how many years? "
    "Think step by step in one or two sentences, then give the answer as JSON in a ```json block "
    'with the keys "older" and "difference_years".'
)


def answer(text: str) -> Any:
    """The parsed JSON block of a generated text."""
    block = text.split("```json\n", 1)[1].rsplit("\n```", 1)[0]
    return json.loads(block)


def run(model: Any, tokenizer: Any, *, max_new_tokens: int = 160, **kwargs: Any) -> GenerationResult:
    """The reasoning and block in ``result.text``; :func:`answer` parses the block."""
    return generate(model, tokenizer, PROMPT, FORMAT, max_new_tokens=max_new_tokens, **kwargs)


if __name__ == "__main__":
    from lmparsec.models import load_model

    model, tokenizer = load_model()
    result = run(model, tokenizer)
    print(result.text)
    print("answer:", answer(result.text))
    print(result.metrics.summary())

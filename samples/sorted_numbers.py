"""A list inside an object: sort 2, 8, 6, 7.

    python samples/sorted_numbers.py

The schema fixes the shape (exactly four integers); whether they are sorted
is the model's job, so the sample prints whether it got it right.
"""

from __future__ import annotations

import json
from typing import Any

from lmparsec import GenerationResult, generate_json

NUMBERS = [2, 8, 6, 7]
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "sorted_numbers": {
            "type": "array",
            "items": {"type": "integer"},
            "minItems": len(NUMBERS),
            "maxItems": len(NUMBERS),
            "description": "the numbers in ascending order",
        },
    },
    "required": ["sorted_numbers"],
}
PROMPT = "Sort " + ", ".join(map(str, NUMBERS)) + " in ascending order."


def run(model: Any, tokenizer: Any, *, max_new_tokens: int = 60, **kwargs: Any) -> GenerationResult:
    """``{"sorted_numbers": [...]}`` in ``result.value``."""
    return generate_json(model, tokenizer, PROMPT, SCHEMA, max_new_tokens=max_new_tokens, **kwargs)


if __name__ == "__main__":
    from lmparsec.models import load_model

    model, tokenizer = load_model()
    result = run(model, tokenizer)
    print(json.dumps(result.value))
    print("correctly sorted:", result.value == {"sorted_numbers": sorted(NUMBERS)})
    print(result.metrics.summary())

"""A nested object: a car with colours, three feature groups and an owner.

    python samples/car.py

The output always has every required field at every depth, in the schema's
key order; the model only chooses the values.
"""

from __future__ import annotations

import json
from typing import Any

from lmparsec import GenerationResult, generate_json

SCHEMA: dict[str, Any] = {
    "title": "Car",
    "type": "object",
    "properties": {
        "make": {"type": "string"},
        "model": {"type": "string"},
        "year": {"type": "integer"},
        "colors": {"type": "array", "items": {"type": "string"}},
        "features": {
            "type": "object",
            "properties": {
                "audio": {
                    "type": "object",
                    "properties": {
                        "brand": {"type": "string"},
                        "speakers": {"type": "integer"},
                        "hasBluetooth": {"type": "boolean"},
                    },
                    "required": ["brand", "speakers", "hasBluetooth"],
                },
                "safety": {
                    "type": "object",
                    "properties": {
                        "airbags": {"type": "integer"},
                        "parkingSensors": {"type": "boolean"},
                        "laneAssist": {"type": "boolean"},
                    },
                    "required": ["airbags", "parkingSensors", "laneAssist"],
                },
                "performance": {
                    "type": "object",
                    "properties": {
                        "engine": {"type": "string"},
                        "horsepower": {"type": "integer"},
                        "topSpeed": {"type": "integer"},
                    },
                    "required": ["engine", "horsepower", "topSpeed"],
                },
            },
            "required": ["audio", "safety", "performance"],
        },
        "owner": {
            "type": "object",
            "properties": {
                "firstName": {"type": "string"},
                "lastName": {"type": "string"},
                "age": {"type": "integer"},
            },
            "required": ["firstName", "lastName", "age"],
        },
    },
    "required": ["make", "model", "year", "colors", "features", "owner"],
}

PROMPT = (
    "I drive a red 2020 Toyota Corolla with a 1.8L I4 engine (139 horsepower, top speed 180 km/h). "
    "Its JBL audio system has 6 speakers and Bluetooth. It has 8 airbags and parking sensors but no "
    "lane assist. The owner is Ana Silva, 34 years old. Describe the car as JSON."
)


def run(model: Any, tokenizer: Any, *, max_new_tokens: int = 250, **kwargs: Any) -> GenerationResult:
    """The car as a dict in ``result.value`` (``None`` only if the model stalled)."""
    return generate_json(model, tokenizer, PROMPT, SCHEMA, max_new_tokens=max_new_tokens, **kwargs)


if __name__ == "__main__":
    from lmparsec.models import load_model

    model, tokenizer = load_model()
    result = run(model, tokenizer)
    print(json.dumps(result.value, indent=2, ensure_ascii=False))
    print(result.metrics.summary())

"""A Pydantic model as the format: who won the 2020 World Series?

    python samples/game_result.py

``generate_json`` returns a ``GameResult`` instance in ``result.value``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from lmparsec import GenerationResult, generate_json


class GameResult(BaseModel):
    winner_team: str
    loser_team: str
    winner_score: int = Field(ge=0, description="games won by the winner in the series")
    loser_score: int = Field(ge=0, description="games won by the loser in the series")
    year: int


PROMPT = "Who won the world series in 2020?"


def run(model: Any, tokenizer: Any, *, max_new_tokens: int = 120, **kwargs: Any) -> GenerationResult:
    """The answer as a ``GameResult`` in ``result.value``."""
    return generate_json(model, tokenizer, PROMPT, GameResult, max_new_tokens=max_new_tokens, **kwargs)


if __name__ == "__main__":
    from lmparsec.models import load_model

    model, tokenizer = load_model()
    result = run(model, tokenizer)
    print(result.value.model_dump_json(indent=2) if result.value is not None else result.text)
    print(result.metrics.summary())

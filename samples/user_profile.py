"""A richer Pydantic model: a literal role, an optional e-mail, a bounded integer, a list.

    python samples/user_profile.py

``EmailStr`` becomes ``{"type": "string", "format": "email"}``: the mask only
lets the model write an e-mail address there (or ``null``), and Pydantic's own
validator accepts the result.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, EmailStr, Field

from lmparsec import GenerationResult, generate_json


class UserProfile(BaseModel):
    name: str
    role: Literal["admin", "user", "guest"]
    email: EmailStr | None = Field(description="e-mail address, or null when none is given")
    years_of_experience: int = Field(ge=0)
    skills: list[str] = Field(description="programming languages and tools, one per item")


BIOGRAPHY = (
    "Maya Patel joined the company in 2017 and administers the data platform; she has the admin role. "
    "She has 7 years of experience with Python, SQL and Airflow. Contact: maya.patel@example.com."
)
PROMPT = f"Biography: {BIOGRAPHY}\nExtract the user's profile."


def run(model: Any, tokenizer: Any, *, max_new_tokens: int = 120, **kwargs: Any) -> GenerationResult:
    """A ``UserProfile`` in ``result.value``."""
    return generate_json(model, tokenizer, PROMPT, UserProfile, max_new_tokens=max_new_tokens, **kwargs)


if __name__ == "__main__":
    from lmparsec.models import load_model

    model, tokenizer = load_model()
    result = run(model, tokenizer)
    print(result.value.model_dump_json(indent=2) if result.value is not None else result.text)
    print(result.metrics.summary())

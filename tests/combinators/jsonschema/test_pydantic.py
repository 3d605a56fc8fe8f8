"""Pydantic models as schemas: valid instances are accepted, and whatever the parser
accepts (shortest completions, random walks) validates back into the model."""

from __future__ import annotations

import enum
import json
import random
from typing import Annotated, Any, Literal

import pytest

pydantic = pytest.importorskip("pydantic")
from pydantic import BaseModel, EmailStr, Field, TypeAdapter  # noqa: E402

from lmparsec.combinators.base import Parser  # noqa: E402
from lmparsec.combinators.jsonschema import JsonSchema  # noqa: E402


def random_walk(parser: Parser, rng: random.Random, max_len: int = 300) -> str | None:
    """Random allowed characters, then the shortest completion."""
    text: list[str] = []
    state = parser
    for _ in range(max_len):
        if state.can_end() and rng.random() < 0.15:
            return "".join(text)
        allowed = state.allowed()
        if not allowed:
            break
        lo, hi = allowed.ranges[rng.randrange(len(allowed.ranges))]
        cp = rng.randint(lo, min(hi, max(lo, 0x7E)))
        nxt = state.advance(chr(cp))
        assert nxt is not None
        text.append(chr(cp))
        state = nxt
    tail = state.shortest()
    return None if tail is None else "".join(text) + tail


class Color(str, enum.Enum):
    RED = "red"
    GREEN = "green"


class Address(BaseModel):
    street: str
    city: str = Field(max_length=20)
    zip: str | None = None


class Person(BaseModel):
    name: str = Field(min_length=1, max_length=30)
    age: int = Field(ge=0, le=150)
    address: Address
    color: Color = Color.RED
    nicknames: list[str] = []
    scores: dict[str, float] = {}


class UserProfile(BaseModel):
    email: EmailStr | None
    years_of_experience: int = Field(ge=0)
    skills: list[str]
    role: Literal["admin", "user", "guest"]


class Cat(BaseModel):
    kind: Literal["cat"]
    lives: int = Field(ge=0, le=9)


class Dog(BaseModel):
    kind: Literal["dog"]
    good: bool


class Owner(BaseModel):
    pet: Annotated[Cat | Dog, Field(discriminator="kind")]
    backup: Cat | Dog | None = None


class Node(BaseModel):
    value: int
    children: list[Node] = []


INSTANCES: list[tuple[Any, Any]] = [
    (Person, Person(name="Ann", age=31, address=Address(street="Main 1", city="Oslo"),
                    nicknames=["a", "b"], scores={"x": 1.5})),
    (Person, Person(name="Bo", age=0, address=Address(street="", city="X", zip="123"), color=Color.GREEN)),
    (UserProfile, UserProfile(email="ann@example.com", years_of_experience=3, skills=["python"],
                              role="admin")),
    (UserProfile, UserProfile(email=None, years_of_experience=0, skills=[], role="guest")),
    (Owner, Owner(pet=Cat(kind="cat", lives=7), backup=Dog(kind="dog", good=True))),
    (Owner, Owner(pet=Dog(kind="dog", good=False))),
    (Node, Node(value=1, children=[Node(value=2, children=[Node(value=3)])])),
]


def dumps_all(model: Any, instance: Any) -> list[str]:
    text = model.model_dump_json() if isinstance(model, BaseModel) else instance.model_dump_json()
    value = json.loads(text)
    return [text, json.dumps(value), json.dumps(value, indent=2)]


@pytest.mark.parametrize(("model", "instance"), INSTANCES)
def test_valid_instances_are_accepted(model: type[BaseModel], instance: BaseModel) -> None:
    parser = JsonSchema(model)
    for text in dumps_all(model, instance):
        assert parser.accepts(text), text
        model.model_validate_json(text)


@pytest.mark.parametrize("model", [Person, UserProfile, Owner, Node])
def test_accepted_texts_validate_into_the_model(model: type[BaseModel]) -> None:
    parser = JsonSchema(model)
    short = parser.shortest()
    assert short is not None and parser.accepts(short)
    model.model_validate_json(short)
    rng = random.Random(7)
    for _ in range(60):
        text = random_walk(parser, rng)
        if text is None:
            continue
        assert parser.accepts(text)
        model.model_validate_json(text)


def test_invalid_instances_are_rejected() -> None:
    parser = JsonSchema(UserProfile)
    good = {"email": "a@b.co", "years_of_experience": 1, "skills": [], "role": "user"}
    assert parser.accepts(json.dumps(good))
    assert not parser.accepts(json.dumps({**good, "years_of_experience": -1}))
    assert not parser.accepts(json.dumps({**good, "role": "root"}))
    assert not parser.accepts(json.dumps({**good, "email": "not an email"}))
    assert not parser.accepts(json.dumps({k: v for k, v in good.items() if k != "skills"}))
    owner = JsonSchema(Owner)
    assert not owner.accepts('{"pet": {"kind": "cat", "good": true}}')


def test_list_of_models_uses_defs() -> None:
    people = [Person(name="A", age=1, address=Address(street="s", city="c"))]
    parser = JsonSchema(list[Person])
    text = TypeAdapter(list[Person]).dump_json(people).decode()
    assert parser.accepts(text)
    assert parser.accepts(json.dumps(json.loads(text), indent=2))
    assert not parser.accepts(json.dumps([{"name": "A"}]))
    assert TypeAdapter(list[Person]).validate_json(parser.shortest() or "") == []


def test_the_longest_emails_the_parser_allows_validate() -> None:
    """A model is free to fill every length to its limit (a random model on a GPU
    did: a 280-character domain that email-validator refused). Walk the parser the
    longest way -- letters while it takes them, then a dot -- and validate."""
    parser = JsonSchema(EmailStr)
    state = parser.advance('"')
    text = ['"']
    for _ in range(1000):
        assert state is not None
        allowed = state.allowed()
        char = next((c for c in ("a" if "@" not in text else "b", "@", ".") if c in allowed), None)
        if char is None or (char == "@" and "@" in text):
            break
        text.append(char)
        state = state.advance(char)
    assert state is not None and '"' in state.allowed()
    email = "".join(text[1:])
    assert len(email.split("@")[1]) > 100, email  # the walk went the long way
    assert parser.accepts(json.dumps(email))
    TypeAdapter(EmailStr).validate_python(email)

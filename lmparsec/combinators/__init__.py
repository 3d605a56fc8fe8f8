"""Character-level parsers that compose. They know nothing about tokens."""

from .base import Parser, grammar_id
from .charset import CharSet
from .lazy import Lazy
from .literal import Literal
from .logic import Complement, ExactlyOne, Intersect
from .recipes import fenced
from .regex import Regex, RegexState
from .sequence import Sequence
from .text import Avoid, ForceStop, FreeText, Until, until, without
from .union import Union, choice

__all__ = [
    "Avoid",
    "fenced",
    "without",
    "CharSet",
    "Complement",
    "ExactlyOne",
    "ForceStop",
    "FreeText",
    "Intersect",
    "Lazy",
    "Literal",
    "Parser",
    "Regex",
    "RegexState",
    "Sequence",
    "Union",
    "Until",
    "choice",
    "grammar_id",
    "until",
]

"""lmparsec: make language models produce output that provably matches a format."""

from .combinators import (
    CharSet,
    Complement,
    ExactlyOne,
    ForceStop,
    FreeText,
    Intersect,
    Lazy,
    Literal,
    Parser,
    Regex,
    Sequence,
    Union,
    Until,
    choice,
    until,
)
from .tokens import MaskCache, Matcher, Vocabulary, bitmask_words

__version__ = "0.1.0"

__all__ = [
    "__version__",
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
    "Sequence",
    "Union",
    "Until",
    "choice",
    "until",
    "MaskCache",
    "Matcher",
    "Vocabulary",
    "bitmask_words",
]

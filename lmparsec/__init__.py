"""lmparsec: make language models produce output that provably matches a format."""

from .combinators import (
    Avoid,
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
    fenced,
    until,
    without,
)
from .combinators.jsonschema import JsonSchema
from .integrations.generation import GenerationResult, Metrics, generate
from .integrations.json_mode import generate_json
from .prompting import describe_schema, schema_example
from .tokens import CacheStats, MaskCache, Matcher, Vocabulary, bitmask_words

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "Avoid",
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
    "fenced",
    "until",
    "without",
    "JsonSchema",
    "GenerationResult",
    "Metrics",
    "generate",
    "generate_json",
    "describe_schema",
    "schema_example",
    "CacheStats",
    "MaskCache",
    "Matcher",
    "Vocabulary",
    "bitmask_words",
]

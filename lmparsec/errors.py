"""Every exception lmparsec raises on bad input.

Each error also subclasses the builtin a caller would naturally catch
(``ValueError``, ``KeyError``, ``ImportError``), so code that does not know
lmparsec still handles it sensibly. Errors carry *where* (a JSON pointer, a
position in a pattern, a token id) as attributes as well as in the message.
"""

from __future__ import annotations

__all__ = [
    "LmparsecError",
    "GrammarError",
    "RegexError",
    "SchemaError",
    "UnsupportedSchemaError",
    "VocabularyError",
    "TokenError",
    "GenerationError",
    "BudgetError",
    "MissingDependencyError",
]


class LmparsecError(Exception):
    """Base class of every error lmparsec raises on purpose."""


class GrammarError(LmparsecError, ValueError):
    """A combinator was built from arguments that do not describe a format."""


class RegexError(GrammarError):
    """A regular expression is malformed or uses syntax a DFA cannot express.

    ``pattern`` is the offending pattern and ``position`` the index in it
    where the problem was found (``None`` when the parser did not say).
    """

    def __init__(self, message: str, *, pattern: str, position: int | None = None) -> None:
        where = f" at position {position}" if position is not None else ""
        super().__init__(f"{message}{where} in regex {pattern!r}")
        self.pattern = pattern
        self.position = position


class SchemaError(GrammarError):
    """A JSON Schema is malformed. ``pointer`` is the JSON pointer of the bad part."""

    def __init__(self, message: str, *, pointer: str = "") -> None:
        super().__init__(f"{message} (at {pointer or '#'})")
        self.pointer = pointer


class UnsupportedSchemaError(SchemaError):
    """A JSON Schema uses a keyword (or keyword value) lmparsec cannot enforce.

    ``keyword`` names it; ``pointer`` says where it is. Pass
    ``unsupported="ignore"`` to ``JsonSchema`` to weaken the guarantee instead.
    """

    def __init__(self, message: str, *, keyword: str, pointer: str = "") -> None:
        super().__init__(f"unsupported keyword {keyword!r}: {message}", pointer=pointer)
        self.keyword = keyword


class VocabularyError(LmparsecError, ValueError):
    """A tokenizer's vocabulary cannot be turned into exact token bytes."""


class TokenError(LmparsecError, KeyError):
    """A token id is unknown to the vocabulary, or not allowed where it was given."""

    def __init__(self, message: str, *, token_id: int | None = None) -> None:
        super().__init__(message)
        self.token_id = token_id

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


class GenerationError(LmparsecError, RuntimeError):
    """Generation could not proceed (for example the format admits no token)."""


class BudgetError(GenerationError, ValueError):
    """``max_new_tokens`` is too small for even the shortest valid output."""


class MissingDependencyError(LmparsecError, ImportError):
    """An optional dependency is needed; the message names the extra to install."""

    def __init__(self, package: str, extra: str, *, hint: str | None = None) -> None:
        install = hint or f"pip install 'lmparsec[{extra}]'"
        super().__init__(f"{package} is required for this feature: {install}")
        self.package = package
        self.extra = extra

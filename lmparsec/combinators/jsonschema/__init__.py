"""JSON Schema as a character-level parser: :func:`JsonSchema`."""

from .compiler import JsonSchema

__all__ = ["JsonSchema"]

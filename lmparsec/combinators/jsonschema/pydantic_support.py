"""Pydantic models (and any type ``pydantic.TypeAdapter`` accepts) as JSON Schemas.

Pydantic validates ``EmailStr`` with ``email-validator``, which is stricter
than JSON Schema's ``format: email`` (it wants a dot in the domain, refuses
special-use names such as ``.local``, limits lengths...). So that every text
the parser accepts also validates into the model, email fields get a
conservative extra pattern: ``local@label.label.tld`` with a letters-only TLD,
bounded so that even its longest texts fit email-validator's length limits.
"""

from __future__ import annotations

from typing import Any

from ...errors import MissingDependencyError, SchemaError

__all__ = ["schema_of", "SAFE_EMAIL_PATTERN"]

#: What email-validator accepts, conservatively: short ASCII atoms, alnum labels, and
#: lengths within its limits at their longest -- a local part of 64, a domain of
#: 4 x (40 + 1) + 24 = 188 <= 253, an address of 64 + 1 + 188 = 253 <= 254 characters.
SAFE_EMAIL_PATTERN = r"^[A-Za-z0-9_+-]{1,64}@(?:[A-Za-z0-9]{1,40}\.){1,4}[A-Za-z]{2,24}$"
_SPECIAL_USE = r"\.(?:[aA][rR][pP][aA]|[iI][nN][vV][aA][lL][iI][dD]|[lL][oO][cC][aA][lL]|" \
               r"[lL][oO][cC][aA][lL][hH][oO][sS][tT]|[oO][nN][iI][oO][nN]|[tT][eE][sS][tT])$"


def _tighten_emails(node: Any) -> Any:
    if isinstance(node, list):
        return [_tighten_emails(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _tighten_emails(v) for k, v in node.items()}
    if out.get("format") in ("email", "idn-email"):
        extra = [{"pattern": SAFE_EMAIL_PATTERN}, {"not": {"pattern": _SPECIAL_USE}}]
        out["allOf"] = [*out.get("allOf", []), *extra]
    return out


def schema_of(tp: Any) -> dict[str, Any]:
    """The validation-mode JSON Schema pydantic generates for ``tp`` (emails tightened)."""
    try:
        import pydantic
    except ImportError as exc:  # pragma: no cover - exercised without pydantic only
        raise MissingDependencyError("pydantic", "pydantic") from exc
    try:
        if isinstance(tp, type) and issubclass(tp, pydantic.BaseModel):
            schema = tp.model_json_schema()
        else:
            schema = pydantic.TypeAdapter(tp).json_schema()
    except pydantic.PydanticUserError as exc:
        raise SchemaError(f"pydantic cannot make a JSON Schema of {tp!r}: {exc}") from exc
    except (TypeError, pydantic.errors.PydanticSchemaGenerationError) as exc:
        raise SchemaError(
            f"expected a JSON Schema (dict, bool or JSON text) or a pydantic model/type, got {tp!r}"
        ) from exc
    tightened: dict[str, Any] = _tighten_emails(schema)
    return tightened

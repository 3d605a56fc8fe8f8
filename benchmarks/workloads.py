"""The benchmark's schemas and the valid instances replayed through every engine.

Two sets:

- ``seeds``: five hand-written schemas (``data/seeds/*.json``), each with ~20
  hand-written valid instances (unicode, escapes, empty and long arrays, nesting);
- ``maskbench``: a fixed, seeded sample of ``../shared/maskbench-dev`` schemas with
  their instances marked valid.

Instances are written the way a model would write them: ``json.dumps(...,
ensure_ascii=False)``, object keys in the order the schema declares them
(every engine here but lmparsec with ``key_order="any"`` insists on that order,
and MaskBench's instances do not always follow it).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _peers import SHARED

SEEDS_DIR = Path(__file__).resolve().parent / "data" / "seeds"
MASKBENCH_DIR = SHARED / "maskbench-dev"


@dataclass(frozen=True)
class Workload:
    group: str  # "seeds" or "maskbench"
    name: str
    schema: dict[str, Any]
    texts: tuple[str, ...]

    @property
    def size(self) -> int:
        """Schema size in characters of compact JSON (the x axis of the compile plot)."""
        return len(json.dumps(self.schema, separators=(",", ":")))


def seeds(limit: int | None = None) -> list[Workload]:
    out = []
    for file in sorted(SEEDS_DIR.glob("*.json")):
        data = json.loads(file.read_text(encoding="utf-8"))
        instances = data["instances"][:limit]
        texts = tuple(_text(data["schema"], i) for i in instances)
        out.append(Workload("seeds", data["name"], data["schema"], texts))
    return out


def maskbench(count: int, *, per_schema: int, seed: int = 0, limit: int | None = None) -> list[Workload]:
    """``count`` schemas drawn with ``random.Random(seed)`` from all of maskbench-dev
    (sorted paths, so the sample is the same on every machine), each with up to
    ``per_schema`` of its valid instances; schemas with none are skipped."""
    if not MASKBENCH_DIR.is_dir() or count <= 0:
        return []
    files = sorted(MASKBENCH_DIR.glob("*/*.json"))
    picked = random.Random(seed).sample(files, min(count, len(files)))
    out = []
    for file in picked:
        data = json.loads(file.read_text(encoding="utf-8"))
        schema = data.get("schema")
        if not isinstance(schema, dict):
            continue
        valid = [t["data"] for t in data.get("tests", []) if t.get("valid")][:per_schema]
        valid = valid[:limit]
        if valid:
            name = f"{file.parent.name}/{file.stem}"
            out.append(Workload("maskbench", name, schema, tuple(_text(schema, v) for v in valid)))
    return out


def _text(schema: dict[str, Any], instance: Any) -> str:
    return json.dumps(_schema_order(instance, schema, schema, 0), ensure_ascii=False)


def _schema_order(value: Any, node: Any, root: dict[str, Any], depth: int) -> Any:
    """``value`` with object keys in the order ``node`` declares them (followed through
    local ``$ref``, ``properties``, ``items``/``prefixItems`` and the first matching
    ``allOf``/``anyOf``/``oneOf`` branch that declares properties; undeclared keys last)."""
    if depth > 50 or not isinstance(node, dict):
        return value
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#"):
        target: Any = root
        for part in ref[1:].split("/")[1:]:
            part = part.replace("~1", "/").replace("~0", "~")
            target = target.get(part) if isinstance(target, dict) else None
        if isinstance(target, dict) and not node.get("properties"):
            return _schema_order(value, target, root, depth + 1)
    if isinstance(value, dict):
        props = node.get("properties")
        if not isinstance(props, dict) or not props:
            for key in ("allOf", "anyOf", "oneOf"):
                for branch in node.get(key) or ():
                    if isinstance(branch, dict) and (branch.get("properties") or branch.get("$ref")):
                        return _schema_order(value, branch, root, depth + 1)
            return value
        ordered = {k: _schema_order(value[k], props[k], root, depth + 1) for k in props if k in value}
        ordered.update((k, v) for k, v in value.items() if k not in props)
        return ordered
    if isinstance(value, list):
        prefix = node.get("prefixItems") or []
        items = node.get("items")
        return [
            _schema_order(v, prefix[i] if i < len(prefix) else items, root, depth + 1)
            for i, v in enumerate(value)
        ]
    return value

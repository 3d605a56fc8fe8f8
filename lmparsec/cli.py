"""The ``lmparsec`` command: ``demo``, ``generate`` and ``check``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .errors import LmparsecError

__all__ = ["main", "DEMO_QUESTION", "DEMO_SCHEMA"]

DEMO_QUESTION = (
    "Alice is 31 years old and lives in Paris. Bob is 25 and lives in Rome. "
    "Who is older, and by how many years? Think briefly, then give the answer "
    "as JSON in a ```json block."
)

DEMO_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "older": {"enum": ["Alice", "Bob"], "description": "name of the older person"},
        "difference_years": {"type": "integer", "minimum": 0, "maximum": 120},
    },
    "required": ["older", "difference_years"],
}


def _load(model: str | None) -> tuple[Any, Any]:
    from .models import load_model

    return load_model(model, progress=True)


def _print_metrics(result: Any) -> None:
    print(f"metrics: {result.metrics.summary()}", file=sys.stderr)


def cmd_demo(args: argparse.Namespace) -> int:
    from .combinators import fenced
    from .combinators.jsonschema import JsonSchema
    from .integrations.generation import generate
    from .prompting import describe_schema

    model, tokenizer = _load(args.model)
    parser = fenced(JsonSchema(DEMO_SCHEMA))
    print(f"question: {DEMO_QUESTION}\n", file=sys.stderr)
    messages = [
        {"role": "system", "content": "Think in one or two sentences, then answer in a ```json block. "
                                      + describe_schema(DEMO_SCHEMA)},
        {"role": "user", "content": DEMO_QUESTION},
    ]
    result = generate(model, tokenizer, messages, parser, max_new_tokens=args.max_new_tokens,
                      temperature=args.temperature, seed=args.seed)
    print(result.text)
    block = result.text.split("```json\n", 1)[-1].rsplit("\n```", 1)[0]
    accepted = parser.accepts(result.text)
    print(f"\naccepted by lmparsec: {accepted}; JSON block: {json.loads(block) if accepted else None}")
    _print_metrics(result)
    return 0 if accepted else 1


def cmd_generate(args: argparse.Namespace) -> int:
    from .combinators import Regex
    from .combinators.jsonschema import JsonSchema
    from .integrations.generation import generate

    if args.schema:
        schema = json.loads(Path(args.schema).read_text(encoding="utf-8"))
        parser = JsonSchema(schema)
    else:
        parser = Regex(args.regex)
    model, tokenizer = _load(args.model)
    result = generate(model, tokenizer, args.prompt, parser, max_new_tokens=args.max_new_tokens,
                      temperature=args.temperature, seed=args.seed)
    print(result.text)
    _print_metrics(result)
    return 0 if result.completed else 1


def cmd_check(args: argparse.Namespace) -> int:
    from .combinators.jsonschema import JsonSchema

    schema = json.loads(Path(args.schema).read_text(encoding="utf-8"))
    parser = JsonSchema(schema, strict=False, key_order="any")
    text = Path(args.file).read_text(encoding="utf-8").strip()
    state = parser
    for pos, char in enumerate(text):
        nxt = state.advance(char)
        if nxt is None:
            print(f"{args.file}: rejected at character {pos} ({char!r}) after {text[max(0, pos - 30):pos]!r}")
            return 1
        state = nxt
    if not state.can_end():
        print(f"{args.file}: incomplete: the text ends before the value does")
        return 1
    print(f"{args.file}: valid")
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="lmparsec", description="Format-constrained generation for open LLMs.")
    sub = ap.add_subparsers(dest="command", required=True)

    def model_opts(p: argparse.ArgumentParser) -> None:
        p.add_argument("--model", default=None,
                       help="HF checkpoint dir or .gguf file (default: the embedded SmolLM2-135M-Instruct)")
        p.add_argument("--max-new-tokens", type=int, default=200)
        p.add_argument("--temperature", type=float, default=0.0)
        p.add_argument("--seed", type=int, default=0)

    demo = sub.add_parser("demo", help="free reasoning, then a fenced JSON block enforced by lmparsec")
    model_opts(demo)
    demo.set_defaults(func=cmd_demo)

    gen = sub.add_parser("generate", help="generate text matching a JSON Schema or a regex")
    model_opts(gen)
    fmt = gen.add_mutually_exclusive_group(required=True)
    fmt.add_argument("--schema", help="a JSON Schema file")
    fmt.add_argument("--regex", help="a regular expression the whole output must match")
    gen.add_argument("--prompt", required=True)
    gen.set_defaults(func=cmd_generate)

    check = sub.add_parser("check", help="validate a JSON file against a schema with lmparsec's engine")
    check.add_argument("--schema", required=True)
    check.add_argument("file")
    check.set_defaults(func=cmd_check)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (LmparsecError, OSError, json.JSONDecodeError) as exc:
        print(f"lmparsec: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""Dead ends and invalid outputs under the library's default options, on a folder of
real schemas (MaskBench's layout: ``<category>/<id>.json`` with a ``schema`` key).

Two checks per schema, both with ``JsonSchema(schema)`` as a user gets it:

- ``--completions``: ``shortest()`` from the start -- what the generation loop asks
  before its first token, to check ``max_new_tokens`` -- within ``--timeout`` seconds;
  a found completion is validated by ``jsonschema``.
- random character walks (``--walks`` per schema): each step takes a random character
  the state allows, stops at random where the text may end, and is finished with
  ``shortest()``; the text is validated by ``jsonschema`` with format checks. A state
  that allows nothing yet cannot end is a dead end of the masks.

    python benchmarks/walks.py --data ../shared/maskbench-dev --limit 500 --walks 3
    python benchmarks/walks.py --data ../shared/maskbench-dev --completions --timeout 10

The Handwritten category (puzzles built to defeat engines) and the unsatisfiable
Glaiveai ``calculate_area`` schemas are left out unless ``--all`` is given.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema

from lmparsec.combinators.base import Parser
from lmparsec.combinators.jsonschema import JsonSchema
from lmparsec.errors import SchemaError


class _Slow(BaseException):
    pass


def _alarm(*_: Any) -> None:
    raise _Slow


def _disarm() -> None:
    """Stops the timer, even when it fires (again) while being stopped."""
    while True:
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
            return
        except _Slow:
            continue


def walk(parser: Parser, rng: random.Random, max_len: int = 300) -> tuple[str | None, str]:
    """One random walk: ``(text, "")`` or ``(None, why)``."""
    text: list[str] = []
    state = parser
    for _ in range(max_len):
        if state.can_end() and rng.random() < 0.1:
            return "".join(text), ""
        allowed = state.allowed()
        if not allowed:
            if state.can_end():
                return "".join(text), ""
            return None, "dead end after " + repr("".join(text)[-60:])
        lo, hi = allowed.ranges[rng.randrange(len(allowed.ranges))]
        if rng.random() < 0.8:  # mostly ASCII: the structure, not the alphabet, is under test
            hi = min(hi, max(lo, 0x7E))
        cp = rng.randint(lo, hi)
        if 0xD800 <= cp <= 0xDFFF:
            continue
        nxt = state.advance(chr(cp))
        if nxt is None:
            return None, f"allowed {chr(cp)!r} refused"
        text.append(chr(cp))
        state = nxt
    tail = state.shortest()
    if tail is None:
        return None, "no completion after " + repr("".join(text)[-60:])
    return "".join(text) + tail, ""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "maskbench-dev"))
    ap.add_argument("--limit", type=int, default=0, help="schemas to check (0: all)")
    ap.add_argument("--seed", type=int, default=0, help="which schemas (shuffled) and walks")
    ap.add_argument("--walks", type=int, default=3)
    ap.add_argument("--completions", action="store_true", help="check shortest() from the start instead")
    ap.add_argument("--timeout", type=float, default=20.0, help="seconds per schema")
    ap.add_argument("--all", action="store_true", help="include the puzzle categories")
    args = ap.parse_args(argv)
    files = sorted(Path(args.data).glob("*/*.json"))
    if not args.all:
        puzzles = [f for f in files if f.parent.name == "Handwritten" or f.stem.startswith("calculate_area")]
        files = [f for f in files if f not in puzzles]
    random.Random(args.seed).shuffle(files)
    if args.limit:
        files = files[: args.limit]
    signal.signal(signal.SIGALRM, _alarm)
    outcome: Counter[str] = Counter()
    problems: list[str] = []

    def report(line: str) -> None:  # printed at once: a long run shows what it found so far
        problems.append(line)
        print(" ", line, flush=True)

    t0 = time.perf_counter()
    for path in files:
        name = f"{path.parent.name}/{path.stem}"
        schema = json.loads(path.read_text(encoding="utf-8"))["schema"]
        try:
            cls = jsonschema.validators.validator_for(schema)
            # the draft's own format checks: FormatChecker() holds every draft's, and
            # draft 3's "time" (strptime "%H:%M:%S") refuses RFC 3339 times with a zone
            validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
        except Exception:  # a schema jsonschema itself cannot read: no oracle
            outcome["no oracle"] += 1
            continue
        signal.setitimer(signal.ITIMER_REAL, args.timeout, 1)
        try:
            parser = JsonSchema(schema)
            texts: list[tuple[str | None, str]]
            if args.completions:
                texts = [(parser.shortest(), "no completion from the start")]
            else:
                texts = [walk(parser, random.Random(args.seed * 1000 + k)) for k in range(args.walks)]
            for text, why in texts:
                if text is None:
                    outcome["dead end" if "dead" in why or "no completion" in why else "refused"] += 1
                    report(f"{name}: {why}")
                elif not validator.is_valid(json.loads(text)):
                    outcome["invalid"] += 1
                    report(f"{name}: invalid {text[:160]!r}")
                else:
                    outcome["ok"] += 1
        except SchemaError as exc:
            outcome["not compiled"] += 1
            report(f"{name}: {type(exc).__name__}: {str(exc)[:100]}")
        except _Slow:
            outcome["over the timeout"] += 1
            report(f"{name}: over {args.timeout:g} s")
        finally:
            _disarm()
    print(f"{len(files)} schemas in {time.perf_counter() - t0:.0f} s: "
          + ", ".join(f"{k} {v}" for k, v in outcome.most_common()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

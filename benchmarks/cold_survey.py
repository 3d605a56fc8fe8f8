"""The slowest cold masks over every schema of a MaskBench folder: each schema's first
valid instance is replayed token by token through one shared mask cache (a server that
meets the schemas one after another), and the schemas are listed by their slowest
step. The speed benchmark samples 60 schemas; this finds the shapes it misses, such as
a ``uniqueItems`` list of strings (thirteenth round: ~1 s per step before).

    python benchmarks/cold_survey.py --data ../shared/maskbench-dev --tokenizer llama-3

A schema over ``--timeout`` seconds (compile and replay) is listed as TIMEOUT. Steps of a
few hundred ms that do not come back when the schema is run alone are the collector
going through the grown cache, not the schema.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _peers

from lmparsec.combinators.jsonschema import JsonSchema
from lmparsec.tokens import MaskCache, Matcher


class _Timeout(BaseException):  # not swallowed by "except Exception" anywhere
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _Timeout


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "maskbench-dev"))
    ap.add_argument("--tokenizer", default="llama-3")
    ap.add_argument("--timeout", type=float, default=20.0)
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--by", choices=("slowest", "total"), default="slowest",
                    help="list the schemas by their slowest step or by their whole replay")
    args = ap.parse_args(argv)
    tok = _peers.load_tokenizer(args.tokenizer)
    cache = MaskCache(tok.vocab, index_cache_dir=False)
    signal.signal(signal.SIGALRM, _alarm)
    rows: list[tuple[float, float, int, str, str]] = []  # (slowest ms, total ms, steps, schema, note)
    steps: list[float] = []
    started = time.perf_counter()
    for path in sorted(Path(args.data).glob("*/*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        valid = [t["data"] for t in doc.get("tests", []) if t["valid"]]
        if not valid:
            continue
        name = f"{path.parent.name}/{path.stem}"
        times: list[float] = []
        note = ""
        signal.setitimer(signal.ITIMER_REAL, args.timeout)
        try:
            parser = JsonSchema(doc["schema"], strict=False, key_order="any")
            matcher = Matcher(tok.vocab, parser, cache=cache)
            for t in tok.encode(json.dumps(valid[0])):
                t0 = time.perf_counter_ns()
                bits = matcher.bitmask()
                times.append((time.perf_counter_ns() - t0) / 1e6)
                if not (int(bits[t >> 5]) >> (t & 31)) & 1:
                    note = "REJECTED"
                    break
                matcher.accept(t)
        except _Timeout:
            note = "TIMEOUT"
        except Exception as exc:  # an unsupported schema: named, not timed
            note = type(exc).__name__
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        steps.extend(times)
        rows.append((max(times, default=0.0), sum(times), len(times), name, note))
    arr = np.asarray(steps)
    print(f"{len(rows)} schemas, {len(arr)} steps in {time.perf_counter() - started:.0f} s: "
          f"mean {arr.mean() * 1e3:.0f} us, p50 {np.median(arr) * 1e3:.0f} us, "
          f"p99 {np.percentile(arr, 99):.1f} ms")
    print("not replayed:", ", ".join(f"{name} ({note})" for *_, name, note in rows if note) or "none")
    print("slowest step (ms), total (ms), steps, schema:")
    col = 0 if args.by == "slowest" else 1
    for worst, total, n, name, note in sorted(rows, key=lambda r: (r[4] != "TIMEOUT", -r[col]))[: args.top]:
        print(f"{worst:9.1f} {total:9.0f} {n:6d}  {name} {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

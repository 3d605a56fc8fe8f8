"""MaskBench-style correctness run of ``JsonSchema`` over a folder of schema files.

Each file is ``{schema, tests: [{data, valid, description}]}``. A schema
*passes* when it compiles (``strict=False, key_order="any"``, within the
per-schema timeout), every valid instance (``json.dumps``) is accepted and
every invalid one rejected. Prints a markdown table per category and in total
and writes ``results.csv`` / ``results.json`` under ``--out``.

    python benchmarks/maskbench.py --data ../shared/maskbench-dev [--limit N] [--workers 2]
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import signal
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


class _Timeout(BaseException):  # not swallowed by "except Exception" anywhere
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _Timeout


def run_one(args: tuple[str, float]) -> dict[str, Any]:
    path_str, timeout = args
    from lmparsec.combinators.jsonschema import JsonSchema
    from lmparsec.errors import SchemaError, UnsupportedSchemaError

    path = Path(path_str)
    doc = json.loads(path.read_text(encoding="utf-8"))
    row: dict[str, Any] = {"category": path.parent.name, "id": path.stem, "compiled": False,
                           "passing": False, "valid_rejected": 0, "invalid_accepted": 0,
                           "tests": len(doc.get("tests", [])), "reason": "", "seconds": 0.0}
    start = time.perf_counter()
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        parser = JsonSchema(doc["schema"], strict=False, key_order="any")
        row["compiled"] = True
        for test in doc.get("tests", []):
            ok = parser.accepts(json.dumps(test["data"]))
            if test["valid"] and not ok:
                row["valid_rejected"] += 1
            elif not test["valid"] and ok:
                row["invalid_accepted"] += 1
        row["passing"] = row["valid_rejected"] == 0 and row["invalid_accepted"] == 0
        if not row["passing"]:
            row["reason"] = "wrong answers"
    except _Timeout:
        row["reason"] = "timeout" if not row["compiled"] else "timeout (checking)"
        row["passing"] = False
    except UnsupportedSchemaError as exc:
        row["reason"] = f"unsupported: {exc.keyword}"
        row["detail"] = str(exc)[:300]
    except SchemaError as exc:
        row["reason"] = "schema error: " + str(exc).split(":")[0][:60]
        row["detail"] = str(exc)[:300]
    except RecursionError:
        row["reason"] = "RecursionError"
    except Exception as exc:
        row["reason"] = f"crash: {type(exc).__name__}"
        row["detail"] = f"{type(exc).__name__}: {exc}"[:300]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    row["seconds"] = round(time.perf_counter() - start, 3)
    return row


def table(rows: list[dict[str, Any]]) -> str:
    cats: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        cats.setdefault(r["category"], []).append(r)
    lines = ["| category | schemas | compiled | passing | passing % | valid rejected | invalid accepted |",
             "|---|---:|---:|---:|---:|---:|---:|"]

    def line(name: str, rs: list[dict[str, Any]]) -> str:
        n = len(rs)
        c = sum(r["compiled"] for r in rs)
        p = sum(r["passing"] for r in rs)
        vr = sum(r["valid_rejected"] for r in rs)
        ia = sum(r["invalid_accepted"] for r in rs)
        return f"| {name} | {n} | {c} | {p} | {100 * p / max(n, 1):.1f} | {vr} | {ia} |"

    for name in sorted(cats):
        lines.append(line(name, cats[name]))
    lines.append(line("**total**", rows))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(HERE.parent.parent / "shared" / "maskbench-dev"))
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--out", default=str(HERE / "results"))
    ap.add_argument("--category", default="")
    args = ap.parse_args(argv)
    files = sorted(p for p in Path(args.data).glob("*/*.json"))
    if args.category:
        files = [p for p in files if p.parent.name == args.category]
    if args.limit:
        files = files[: args.limit]
    jobs = [(str(p), args.timeout) for p in files]
    t0 = time.perf_counter()
    rows = []
    with multiprocessing.Pool(args.workers) as pool:
        for i, row in enumerate(pool.imap_unordered(run_one, jobs, chunksize=4), 1):
            rows.append(row)
            if i % 200 == 0:
                print(f"... {i}/{len(jobs)} in {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    rows.sort(key=lambda r: (r["category"], r["id"]))
    print(table(rows))
    reasons = Counter(r["reason"] for r in rows if not r["passing"])
    print("\n| failure reason | schemas |\n|---|---:|")
    for reason, n in reasons.most_common():
        print(f"| {reason} | {n} |")
    print(f"\n{len(rows)} schemas in {time.perf_counter() - t0:.0f} s")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "maskbench.csv").open("w", newline="", encoding="utf-8") as fh:
        fields = ["category", "id", "compiled", "passing", "valid_rejected", "invalid_accepted",
                  "tests", "reason", "seconds", "detail"]
        w = csv.DictWriter(fh, fieldnames=fields, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    (out / "maskbench.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

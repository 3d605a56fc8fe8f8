"""Cold- and warm-pass A/B of two versions of lmparsec, each in processes of its own,
taking turns: the working tree against a git revision (default ``HEAD``).

    python benchmarks/ab_processes.py --base HEAD~2 --tokenizer mistral-7b --runs 5

``ab_cold.py`` runs both versions in one process and keeps the garbage collector out
of the timing, so it sees computation; this one sees what a server process pays: each
run is a fresh process that compiles the speed workload, freezes the heap as
``speed.py`` does, and replays it through lmparsec alone three times with one mask
cache (pass 1 cold, passes 2-3 warm), collector on. The versions alternate run by
run so that the machine's drift hits both; the medians and the median of the
pairwise ratios are printed (identical versions come out within ~3 % of each other
on this shared 2-core machine).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import _ab

ROOT = _ab.ROOT

_CHILD = _ab.JOBS + """
import time
cache = MaskCache(tok.vocab{cache_options})  # (warmed up as speed.py's is, unless --no-warm-up)
out = []
for _ in range(3):
    speed.freeze_heap()
    spent, steps = 0.0, 0
    for ids, parser in jobs:
        matcher = Matcher(tok.vocab, parser, cache=cache)
        for t in ids:
            t0 = time.perf_counter()
            matcher.bitmask()
            spent += time.perf_counter() - t0
            steps += 1
            matcher.accept(t)
    out.append(spent / steps * 1e6)
print(*out)
"""


def _run(source: Path, args: argparse.Namespace) -> list[float]:
    code = _CHILD.format(bench=str(ROOT / "benchmarks"), tokenizer=args.tokenizer, limit=args.limit,
                         maskbench=args.maskbench, cache_options=_ab.cache_options(args))
    env = {**os.environ, "PYTHONPATH": str(source)}
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, env=env,
                          cwd=str(source))
    return [float(x) for x in done.stdout.split()]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="HEAD", help="git revision to compare the working tree with")
    ap.add_argument("--tokenizer", default="mistral-7b")
    ap.add_argument("--runs", type=int, default=5, help="processes per version")
    ap.add_argument("--maskbench", type=int, default=60)
    ap.add_argument("--limit", type=int, default=20, help="instances per schema")
    _ab.add_warm_up_flag(ap)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        _ab.extract(args.base, base)
        results: dict[str, list[list[float]]] = {"base": [], "work": []}
        for _ in range(args.runs):
            results["base"].append(_run(base, args))
            results["work"].append(_run(ROOT, args))
    for name, label in (("base", args.base), ("work", "working tree")):
        cold = [r[0] for r in results[name]]
        warm = [statistics.mean(r[1:]) for r in results[name]]
        print(f"{label:14s} cold mean µs/step: median {statistics.median(cold):6.2f} "
              f"({', '.join(f'{c:.2f}' for c in cold)}); warm: median {statistics.median(warm):.2f}")
    ratios = [w[0] / b[0] for b, w in zip(results["base"], results["work"], strict=True)]
    print(f"cold ratio (working tree / base), median of pairs: {statistics.median(ratios):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

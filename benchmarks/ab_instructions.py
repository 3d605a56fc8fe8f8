"""Cold-pass A/B of two versions of lmparsec by instruction count: the working tree
against a git revision (default ``HEAD``), each replaying the speed workload's cold
pass once (lmparsec alone, the heap frozen first as ``speed.py`` does, collector on)
under valgrind's cachegrind, which counts the instructions the process executes.

    python benchmarks/ab_instructions.py --base HEAD~1 --tokenizer llama-3

Timings on this shared 2-core machine drift by ±3 % between processes taking turns
(``ab_processes.py``) and by ±10 % between runs, which hides a change worth 1 % of a
pass; an instruction count repeats to ~±0.3 % of a pass (~1.6 G instructions on
mistral-7b, ~3 G on llama-3). Each version runs twice: the whole pass, and the same
process stopped before the pass (loading the tokenizer and compiling the schemas),
whose difference is the pass's own count. Instructions are not time -- a change that
makes fewer but slower ones (memory) shows only in the timings -- but for Python code
they follow it closely. Needs valgrind (Debian: ``apt install valgrind``); ~2 minutes.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import _ab

ROOT = _ab.ROOT

_CHILD = _ab.JOBS + """
# (the index built here: versions may differ in format; warmed up as speed.py's is)
cache = MaskCache(tok.vocab, index_cache_dir=False{cache_options})
buf = np.zeros(tok.words, dtype=np.int32)
import gc
speed.freeze_heap()
# (no full collection: in speed.py's process, with torch and the peers loaded, the
# heap frozen is millions of objects and the collector's rule -- a full collection
# once a quarter of it is new -- brings none within a pass; here the heap is
# small and one would come, at a point that moves with every change)
gc.set_threshold(*gc.get_threshold()[:2], 1 << 30)
if {whole}:
    for ids, parser in jobs:
        matcher = Matcher(tok.vocab, parser, cache=cache)
        for t in ids:
            matcher.fill_bitmask(buf)
            matcher.accept(t)
"""


def _count(source: Path, args: argparse.Namespace, whole: bool) -> subprocess.Popen[str]:
    """A valgrind run of the pass (or of its set-up alone) on the lmparsec in ``source``."""
    code = _CHILD.format(bench=str(ROOT / "benchmarks"), tokenizer=args.tokenizer, limit=args.limit,
                         maskbench=args.maskbench, whole=whole, cache_options=_ab.cache_options(args))
    env = {**os.environ, "PYTHONPATH": str(source), "PYTHONHASHSEED": "0"}
    cmd = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
           sys.executable, "-c", code]
    return subprocess.Popen(cmd, env=env, cwd=str(source), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _refs(proc: subprocess.Popen[str]) -> int:
    _, err = proc.communicate()
    found = re.search(r"I\s+refs:\s+([\d,]+)", err)
    if proc.returncode or found is None:
        raise SystemExit(f"the valgrind run failed:\n{err[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="HEAD", help="git revision to compare the working tree with")
    ap.add_argument("--tokenizer", default="mistral-7b")
    ap.add_argument("--maskbench", type=int, default=60)
    ap.add_argument("--limit", type=int, default=20, help="instances per schema")
    _ab.add_warm_up_flag(ap)
    args = ap.parse_args(argv)
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt install valgrind)")
    with tempfile.TemporaryDirectory() as tmp:
        # both versions copied to paths of one length, and byte-compiled first: an
        # import's path searches and a first compile would count too
        base, work = Path(tmp) / "base", Path(tmp) / "work"
        _ab.extract(args.base, base)
        shutil.copytree(ROOT / "lmparsec", work / "lmparsec",
                        ignore=shutil.ignore_patterns("__pycache__"))
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(base), str(work)], check=True)
        counts = {}
        for whole in (True, False):  # (the two versions side by side: one per core)
            runs = {name: _count(path, args, whole) for name, path in (("base", base), ("work", work))}
            counts.update({(name, whole): _refs(proc) for name, proc in runs.items()})
    passes = {name: counts[(name, True)] - counts[(name, False)] for name in ("base", "work")}
    for name, label in (("base", args.base), ("work", "working tree")):
        setup = counts[(name, False)] / 1e9
        print(f"{label:14s} pass {passes[name] / 1e6:9.1f} M instructions (set-up {setup:.2f} G)")
    diff = passes["work"] - passes["base"]
    print(f"working tree - base: {diff / 1e6:+.1f} M ({diff / passes['base'] * 100:+.2f} % of the pass)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

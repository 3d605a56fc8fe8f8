"""Cold-pass A/B of two versions of lmparsec in one process: the working tree against a
git revision (default ``HEAD``), each with its own empty mask cache, replaying the speed
workload in the same order and taking turns instance by instance, so that the machine's
speed drift (±30 % over minutes on a shared 2-core box) hits both alike. Every mask of
the two versions is compared: a difference is reported as an error.

    python benchmarks/ab_cold.py --base HEAD~3 --tokenizer llama-3

Separate runs of ``speed.py`` are too noisy to see a 10 % change in the cold mean; this
sees one, and checks the change did not alter a single mask on the way. The garbage
collector runs between instances, untimed: this compares computation (a change to how much
garbage lmparsec makes shows in ``speed.py``, not here).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import shutil
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _ab
import _peers
import speed
import workloads

ROOT = _ab.ROOT


def _import_copies(revision: str, into: Path, same: bool = False) -> tuple[str, str]:
    """The working tree's ``lmparsec/`` as the package ``lmparsec_work`` and the one at
    ``revision`` as ``lmparsec_base``, both under ``into``: two fresh copies, so that
    neither shares process-wide tables with the ``lmparsec`` the benchmark itself
    imports (a version that did ran ~25 % slower than an identical fresh copy)."""
    _ab.extract(revision, into).rename(into / "lmparsec_base")
    source = into / "lmparsec_base" if same else ROOT / "lmparsec"
    shutil.copytree(source, into / "lmparsec_work", ignore=shutil.ignore_patterns("__pycache__"))
    sys.path.insert(0, str(into))
    return "lmparsec_work", "lmparsec_base"


class _Version:
    def __init__(self, package: str, tokenizer: _peers.Tokenizer, warm_up: bool) -> None:
        self.name = package
        self.jsonschema: ModuleType = importlib.import_module(package + ".combinators.jsonschema")
        self.tokens: ModuleType = importlib.import_module(package + ".tokens")
        vocabulary = importlib.import_module(package + ".tokens.vocabulary").Vocabulary
        self.vocab = vocabulary.from_file(tokenizer.path)
        # (warmed up as speed.py's is, unless --no-warm-up: no keyword then, which any revision takes)
        options = {"warm_up": True} if warm_up else {}
        self.cache = self.tokens.MaskCache(self.vocab, index_cache_dir=False, **options)
        self.spent = 0.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="HEAD", help="git revision to compare the working tree with")
    ap.add_argument("--tokenizer", default="llama-3")
    ap.add_argument("--maskbench", type=int, default=60)
    ap.add_argument("--limit", type=int, default=20, help="instances per seed schema")
    ap.add_argument("--same", action="store_true",
                    help="compare the revision with itself (how far apart two equal versions come out)")
    _ab.add_warm_up_flag(ap)
    args = ap.parse_args(argv)
    tok = _peers.load_tokenizer(args.tokenizer)
    work = workloads.seeds(args.limit) + workloads.maskbench(args.maskbench, per_schema=1)
    with tempfile.TemporaryDirectory() as tmp:
        work_pkg, base_pkg = _import_copies(args.base, Path(tmp), args.same)
        warm = not args.no_warm_up
        versions = [_Version(work_pkg, tok, warm), _Version(base_pkg, tok, warm)]
        speed.freeze_heap()
        # collections run between instances, untimed: a full one lasts ~100 ms here,
        # and falling on one version's turn or the other's it moved the ratio by ±10 %
        # (so this compares computation; garbage is measured by speed.py)
        gc.disable()
        steps = differ = turns = 0
        for n_wl, wl in enumerate(work):
            gc.collect(1 if n_wl % 16 else 2)
            parsers = [v.jsonschema.JsonSchema(wl.schema, strict=False) for v in versions]
            for text in wl.texts:
                ids = tok.encode(text)
                turn = list(zip(versions, parsers, strict=True))
                if turns % 2:  # (who goes first alternates instance by instance)
                    turn.reverse()
                turns += 1
                masks: dict[str, list[np.ndarray]] = {}
                for version, parser in turn:
                    matcher = version.tokens.Matcher(version.vocab, parser, cache=version.cache)
                    got = masks[version.name] = []
                    for t in ids:
                        t0 = time.perf_counter()
                        bits = matcher.bitmask()
                        version.spent += time.perf_counter() - t0
                        got.append(bits.copy())
                        if not (int(bits[t >> 5]) >> (t & 31)) & 1:
                            print(f"{version.name}: false reject in {wl.name}", file=sys.stderr)
                            break
                        matcher.accept(t)
                mine, theirs = masks[versions[0].name], masks[versions[1].name]
                same = len(mine) == len(theirs) and all(
                    np.array_equal(a, b) for a, b in zip(mine, theirs, strict=True))
                if not same:
                    differ += 1
                    print(f"masks differ: {wl.name} {text[:50]!r}", file=sys.stderr)
                steps += len(ids)
    gc.enable()
    for version in versions:
        label = "working tree" if version.name == "lmparsec_work" else args.base
        mean = version.spent / steps * 1e6
        print(f"{label:14s} cold mask time {version.spent:7.2f} s, mean {mean:5.0f} µs over {steps} steps")
    print(f"ratio {versions[0].spent / versions[1].spent:.3f}; instances whose masks differ: {differ}")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())

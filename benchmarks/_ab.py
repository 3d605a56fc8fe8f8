"""What the A/B tools share (``ab_cold.py``, ``ab_processes.py``, ``ab_instructions.py``):
a git revision's ``lmparsec/`` as files, and the start of a child process that replays
the speed workload -- the tokenizer and the instances' token ids with their compiled
schemas, made by whichever ``lmparsec`` the child imports."""

from __future__ import annotations

import argparse
import io
import subprocess
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: a child's first lines: ``tok`` and ``jobs`` (token ids, compiled schema) of the speed
#: workload; format with ``bench`` (this folder), ``tokenizer``, ``limit``, ``maskbench``
JOBS = """
import sys
sys.path.insert(0, {bench!r})
import numpy as np
import _peers, speed, workloads
from lmparsec.combinators.jsonschema import JsonSchema
from lmparsec.tokens import MaskCache, Matcher
tok = _peers.load_tokenizer({tokenizer!r})
work = workloads.seeds({limit}) + workloads.maskbench({maskbench}, per_schema=1, limit={limit})
# (each schema compiled once, its instances replayed through it: as speed.py does)
jobs = [(ids, parser) for wl in work for parser in [JsonSchema(wl.schema, strict=False)]
        for text in wl.texts for ids in [tok.encode(text)] if len(ids) <= 1024]
"""


def extract(revision: str, into: Path) -> Path:
    """``lmparsec/`` as it is at ``revision``, written under ``into``; its path."""
    data = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "lmparsec"],
                          check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into / "lmparsec"


def add_warm_up_flag(parser: argparse.ArgumentParser) -> None:
    """``--no-warm-up``: each version's cache made empty, not warmed up for JSON as
    ``speed.py`` makes lmparsec's (revisions before the warm-up need it)."""
    parser.add_argument("--no-warm-up", action="store_true",
                        help="start from an empty cache (as speed.py --no-warm-up; revisions "
                             "before MaskCache(warm_up=...) need it)")


def cache_options(args: argparse.Namespace) -> str:
    """The keyword arguments a child makes its ``MaskCache`` with, as source text:
    warmed up unless ``--no-warm-up`` (nothing passed then, which any revision takes)."""
    return "" if args.no_warm_up else ", warm_up=True"

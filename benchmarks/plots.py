"""PNG plots from a ``speed.py`` results folder (``python benchmarks/plots.py [folder]``).

- ``mask-ecdf-<pass>.png``: per tokenizer, the distribution (ECDF, log-scaled time)
  of per-step mask times of every engine, with the ``masked_fill_`` floor marked;
- ``compile-vs-size.png``: cold compile time against schema size, per engine.
"""

from __future__ import annotations

import csv
import gzip
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

COLORS = {
    "lmparsec": "tab:red", "lmparsec-regex": "tab:pink", "xgrammar": "tab:blue",
    "llguidance": "tab:green", "outlines-core": "tab:purple", "lm-format-enforcer": "tab:orange",
}


def _steps(folder: Path) -> dict[tuple[str, str, str], list[float]]:
    """(tokenizer, engine, pass) -> mask times in µs; pass is cold (1) or warm (2+,
    the median over warm passes per step)."""
    out: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for file in sorted(folder.glob("steps-*.csv.gz")):
        warm: dict[tuple[str, str, str, str, str], list[float]] = defaultdict(list)
        with gzip.open(file, "rt", newline="") as f:
            for row in csv.DictReader(f):
                us = int(row["mask_ns"]) / 1e3
                if row["pass"] == "1":
                    out[(row["tokenizer"], row["engine"], "cold")].append(us)
                else:
                    key = (row["tokenizer"], row["engine"], row["schema"], row["instance"], row["step"])
                    warm[key].append(us)
        for (tok, engine, *_), values in warm.items():
            out[(tok, engine, "warm")].append(float(np.median(values)))
    return out


def make_all(folder: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    made: list[Path] = []
    steps = _steps(folder)
    floors: dict[str, float] = {}
    summary = folder / "summary.csv"
    if summary.is_file():
        with summary.open() as f:
            for row in csv.DictReader(f):
                floors[row["tokenizer"]] = float(row["floor_us"])
    toks = sorted({k[0] for k in steps}, key=lambda t: ["mistral-7b", "llama-3", "qwen3"].index(t)
                  if t in ("mistral-7b", "llama-3", "qwen3") else 9)
    for pass_name in ("cold", "warm"):
        if not any(k[2] == pass_name for k in steps):
            continue
        fig, axes = plt.subplots(1, len(toks), figsize=(5.2 * len(toks), 4.2), sharex=True, squeeze=False)
        for ax, tok in zip(axes[0], toks, strict=True):
            for (t, engine, p), values in sorted(steps.items()):
                if t != tok or p != pass_name or not values:
                    continue
                xs = np.sort(np.asarray(values))
                ys = np.arange(1, len(xs) + 1) / len(xs)
                ax.step(xs, ys, where="post", label=f"{engine} (p50 {np.median(xs):.1f} µs)",
                        color=COLORS.get(engine))
            if tok in floors:
                ax.axvline(floors[tok], color="grey", linestyle=":",
                           label=f"masked_fill_ {floors[tok]:.0f} µs")
            ax.set_xscale("log")
            ax.set_title(f"{tok} — {pass_name} pass")
            ax.set_xlabel("mask time per step (µs, log)")
            ax.set_ylabel("fraction of steps ≤ x")
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize=7, loc="lower right")
        fig.tight_layout()
        path = folder / f"mask-ecdf-{pass_name}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        made.append(path)

    compile_csv = folder / "compile.csv"
    if compile_csv.is_file():
        points: dict[str, list[tuple[float, float]]] = defaultdict(list)
        with compile_csv.open() as f:
            for row in csv.DictReader(f):
                if row["cold_ms"]:
                    points[row["engine"]].append((float(row["schema_chars"]), float(row["cold_ms"])))
        fig, ax = plt.subplots(figsize=(7, 5))
        for engine, pts in sorted(points.items()):
            arr = np.asarray(pts)
            ax.scatter(arr[:, 0], arr[:, 1], s=10, alpha=0.6, label=engine, color=COLORS.get(engine))
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("schema size (chars of compact JSON, log)")
        ax.set_ylabel("cold compile time (ms, log)")
        ax.set_title("compile time vs schema size (all tokenizers)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        path = folder / "compile-vs-size.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        made.append(path)
    meta = folder / "meta.json"
    if meta.is_file():
        print(json.loads(meta.read_text()).get("command", ""), file=sys.stderr)
    return made


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "results"
    for p in make_all(target):
        print(p)

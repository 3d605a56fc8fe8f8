"""``speed.py`` several times, each in a process of its own, and the medians.

    python benchmarks/speed_runs.py --runs 3 -- --tokenizers mistral-7b llama-3 qwen3 \\
        --engines lmparsec xgrammar llguidance --maskbench 60 --per-schema 1 --limit 20 --reps 2

A cold pass happens once per process -- the first time the engines meet each
state -- so one run gives one sample of it, and on this shared 2-core machine
two runs of the same code differ by 10-20 % (see ``README.md``): a cold mean 7 %
below a peer's in one run says little. Each run here is a new process (new
caches, new allocator and collector state, the machine's load of its own
minutes), so the spread across runs is the noise a single number carries.

Run 1 writes its full outputs into ``--out`` (as ``speed.py --out`` does); run
``k`` > 1 into ``--out/run-k`` (its tables and CSVs; not its per-step files or
plots). Then ``runs.md`` and ``runs.csv`` in ``--out``: per engine, tokenizer
and pass, each ``summary.csv`` figure's median over the runs with its range, and
per tokenizer and workload lmparsec's cold mean against ``speed.GAP_PEER``'s over
the steps both replayed, run by run (``paired.csv``).
"""

from __future__ import annotations

import argparse
import csv
import statistics
import subprocess
import sys
from pathlib import Path

import speed

HERE = Path(__file__).resolve().parent
#: the ``summary.csv`` figures given as median [min-max] over the runs
FIGURES = ("mask_p50_us", "mask_p99_us", "mask_mean_us", "compile_cold_p50_ms", "prep_s")
_ROW_KEY = ("tokenizer", "engine", "group", "pass")


def run_dirs(out: Path, runs: int) -> list[Path]:
    """Where each run writes its outputs: the first into ``out`` itself."""
    return [out if k == 1 else out / f"run-{k}" for k in range(1, runs + 1)]


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return None if value != value else value  # (NaN: no figure)


def _spread(values: list[float], digits: int) -> str:
    if not values:
        return "-"
    mid = statistics.median(values)
    if len(values) == 1:
        return f"{mid:.{digits}f}"
    return f"{mid:.{digits}f} [{min(values):.{digits}f} to {max(values):.{digits}f}]"


def medians(dirs: list[Path]) -> tuple[list[dict[str, object]], list[str]]:
    """``runs.csv``'s rows (each figure's median, min and max over the runs, per
    engine, tokenizer, workload group and pass) and ``runs.md``'s lines."""
    per_run = [_read(d / "summary.csv") for d in dirs]
    keys: dict[tuple[str, ...], list[dict[str, str]]] = {}
    for rows in per_run:
        for row in rows:
            keys.setdefault(tuple(row[k] for k in _ROW_KEY), []).append(row)
    out_rows: list[dict[str, object]] = []
    for key, rows in keys.items():
        entry: dict[str, object] = dict(zip(_ROW_KEY, key, strict=True))
        entry["runs"] = len(rows)
        for fig in FIGURES:
            values = [v for r in rows if (v := _number(r.get(fig, ""))) is not None]
            entry[f"{fig}_median"] = round(statistics.median(values), 3) if values else ""
            entry[f"{fig}_min"] = round(min(values), 3) if values else ""
            entry[f"{fig}_max"] = round(max(values), 3) if values else ""
        entry["false_rejects_max"] = max(int(r["false_rejects"]) for r in rows)
        out_rows.append(entry)

    lines = [f"# lmparsec speed benchmark — {len(dirs)} runs, each in a process of its own", "",
             "Each figure: the median over the runs [lowest to highest]. Run 1's full results: "
             "[`results.md`](results.md); run k's: `run-k/results.md`.", ""]
    tokenizers = [t for t in speed.TOKENIZERS if any(k[0] == t for k in keys)]
    for pass_name in ("cold", "warm"):
        sel = sorted((k for k in keys if k[2] == "all" and k[3] == pass_name),
                     key=lambda k: (k[1], tokenizers.index(k[0])))
        if not sel:
            continue
        cold = pass_name == "cold"
        lines += [f"## {pass_name} pass", "",
                  "| engine | tokenizer | mask µs p50 | mask µs p99 | mask µs mean | "
                  + ("compile ms p50 (cold) | " if cold else "") + "false rejects (most in a run) |",
                  "|---|---|---:|---:|---:|" + ("---:|" if cold else "") + "---:|"]
        for key in sel:
            rows = keys[key]

            def fig(name: str, digits: int, rows: list[dict[str, str]] = rows) -> str:
                return _spread([v for r in rows if (v := _number(r[name])) is not None], digits)

            compiled = f"{fig('compile_cold_p50_ms', 1)} | " if cold else ""
            rejects = max(int(r["false_rejects"]) for r in rows)
            lines.append(f"| {key[1]} | {key[0]} | {fig('mask_p50_us', 1)} | {fig('mask_p99_us', 0)} | "
                         f"{fig('mask_mean_us', 1)} | {compiled}{rejects} |")
        lines.append("")
    paired = [_read(d / "paired.csv") for d in dirs if (d / "paired.csv").exists()]
    if paired:
        peer = paired[0][0]["peer"] if paired[0] else speed.GAP_PEER
        lines += [f"## lmparsec's cold mean over {peer}'s, over the steps both replayed", "",
                  "Per run (`paired.csv`): below 1 lmparsec's cold masks cost less. The seed schemas' "
                  "instances come back to states met before; each MaskBench schema is met once.", "",
                  "| tokenizer | workload | " + " | ".join(f"run {k}" for k in range(1, len(paired) + 1))
                  + " | median |",
                  "|---|---|" + "---:|" * (len(paired) + 1)]
        cells: dict[tuple[str, str], list[float]] = {}
        for rows in paired:
            for row in rows:
                cells.setdefault((row["tokenizer"], row["workload"]), []).append(float(row["ratio"]))
        for (tok, workload), ratios in sorted(cells.items(), key=lambda kv: (tokenizers.index(kv[0][0]),
                                                                              kv[0][1])):
            lines.append(f"| {tok} | {workload} | " + " | ".join(f"{r:.2f}" for r in ratios)
                         + f" | **{statistics.median(ratios):.2f}** |")
        lines.append("")
    return out_rows, lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", type=Path, default=HERE / "results")
    ap.add_argument("speed_args", nargs=argparse.REMAINDER,
                    help="after --: speed.py's arguments (not --out, which this sets per run)")
    args = ap.parse_args(argv)
    rest = [a for a in args.speed_args if a != "--"]
    if "--out" in rest:
        ap.error("--out is set per run: give it to speed_runs.py, before --")
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    dirs = run_dirs(args.out, args.runs)
    for k, folder in enumerate(dirs, start=1):
        folder.mkdir(parents=True, exist_ok=True)
        extra = [] if k == 1 else ["--no-plots"]
        print(f"== run {k} of {args.runs} -> {folder}", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, str(HERE / "speed.py"), *rest, *extra, "--out", str(folder)],
                       check=True, stdout=subprocess.DEVNULL)
        if k > 1:
            for steps in folder.glob("steps-*.csv.gz"):
                steps.unlink()  # (run 1 keeps every step; the others' tables say enough)
    rows, lines = medians(dirs)
    speed.write_rows(args.out / "runs.csv", rows)
    text = "\n".join([*lines[:2], f"- command: `python benchmarks/speed_runs.py --runs {args.runs} -- "
                      + " ".join(rest) + "`", "", *lines[2:]])
    (args.out / "runs.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Extraction quality on a real model: does constraining the output help, and what does it cost?

For every task in ``data/quality_tasks.json`` (``{id, category, prompt, schema, gold}``)
the default model (SmolLM2-135M-Instruct, :func:`lmparsec.models.load_model`) answers
in three modes, all greedy and through the model's chat template:

* ``prompt`` — the prompt alone, plain ``model.generate``; the first JSON object
  in the output is taken as the answer;
* ``lmparsec`` — the prompt, output constrained by the schema
  (``generate_json(..., describe=False)``);
* ``lmparsec+describe`` — the same plus a system message describing the schema
  (``describe=True``).

Measured per mode: JSON validity rate, schema adherence (``jsonschema``), field
accuracy against the gold answer (exact match per leaf, strings compared
case-insensitively), TTFT, TPOT, total latency and forward passes per output
token. Writes ``quality.csv`` (one row per task and mode), ``quality.md`` (the
summary table) and ``quality_*.png`` under ``--out``.

    python benchmarks/quality.py [--limit N] [--out DIR] [--max-new-tokens 120] [--resume]

Needs the ``bench`` extra (matplotlib) and the ``demo`` extra (the model).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MODES = ("prompt", "lmparsec", "lmparsec+describe")


# --- scoring --------------------------------------------------------------------


def first_json_object(text: str) -> Any:
    """The first JSON object in ``text`` (inside a code fence or not), or ``None``."""
    decoder = json.JSONDecoder()
    start = text.find("{")
    while start != -1:
        try:
            value, _ = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            start = text.find("{", start + 1)
            continue
        if isinstance(value, dict):
            return value
        start = text.find("{", start + 1)
    return None


def leaves(value: Any, path: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], Any]:
    """Path -> scalar for every leaf; an empty object or array is a leaf of its own."""
    if isinstance(value, dict) and value:
        out: dict[tuple[Any, ...], Any] = {}
        for k, v in value.items():
            out.update(leaves(v, (*path, k)))
        return out
    if isinstance(value, list) and value:
        out = {}
        for i, v in enumerate(value):
            out.update(leaves(v, (*path, i)))
        return out
    return {path: value}


def same_leaf(gold: Any, got: Any) -> bool:
    """Exact match, strings case-insensitively (and trimmed), 3 == 3.0, but never True == 1."""
    if isinstance(gold, bool) or isinstance(got, bool):
        return isinstance(gold, bool) and isinstance(got, bool) and gold == got
    if isinstance(gold, str) and isinstance(got, str):
        return gold.strip().casefold() == got.strip().casefold()
    if isinstance(gold, (int, float)) and isinstance(got, (int, float)):
        return math.isclose(gold, got, rel_tol=0, abs_tol=1e-9)
    return bool(gold == got) and type(gold) is type(got)


def field_scores(gold: Any, got: Any) -> tuple[int, int]:
    """(correct leaves, gold leaves); a missing answer scores 0."""
    gold_leaves = leaves(gold)
    got_leaves = leaves(got) if got is not None else {}
    missing = object()
    correct = sum(same_leaf(v, got_leaves.get(p, missing)) for p, v in gold_leaves.items()
                  if got_leaves.get(p, missing) is not missing)
    return correct, len(gold_leaves)


def adheres(value: Any, schema: dict[str, Any]) -> bool:
    import jsonschema

    if value is None:
        return False
    validator = jsonschema.validators.validator_for(schema)(schema)
    return bool(validator.is_valid(value))


# --- the three modes --------------------------------------------------------------


class _Clock:
    """A ``model.generate`` streamer that timestamps each new token (the first
    ``put`` is the prompt)."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.times: list[float] = []
        self._prompt_seen = False

    def put(self, value: Any) -> None:
        if not self._prompt_seen:
            self._prompt_seen = True
            return
        self.times.append(time.perf_counter())

    def end(self) -> None:
        pass


def run_prompt_only(model: Any, tokenizer: Any, task: dict[str, Any], max_new_tokens: int) -> dict[str, Any]:
    import torch

    messages = [{"role": "user", "content": task["prompt"]}]
    enc = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt",
                                        return_dict=True)
    clock = _Clock()
    with torch.no_grad():
        out = model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=False, streamer=clock,
                             pad_token_id=tokenizer.eos_token_id)
    total = time.perf_counter() - clock.start
    new = out[0, enc["input_ids"].shape[1]:].tolist()
    n_passes = len(new)
    while new and new[-1] in _eos_ids(model, tokenizer):
        new.pop()
    text = tokenizer.decode(new, skip_special_tokens=True)
    ttft = clock.times[0] - clock.start if clock.times else total
    n = len(new)
    return {
        "text": text,
        "value": first_json_object(text),
        "ttft_s": ttft,
        "tpot_s": (total - ttft) / (n_passes - 1) if n_passes > 1 else 0.0,
        "total_s": total,
        "output_tokens": n,
        "forward_passes": n_passes,
        "forced_tokens": 0,
    }


def _eos_ids(model: Any, tokenizer: Any) -> set[int]:
    ids = {tokenizer.eos_token_id}
    eos = getattr(model.generation_config, "eos_token_id", None)
    if isinstance(eos, int):
        ids.add(eos)
    elif isinstance(eos, list):
        ids.update(eos)
    return {i for i in ids if i is not None}


def run_lmparsec(model: Any, tokenizer: Any, task: dict[str, Any], max_new_tokens: int,
                 describe: bool) -> dict[str, Any]:
    from lmparsec.integrations.json_mode import generate_json

    result = generate_json(model, tokenizer, task["prompt"], task["schema"], describe=describe,
                           max_new_tokens=max_new_tokens)
    m = result.metrics
    return {
        "text": result.text,
        "value": result.value if result.completed else None,
        "ttft_s": m.ttft_s,
        "tpot_s": m.tpot_s,
        "total_s": m.total_s,
        "output_tokens": m.output_tokens,
        "forward_passes": m.forward_passes,
        "forced_tokens": m.forced_tokens,
    }


def run_task(model: Any, tokenizer: Any, task: dict[str, Any], mode: str,
             max_new_tokens: int) -> dict[str, Any]:
    budget = int(task.get("max_new_tokens", max_new_tokens))
    if mode == "prompt":
        out = run_prompt_only(model, tokenizer, task, budget)
    else:
        out = run_lmparsec(model, tokenizer, task, budget, describe=mode == "lmparsec+describe")
    correct, total = field_scores(task["gold"], out["value"])
    return {
        "id": task["id"],
        "category": task["category"],
        "mode": mode,
        "valid_json": out["value"] is not None,
        "adheres": adheres(out["value"], task["schema"]),
        "fields_correct": correct,
        "fields_total": total,
        "ttft_s": round(out["ttft_s"], 4),
        "tpot_s": round(out["tpot_s"], 5),
        "total_s": round(out["total_s"], 3),
        "output_tokens": out["output_tokens"],
        "forced_tokens": out["forced_tokens"],
        "forward_passes": out["forward_passes"],
        "text": out["text"],
    }


# --- reporting -------------------------------------------------------------------


def summarize(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for mode in MODES:
        rs = [r for r in rows if r["mode"] == mode]
        if not rs:
            continue
        tokens = sum(r["output_tokens"] for r in rs)
        leaves_total = sum(r["fields_total"] for r in rs)
        out.append({
            "mode": mode,
            "tasks": len(rs),
            "valid_json": sum(r["valid_json"] for r in rs) / len(rs),
            "schema_adherence": sum(r["adheres"] for r in rs) / len(rs),
            "field_accuracy": sum(r["fields_correct"] for r in rs) / max(1, leaves_total),
            "ttft_ms": 1000 * statistics.median(r["ttft_s"] for r in rs),
            "tpot_ms": 1000 * statistics.median(r["tpot_s"] for r in rs),
            "total_s": statistics.median(r["total_s"] for r in rs),
            "output_tokens": tokens / len(rs),
            "passes_per_token": sum(r["forward_passes"] for r in rs) / max(1, tokens),
        })
    return out


def markdown(summary: list[dict[str, Any]]) -> str:
    lines = [
        "| mode | tasks | valid JSON | schema adherence | field accuracy | TTFT (ms, median) "
        "| TPOT (ms, median) | total (s, median) | output tokens (mean) | forward passes / output token |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in summary:
        lines.append(
            f"| {s['mode']} | {s['tasks']} | {s['valid_json']:.1%} | {s['schema_adherence']:.1%} "
            f"| {s['field_accuracy']:.1%} | {s['ttft_ms']:.0f} | {s['tpot_ms']:.1f} | {s['total_s']:.2f} "
            f"| {s['output_tokens']:.1f} | {s['passes_per_token']:.2f} |"
        )
    return "\n".join(lines) + "\n"


def by_category(rows: list[dict[str, Any]]) -> str:
    cats = sorted({r["category"] for r in rows})
    lines = ["| category | " + " | ".join(f"{m} accuracy" for m in MODES) + " |",
             "|---|" + "---|" * len(MODES)]
    for c in cats:
        cells = []
        for m in MODES:
            rs = [r for r in rows if r["mode"] == m and r["category"] == c]
            total = sum(r["fields_total"] for r in rs)
            cells.append(f"{sum(r['fields_correct'] for r in rs) / total:.0%}" if total else "-")
        lines.append(f"| {c} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def plot(summary: list[dict[str, Any]], out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    modes = [s["mode"] for s in summary]
    paths = []
    fig, ax = plt.subplots(figsize=(8, 4))
    metrics = [("valid_json", "valid JSON"), ("schema_adherence", "schema adherence"),
               ("field_accuracy", "field accuracy")]
    width = 0.8 / len(modes)
    for i, mode in enumerate(modes):
        xs = [j + i * width for j in range(len(metrics))]
        ax.bar(xs, [100 * summary[i][k] for k, _ in metrics], width, label=mode)
    ax.set_xticks([j + width * (len(modes) - 1) / 2 for j in range(len(metrics))])
    ax.set_xticklabels([label for _, label in metrics])
    ax.set_ylabel("% of tasks / fields")
    ax.set_ylim(0, 105)
    ax.legend()
    ax.set_title("SmolLM2-135M-Instruct extraction quality")
    fig.tight_layout()
    paths.append(out / "quality_accuracy.png")
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)

    fig, axes = plt.subplots(1, 3, figsize=(11, 3.5))
    for ax, (key, label) in zip(axes, [("ttft_ms", "TTFT (ms)"), ("tpot_ms", "TPOT (ms)"),  # noqa: B905 - 3 and 3
                                       ("passes_per_token", "forward passes / token")]):
        ax.bar(modes, [s[key] for s in summary], color=["#888", "#1f77b4", "#2ca02c"][: len(modes)])
        ax.set_title(label)
        ax.tick_params(axis="x", labelrotation=20)
    fig.tight_layout()
    paths.append(out / "quality_latency.png")
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)
    return paths


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", type=Path, default=HERE / "data" / "quality_tasks.json")
    ap.add_argument("--limit", type=int, default=None, help="only the first N tasks")
    ap.add_argument("--out", type=Path, default=HERE / "results")
    ap.add_argument("--max-new-tokens", type=int, default=120)
    ap.add_argument("--modes", default=",".join(MODES), help="comma-separated subset of " + ", ".join(MODES))
    ap.add_argument("--model", default=None, help="checkpoint folder or .gguf (default: embedded SmolLM2)")
    ap.add_argument("--resume", action="store_true",
                    help="keep the rows already in OUT/quality_rows.jsonl and run only the missing ones")
    args = ap.parse_args(argv)
    modes = [m for m in args.modes.split(",") if m]
    unknown = set(modes) - set(MODES)
    if unknown:
        ap.error(f"unknown modes: {sorted(unknown)}")

    import torch

    from lmparsec.models import load_model

    torch.set_num_threads(1)  # shared 2-core machines: two threads under load are slower, not faster
    tasks = json.loads(args.tasks.read_text(encoding="utf-8"))["tasks"][: args.limit]
    model, tokenizer = load_model(args.model, progress=True)
    args.out.mkdir(parents=True, exist_ok=True)

    rows_path = args.out / "quality_rows.jsonl"
    done: dict[tuple[str, str], dict[str, Any]] = {}
    if args.resume and rows_path.is_file():
        for line in rows_path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                done[(row["id"], row["mode"])] = row
    rows: list[dict[str, Any]] = []
    log = rows_path.open("w", encoding="utf-8")
    for row in done.values():
        log.write(json.dumps(row, ensure_ascii=False) + "\n")
    for i, task in enumerate(tasks):
        for mode in modes:
            if (task["id"], mode) in done:
                rows.append(done[(task["id"], mode)])
                continue
            row = run_task(model, tokenizer, task, mode, args.max_new_tokens)
            rows.append(row)
            log.write(json.dumps(row, ensure_ascii=False) + "\n")
            log.flush()
            print(f"[{i + 1}/{len(tasks)}] {task['id']:<18} {mode:<18} valid={row['valid_json']!s:<5} "
                  f"adheres={row['adheres']!s:<5} fields={row['fields_correct']}/{row['fields_total']} "
                  f"{row['total_s']:.1f}s", file=sys.stderr, flush=True)
    log.close()

    fields = [k for k in rows[0] if k != "text"] + ["text"]
    with (args.out / "quality.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    summary = summarize(rows)
    table = markdown(summary)
    cats = by_category(rows)
    (args.out / "quality.md").write_text(
        f"{len(tasks)} tasks, max_new_tokens={args.max_new_tokens}, greedy, torch threads=1\n\n"
        + table + "\nField accuracy by category:\n\n" + cats, encoding="utf-8")
    plot(summary, args.out)
    print(table)
    print(cats)
    return 0


if __name__ == "__main__":
    sys.exit(main())

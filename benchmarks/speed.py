"""Per-token mask cost of lmparsec and its peers, measured side by side in one process.

    python benchmarks/speed.py                       # everything (tens of minutes)
    python benchmarks/speed.py --tokenizers llama-3 --maskbench 10 --reps 2   # a quick look

For every tokenizer, every engine is prepared (vocabulary preprocessing, timed),
compiles every schema (timed cold, then warm where the engine has a compile cache),
and then the hand-written and MaskBench valid instances are replayed token by
token through all engines in lockstep: at step ``i`` each engine computes its
mask (the only thing timed as "mask", with ``time.perf_counter_ns``), the
benchmark checks the instance's next token is allowed (a false reject if not:
that engine drops out of the instance), and each engine consumes the token
(timed apart as "advance"). After the last token each engine's mask must allow
EOS. The engine order is rotated at every step so no engine always runs on
caches warmed by another.

Pass 1 is *cold*: lmparsec starts with an empty mask cache (as in a fresh
server process) and fills it as the pass goes. Passes 2..R are *warm*: the
same instances again with every cache kept; their per-step times are the
median over those passes. Before each pass the heap is collected and frozen
(``freeze_heap``), as a server freezes its start-up heap.

Outputs under ``--out``: ``steps-<tokenizer>.csv.gz`` (every timed step),
``compile.csv``, ``prep.csv``, ``summary.csv``, ``paired.csv`` (lmparsec's and
llguidance's cold means over the steps both replayed), ``cache.csv`` (lmparsec's
mask cache after each pass), ``results.md`` and PNG plots. A cold pass is one
sample per process: ``speed_runs.py`` repeats the whole run in new processes and
gives the medians.
"""

from __future__ import annotations

import argparse
import csv
import gc
import gzip
import json
import os
import platform
import signal
import statistics
import sys
import time
import traceback
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _peers
import workloads
from _peers import DEFAULT_ENGINES, ENGINES, Engine, Tokenizer, UnsupportedError

TOKENIZERS = ("mistral-7b", "llama-3", "qwen3")


@dataclass
class Trace:
    """One engine's replay of one instance in one pass."""

    mask_ns: list[int] = field(default_factory=list)
    advance_ns: list[int] = field(default_factory=list)
    reject_at: int | None = None  # step of a false reject; len(tokens) when EOS was refused
    complete: bool = False
    error: str = ""  # the engine raised on this instance (counted as a reject at that step)


class CompileTimeoutError(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise CompileTimeoutError


def compile_limited(engine: Engine, schema: dict[str, Any], seconds: float) -> Any:
    """``engine.compile(schema)``, abandoned after ``seconds`` of wall time.

    SIGALRM interrupts Python code (lmparsec's compiler, interegular, LMFE) between
    bytecodes; a compile stuck inside a C extension is interrupted only when it
    returns (outlines-core, the one engine seen taking minutes there, builds in a
    child process with its own limit instead).
    """
    if engine.own_time_limit is not None:
        seconds = max(seconds, engine.own_time_limit + 30.0)  # let its own limit act first
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return engine.compile(schema)
    except CompileTimeoutError as exc:
        raise UnsupportedError(f"compile exceeded {seconds:.0f} s") from exc
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def now() -> int:
    return time.perf_counter_ns()


def floor_ns(size: int, repeats: int = 300) -> float:
    """Median time of one ``masked_fill_`` over vocab-sized float logits: the cost of
    merely applying any mask, which no engine can go below."""
    import torch

    logits = torch.randn(size)
    mask = torch.rand(size) > 0.5
    samples = []
    for _ in range(repeats):
        t0 = now()
        logits.masked_fill_(mask, float("-inf"))
        samples.append(now() - t0)
    return float(statistics.median(samples))


def replay(
    tokens: list[int], runs: dict[str, _peers.Run], order: list[str]
) -> dict[str, Trace]:
    """Feed ``tokens`` to every run in lockstep; returns each engine's trace."""
    traces = {name: Trace() for name in runs}
    live = list(order)
    n = len(live)
    for step, token in enumerate(tokens):
        if not live:
            break
        shift = step % len(live)
        for name in live[shift:] + live[:shift]:
            run = runs[name]
            trace = traces[name]
            try:
                t0 = now()
                run.fill()
                t1 = now()
                trace.mask_ns.append(t1 - t0)
                if not run.allowed(token):
                    trace.reject_at = step
                    continue
                t0 = now()
                ok = run.advance(token)
                trace.advance_ns.append(now() - t0)
            except Exception as exc:  # a peer that crashes mid-instance loses the instance
                trace.reject_at = step
                trace.error = f"{type(exc).__name__}: {exc}"[:200]
                continue
            if not ok:
                trace.reject_at = step
        live = [name for name in live if traces[name].reject_at is None]
    for name in live:
        run = runs[name]
        try:
            t0 = now()
            run.fill()
            traces[name].mask_ns.append(now() - t0)
            eos = run.eos_allowed()
        except Exception as exc:
            traces[name].error = f"{type(exc).__name__}: {exc}"[:200]
            eos = False
        if eos:
            traces[name].complete = True
        else:
            traces[name].reject_at = len(tokens)
    del n
    return traces


def freeze_heap() -> None:
    """Collects, then moves every object alive into the collector's permanent
    generation, as a server does once start-up is over (vLLM's ``freeze_gc_heap``):
    later collections visit only what the engines allocate while serving. In
    this process (torch, transformers and the peers loaded) a full collection
    of the start-up heap takes ~200 ms, charged to whichever call it falls in."""
    gc.collect()
    gc.freeze()


def pct(values: list[float] | np.ndarray, q: float) -> float:
    if len(values) == 0:
        return float("nan")
    return float(np.percentile(np.asarray(values, dtype=np.float64), q))


def run_tokenizer(tok_name: str, engine_names: list[str], work: list[workloads.Workload],
                  args: argparse.Namespace, out: Path) -> dict[str, Any]:
    print(f"\n== {tok_name}", file=sys.stderr, flush=True)
    tok = _peers.load_tokenizer(tok_name)
    result: dict[str, Any] = {"prep": {}, "compile": [], "traces": {}, "unavailable": {}, "floor_ns": 0.0}
    result["floor_ns"] = floor_ns(tok.size)

    engines: dict[str, Engine] = {}
    for name in engine_names:
        engine = ENGINES[name]()
        gc.collect()
        t0 = now()
        try:
            engine.prepare(tok)
        except (ImportError, OSError, RuntimeError, ValueError) as exc:
            result["unavailable"][name] = f"{type(exc).__name__}: {exc}"
            print(f"  {name}: unavailable: {exc}", file=sys.stderr)
            continue
        result["prep"][name] = (now() - t0) / 1e9
        print(f"  {name}: prepared in {result['prep'][name]:.2f} s", file=sys.stderr, flush=True)
        engines[name] = engine
    if "lmparsec" in engines:
        result["prep_reload"] = persisted_prep(tok)

    # instances as token ids (the same ids for every engine)
    items: list[tuple[workloads.Workload, int, list[int]]] = []
    skipped_long = 0
    for w in work:
        for i, text in enumerate(w.texts):
            ids = tok.encode(text)
            if len(ids) > args.max_tokens:
                skipped_long += 1
                continue
            items.append((w, i, ids))
    result["skipped_long"] = skipped_long
    result["instances"] = {(w.group, w.name, i): len(ids) for w, i, ids in items}

    # compile: cold (first time in this process), then warm
    compiled: dict[tuple[str, str], Any] = {}
    for w in work:
        if not any(iw is w for iw, _, _ in items):
            continue
        for name, engine in engines.items():
            row = {"tokenizer": tok_name, "engine": name, "group": w.group, "schema": w.name,
                   "schema_chars": w.size, "cold_ms": "", "warm_ms": "", "error": ""}
            try:
                t0 = now()
                compiled[(w.name, name)] = compile_limited(engine, w.schema, args.compile_timeout)
                cold = (now() - t0) / 1e6
                own = getattr(engine, "last_compile_s", None)
                row["cold_ms"] = own * 1e3 if own is not None else cold
                if engine.has_warm_compile:
                    t0 = now()
                    compile_limited(engine, w.schema, args.compile_timeout)
                    row["warm_ms"] = (now() - t0) / 1e6
            except UnsupportedError as exc:
                row["error"] = str(exc).replace("\n", " ")[:300]
            except Exception as exc:  # an engine crashing on one schema must not stop the rest
                row["error"] = f"crash {type(exc).__name__}: {str(exc)[:200]}".replace("\n", " ")
                if args.verbose:
                    traceback.print_exc()
            result["compile"].append(row)
        print(f"  compiled {w.group}/{w.name}", file=sys.stderr, flush=True)

    # replay passes
    for rep in range(args.reps):
        label = "cold" if rep == 0 else "warm"
        if rep == 0:
            for engine in engines.values():
                engine.fresh_caches()
        freeze_heap()
        t_pass = now()
        order = list(engines)
        for w, i, ids in items:
            runs = {}
            for name, engine in engines.items():
                if (w.name, name) in compiled:
                    try:
                        runs[name] = engine.start(compiled[(w.name, name)])
                    except Exception as exc:
                        print(f"  {name} could not start on {w.name}: {exc}", file=sys.stderr)
            traces = replay(ids, runs, [n for n in order if n in runs])
            for name, trace in traces.items():
                result["traces"][(rep, name, w.group, w.name, i)] = trace
        print(f"  pass {rep + 1} ({label}) took {(now() - t_pass) / 1e9:.1f} s", file=sys.stderr, flush=True)
        for name, engine in engines.items():
            report = engine.cache_report()
            if report is not None:
                result.setdefault("cache", {}).setdefault(name, []).append(report)
    gc.unfreeze()

    write_steps(out / f"steps-{tok_name}.csv.gz", tok_name, result["traces"])
    return result


def persisted_prep(tok: Tokenizer) -> dict[str, float]:
    """lmparsec's prep when the token index comes from the on-disk cache."""
    import tempfile

    from lmparsec.tokens import Vocabulary
    from lmparsec.tokens.index import TokenIndex
    from lmparsec.tokens.persist import load_index, save_index

    with tempfile.TemporaryDirectory() as folder:
        t0 = now()
        vocab = Vocabulary.from_file(tok.path)
        t1 = now()
        index = TokenIndex(vocab)
        t2 = now()
        save_index(index, folder)
        t3 = now()
        again = load_index(vocab, folder)
        t4 = now()
        assert again is not None
    return {"vocabulary_s": (t1 - t0) / 1e9, "index_build_s": (t2 - t1) / 1e9,
            "index_save_s": (t3 - t2) / 1e9, "index_reload_s": (t4 - t3) / 1e9}


def write_steps(path: Path, tok_name: str, traces: dict[tuple[Any, ...], Trace]) -> None:
    with gzip.open(path, "wt", newline="") as f:
        w = csv.writer(f)
        w.writerow(["tokenizer", "pass", "engine", "group", "schema", "instance", "step",
                    "mask_ns", "advance_ns"])
        for (rep, name, group, schema, inst), trace in traces.items():
            adv = trace.advance_ns
            for step, ns in enumerate(trace.mask_ns):
                w.writerow([tok_name, rep + 1, name, group, schema, inst, step, ns,
                            adv[step] if step < len(adv) else ""])


def step_times(
    result: dict[str, Any], name: str, warm: bool, group: str | None
) -> tuple[np.ndarray, np.ndarray]:
    """Per-step mask and advance times (ns) of one engine: pass 1 (cold), or the
    element-wise median over passes 2..R (warm)."""
    reps = sorted({key[0] for key in result["traces"]})
    use = [r for r in reps if (r > 0) == warm]
    masks: list[np.ndarray] = []
    advances: list[np.ndarray] = []
    for (w_group, w_name, inst) in result["instances"]:
        if group is not None and w_group != group:
            continue
        per_rep = [result["traces"].get((r, name, w_group, w_name, inst)) for r in use]
        per_rep = [t for t in per_rep if t is not None]
        if not per_rep:
            continue
        n = min(len(t.mask_ns) for t in per_rep)
        masks.append(np.median(np.asarray([t.mask_ns[:n] for t in per_rep], dtype=np.float64), axis=0))
        m = min(len(t.advance_ns) for t in per_rep)
        advances.append(np.median(np.asarray([t.advance_ns[:m] for t in per_rep], dtype=np.float64), axis=0))
    return _cat(masks), _cat(advances)


def _cat(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0)


def summarize(results: dict[str, dict[str, Any]], engine_names: list[str]) -> list[dict[str, Any]]:
    rows = []
    for tok_name, result in results.items():
        for name in engine_names:
            if name not in result["prep"]:
                continue
            comp = [r for r in result["compile"] if r["engine"] == name]
            for group in (None, "seeds", "maskbench"):
                keys = [k for k in result["instances"] if group is None or k[0] == group]
                if not keys:
                    continue
                schemas = {(k[0], k[1]) for k in keys}
                comp_g = [r for r in comp if (r["group"], r["schema"]) in schemas]
                cold_c = [float(r["cold_ms"]) for r in comp_g if r["cold_ms"] != ""]
                warm_c = [float(r["warm_ms"]) for r in comp_g if r["warm_ms"] != ""]
                for warm in (False, True):
                    has_pass = any((k[0] > 0) == warm for k in result["traces"])
                    if not has_pass:
                        continue
                    masks, advances = step_times(result, name, warm, group)
                    first = 1 if warm else 0
                    complete = rejects = 0
                    for (g, s, i) in keys:
                        trace = result["traces"].get((first, name, g, s, i))
                        if trace is None:
                            continue
                        complete += trace.complete
                        rejects += trace.reject_at is not None
                    # a new schema's first request: compile, then every mask of its first
                    # instance (pass 1), over the schemas this engine compiled and replayed
                    compile_ms = {(r["group"], r["schema"]): float(r["cold_ms"])
                                  for r in comp_g if r["cold_ms"] != ""}
                    requests = []
                    for (g, s, i) in keys:
                        trace = result["traces"].get((0, name, g, s, i))
                        if i == 0 and trace is not None and trace.complete and (g, s) in compile_ms:
                            requests.append(compile_ms[(g, s)] + sum(trace.mask_ns) / 1e6)
                    rows.append({
                        "tokenizer": tok_name, "engine": name, "group": group or "all",
                        "pass": "warm" if warm else "cold",
                        "prep_s": round(result["prep"][name], 3),
                        "compile_cold_p50_ms": round(pct(cold_c, 50), 3),
                        "compile_cold_p99_ms": round(pct(cold_c, 99), 3),
                        "compile_warm_p50_ms": round(pct(warm_c, 50), 3) if warm_c else "",
                        "schemas_compiled": len(cold_c), "schemas": len(schemas),
                        "steps": len(masks),
                        "mask_p50_us": round(pct(masks, 50) / 1e3, 2),
                        "mask_p99_us": round(pct(masks, 99) / 1e3, 2),
                        "mask_mean_us": round(float(masks.mean()) / 1e3 if len(masks) else float("nan"), 2),
                        "mask_max_us": round(float(masks.max()) / 1e3 if len(masks) else float("nan"), 1),
                        "advance_p50_us": round(pct(advances, 50) / 1e3, 2),
                        "false_rejects": rejects,
                        "complete": complete, "instances": len(keys),
                        "floor_us": round(result["floor_ns"] / 1e3, 2),
                        "first_request_p50_ms": round(pct(requests, 50), 2),
                        "first_request_mean_ms": round(float(np.mean(requests)), 2)
                        if requests else float("nan"),
                        "first_requests": len(requests),
                    })
    return rows


#: the peer whose cold mean the issue's mean target names (see :func:`cold_gaps`)
GAP_PEER = "llguidance"


def _paired_cold(result: dict[str, Any], peer: str
                 ) -> tuple[dict[str, float], dict[str, float], dict[str, int], dict[str, str]]:
    """lmparsec's and ``peer``'s cold mask ms per schema, the steps, and the
    schema's workload group, over the steps both replayed of each instance (pass 1)."""
    ours: dict[str, float] = {}
    theirs: dict[str, float] = {}
    steps: dict[str, int] = {}
    groups: dict[str, str] = {}
    for (rep, name, group, schema, inst), trace in result["traces"].items():
        if rep != 0 or name != "lmparsec":
            continue
        other = result["traces"].get((0, peer, group, schema, inst))
        if other is None:
            continue
        n = min(len(trace.mask_ns), len(other.mask_ns))
        ours[schema] = ours.get(schema, 0.0) + sum(trace.mask_ns[:n]) / 1e6
        theirs[schema] = theirs.get(schema, 0.0) + sum(other.mask_ns[:n]) / 1e6
        steps[schema] = steps.get(schema, 0) + n
        groups[schema] = group
    return ours, theirs, steps, groups


def paired_cold_means(result: dict[str, Any], peer: str = GAP_PEER,
                      group: str | None = None) -> tuple[float, float, int] | None:
    """The cold means (µs) of lmparsec and ``peer`` over the steps both replayed
    (each engine's own mean also counts the schemas only it compiled), over one
    workload ``group`` only if given: the seed schemas' instances come back to
    states met before, the MaskBench schemas' are met once -- first visits."""
    ours, theirs, steps, groups = _paired_cold(result, peer)
    kept = [s for s in steps if group is None or groups[s] == group]
    n = sum(steps[s] for s in kept)
    if not n:
        return None
    return sum(ours[s] for s in kept) * 1e3 / n, sum(theirs[s] for s in kept) * 1e3 / n, n


def cold_gaps(result: dict[str, Any], peer: str = GAP_PEER,
              top: int = 8) -> list[tuple[str, int, float, float]]:
    """The schemas where lmparsec's cold mask time exceeds ``peer``'s the most:
    ``(schema, steps, lmparsec ms, peer ms)``, over the steps both replayed of
    each instance (pass 1). A handful of schemas usually hold most of the gap
    in the cold mean, and those are where a change to lmparsec pays."""
    ours, theirs, steps, _ = _paired_cold(result, peer)
    ranked = sorted(ours, key=lambda s: theirs[s] - ours[s])
    return [(s, steps[s], ours[s], theirs[s]) for s in ranked[:top] if ours[s] > theirs[s]]


def markdown(rows: list[dict[str, Any]], results: dict[str, dict[str, Any]], meta: dict[str, Any]) -> str:
    lines = [
        "# lmparsec speed benchmark — results",
        "",
        f"- when: {meta['when']}; host: {meta['host']}; python {meta['python']}; "
        f"torch threads 1; load average before/after: {meta['load_before']} / {meta['load_after']}",
        f"- engines: {meta['versions']}",
        f"- workload: {meta['workload']}",
        f"- command: `{meta['command']}`",
        f"- lmparsec's caches: {meta.get('lmparsec_cache', 'new, empty')}",
        "",
        "mask = time to compute one next-token mask (p50/p99/mean over every replayed step); "
        "compile = schema dict to ready matcher (cold: first time in the process); "
        "rejects = instances where a valid token (or the final EOS) was refused; "
        "coverage = instances fully replayed, EOS included / all instances (schemas an engine "
        "cannot compile count as not covered); floor = one `masked_fill_` on vocab-sized logits.",
        "",
    ]
    for pass_name in ("cold", "warm"):
        sel = [r for r in rows if r["group"] == "all" and r["pass"] == pass_name]
        if not sel:
            continue
        lines += [
            f"## {pass_name} pass" + (f" (lmparsec's mask cache starts {meta.get('lmparsec_start', 'empty')})"
                                     if pass_name == "cold"
                                     else " (same instances again, caches kept; median of passes 2..R)"),
            "",
            "| engine | tokenizer | prep s | compile ms p50 / p99 (cold) | compile ms p50 (warm) "
            "| mask µs p50 / p99 / mean | advance µs p50 | false rejects | coverage | floor µs |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in sorted(sel, key=lambda r: (r["engine"], TOKENIZERS.index(r["tokenizer"]))):
            lines.append(
                f"| {r['engine']} | {r['tokenizer']} | {r['prep_s']:.2f} | "
                f"{r['compile_cold_p50_ms']:.1f} / {r['compile_cold_p99_ms']:.0f} | "
                f"{r['compile_warm_p50_ms'] if r['compile_warm_p50_ms'] != '' else '-'} | "
                f"{r['mask_p50_us']:.1f} / {r['mask_p99_us']:.0f} / {r['mask_mean_us']:.1f} | "
                f"{r['advance_p50_us']:.1f} | {r['false_rejects']} | "
                f"{r['complete']}/{r['instances']} | {r['floor_us']:.1f} |"
            )
        lines.append("")
    sel = [r for r in rows if r["group"] == "all" and r["pass"] == "cold"]
    lines += [
        "## a new schema's first request (compile + every mask of its first instance, cold)", "",
        "What a server pays the first time it sees a schema: the cold compile plus the masks of "
        "the whole first instance (pass 1). Over the schemas the engine compiled and replayed to "
        "the end (`n`).", "",
        "| engine | tokenizer | ms p50 | ms mean | n |", "|---|---|---:|---:|---:|",
    ]
    for r in sorted(sel, key=lambda r: (r["engine"], TOKENIZERS.index(r["tokenizer"]))):
        lines.append(f"| {r['engine']} | {r['tokenizer']} | {r['first_request_p50_ms']:.1f} | "
                     f"{r['first_request_mean_ms']:.1f} | {r['first_requests']} |")
    lines.append("")
    lines += ["## per workload group (cold pass; mask µs p50 / p99, rejects, coverage)", "",
              "| engine | tokenizer | seeds | maskbench |", "|---|---|---|---|"]
    by = {(r["engine"], r["tokenizer"], r["group"], r["pass"]): r for r in rows}
    for engine in sorted({r["engine"] for r in rows}):
        for tok in TOKENIZERS:
            cells = []
            for group in ("seeds", "maskbench"):
                r = by.get((engine, tok, group, "cold"))
                cells.append("-" if r is None else
                             f"{r['mask_p50_us']:.1f} / {r['mask_p99_us']:.0f}, {r['false_rejects']} rej, "
                             f"{r['complete']}/{r['instances']}")
            if any(c != "-" for c in cells):
                lines.append(f"| {engine} | {tok} | {cells[0]} | {cells[1]} |")
    lines.append("")
    paired = []
    for tok, result in results.items():
        for group in (None, *sorted({key[2] for key in result["traces"]})):
            got = paired_cold_means(result, group=group)
            if got is not None:
                paired.append(f"| {tok} | {group or 'all'} | {got[2]} | {got[0]:.2f} | {got[1]:.2f} | "
                              f"{got[0] / got[1]:.3f} |")
    if paired:
        lines += [f"## cold mean over the steps lmparsec and {GAP_PEER} both replayed (pass 1)", "",
                  "The tables above give each engine's mean over its own steps, which counts the schemas "
                  "only one engine compiled; this one compares like with like -- over all steps, and per "
                  "workload group (the seed schemas' instances come back to states met before; each "
                  "MaskBench schema is met once: first visits).", "",
                  f"| tokenizer | workload | steps | lmparsec µs | {GAP_PEER} µs | ratio |",
                  "|---|---|---:|---:|---:|---:|", *paired, ""]
    gap_lines = []
    for tok, result in results.items():
        for schema, n, ours, theirs in cold_gaps(result):
            gap_lines.append(f"| {tok} | {schema} | {n} | {ours:.1f} | {theirs:.1f} | {ours - theirs:+.1f} |")
    if gap_lines:
        lines += [f"## where lmparsec's cold mask time exceeds {GAP_PEER}'s most (pass 1, by schema)", "",
                  "Summed over the steps both engines replayed; the schemas that hold most of the gap "
                  "in the cold mean.", "",
                  f"| tokenizer | schema | steps | lmparsec ms | {GAP_PEER} ms | difference ms |",
                  "|---|---|---:|---:|---:|---:|", *gap_lines, ""]
    cache_lines = []
    for tok, result in results.items():
        for name, reports in result.get("cache", {}).items():
            for rep, got in enumerate(reports):
                cache_lines.append(
                    f"| {name} | {tok} | {rep + 1} | {got['entries']:,.0f} | {got['mib']:.1f} | "
                    f"{got['bound_mib']:.0f} | {100 * got['hit_rate']:.1f} % | {got['transitions']:,.0f} |")
    if cache_lines:
        lines += [
            "## mask cache after each pass (counted from the cache's making, its JSON warm-up included)", "",
            "lmparsec's masks, kept by parser key, are an LRU bounded by bytes "
            "(`MaskCache(max_bytes=...)`, 256 MiB by default; `MaskCache.stats()` reads this). Hit rate: "
            "the share of mask lookups answered from a kept mask, nested lookups (a union's parts, a "
            "shared head) included. Transitions: the (state, token) steps kept, a count bounded apart "
            "from the bytes.", "",
            "| engine | tokenizer | after pass | masks kept | MiB | bound MiB | hit rate | transitions |",
            "|---|---|---:|---:|---:|---:|---:|---:|", *cache_lines, ""]
    reload_lines = []
    for tok, result in results.items():
        p = result.get("prep_reload")
        if p:
            reload_lines.append(
                f"| {tok} | {p['vocabulary_s']:.2f} | {p['index_build_s']:.2f} | {p['index_reload_s']:.3f} |")
    if reload_lines:
        lines += ["## lmparsec prep with the persisted token index (`lmparsec/tokens/persist.py`)", "",
                  "| tokenizer | Vocabulary.from_file s | TokenIndex build s | TokenIndex reload s |",
                  "|---|---:|---:|---:|", *reload_lines, ""]
    unavailable = {(t, e): why for t, r in results.items() for e, why in r["unavailable"].items()}
    if unavailable:
        lines += ["## engines that could not run", ""]
        lines += [f"- {e} on {t}: {why}" for (t, e), why in unavailable.items()]
        lines.append("")
    errors: dict[str, dict[str, str]] = defaultdict(dict)
    for result in results.values():
        for row in result["compile"]:
            if row["error"]:
                errors[row["engine"]].setdefault(f"{row['group']}/{row['schema']}", row["error"])
    if errors:
        lines += ["## schemas an engine could not compile (first tokenizer's message)", ""]
        for engine, errs in sorted(errors.items()):
            lines.append(f"- **{engine}** ({len(errs)}): " + "; ".join(
                f"`{s}`: {msg[:90]}" for s, msg in sorted(errs.items())[:12])
                + (" …" if len(errs) > 12 else ""))
        lines.append("")
    crashes: dict[str, dict[str, str]] = defaultdict(dict)
    for result in results.values():
        for (rep, name, group, schema, _i), trace in result["traces"].items():
            if rep == 0 and trace.error:
                crashes[name].setdefault(f"{group}/{schema}", trace.error)
    if crashes:
        lines += ["## engines that raised during a replay (counted as false rejects)", ""]
        for engine, errs in sorted(crashes.items()):
            lines.append(f"- **{engine}** ({len(errs)}): " + "; ".join(
                f"`{s}`: {msg[:90]}" for s, msg in sorted(errs.items())[:12])
                + (" …" if len(errs) > 12 else ""))
        lines.append("")
    return "\n".join(lines)


def write_rows(path: Path, rows: list[dict[str, Any]]) -> None:
    """A CSV of ``rows`` (dicts with the same keys, the first row's order)."""
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def versions(engine_names: list[str]) -> str:
    from importlib.metadata import PackageNotFoundError, version

    dists = {"lmparsec": "lmparsec", "xgrammar": "xgrammar", "llguidance": "llguidance",
             "outlines-core": "outlines_core", "lm-format-enforcer": "lm-format-enforcer",
             "lmparsec-regex": "lmparsec"}
    parts = []
    for name in engine_names:
        try:
            parts.append(f"{name} {version(dists[name])}")
        except PackageNotFoundError:
            parts.append(f"{name} (not installed)")
    import torch
    import transformers

    parts.append(f"torch {torch.__version__}, transformers {transformers.__version__}")
    return ", ".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokenizers", nargs="+", default=list(TOKENIZERS), choices=TOKENIZERS)
    parser.add_argument("--engines", nargs="+", default=list(DEFAULT_ENGINES), choices=sorted(ENGINES))
    parser.add_argument("--limit", type=int, default=None, help="instances per schema (seeds and maskbench)")
    parser.add_argument("--maskbench", type=int, default=60, help="maskbench-dev schemas in the sample")
    parser.add_argument("--per-schema", type=int, default=2, help="valid instances per maskbench schema")
    parser.add_argument("--seed", type=int, default=0, help="seed of the maskbench sample")
    parser.add_argument("--max-tokens", type=int, default=1024, help="skip longer instances")
    parser.add_argument("--reps", type=int, default=3, help="replay passes: 1 cold + (reps-1) warm")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results")
    parser.add_argument("--compile-timeout", type=float, default=30.0,
                        help="seconds before a schema counts as not compilable by an engine")
    parser.add_argument("--no-warm-up", action="store_true",
                        help="lmparsec's caches made empty, not warmed up for JSON (warm_up=False)")
    parser.add_argument("--no-plots", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(1)
    _peers.Lmparsec.warm_up = not args.no_warm_up
    args.out.mkdir(parents=True, exist_ok=True)
    work = workloads.seeds(args.limit) + workloads.maskbench(
        args.maskbench, per_schema=args.per_schema, seed=args.seed, limit=args.limit)
    n_inst = sum(len(w.texts) for w in work)
    print(f"{len(work)} schemas, {n_inst} instances; engines {args.engines}", file=sys.stderr)
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())

    results = {}
    for tok_name in args.tokenizers:
        results[tok_name] = run_tokenizer(tok_name, args.engines, work, args, args.out)

    meta = {
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "host": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "python": platform.python_version(),
        "load_before": load_before,
        "load_after": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "versions": versions(args.engines) + (" (LMFE via a transformers-5 import shim)"
                                               if _peers.LMFE_SHIM_USED else ""),
        "workload": f"{sum(w.group == 'seeds' for w in work)} seed schemas + "
                    f"{sum(w.group == 'maskbench' for w in work)} maskbench-dev schemas "
                    f"(seed {args.seed}), {n_inst} instances, reps {args.reps}; instances over "
                    f"{args.max_tokens} tokens skipped: "
                    + ", ".join(f"{t} {r['skipped_long']}" for t, r in results.items()),
        "command": "python benchmarks/speed.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "lmparsec_cache": ("new, empty (--no-warm-up)" if args.no_warm_up else
                           "new, warmed up for JSON as a server's are (MaskCache(warm_up=True): "
                           "a few generic documents walked, its time counted in prep)"),
        "lmparsec_start": "empty" if args.no_warm_up else "with its JSON warm-up only",
    }
    rows = summarize(results, args.engines)
    write_rows(args.out / "summary.csv", rows)
    write_rows(args.out / "compile.csv", [r for result in results.values() for r in result["compile"]])
    with (args.out / "prep.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["tokenizer", "engine", "prep_s"])
        for tok_name, result in results.items():
            for name, seconds in result["prep"].items():
                writer.writerow([tok_name, name, round(seconds, 4)])
            for key, seconds in (result.get("prep_reload") or {}).items():
                writer.writerow([tok_name, f"lmparsec:{key}", round(seconds, 4)])
    cache_rows = [{"tokenizer": tok_name, "engine": name, "after_pass": rep + 1, **got}
                  for tok_name, result in results.items()
                  for name, reports in result.get("cache", {}).items() for rep, got in enumerate(reports)]
    if cache_rows:
        write_rows(args.out / "cache.csv", cache_rows)
    with (args.out / "paired.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["tokenizer", "workload", "steps", "lmparsec_us", "peer", "peer_us", "ratio"])
        for tok_name, result in results.items():
            for group in (None, *sorted({key[2] for key in result["traces"]})):
                got = paired_cold_means(result, group=group)
                if got is not None:
                    writer.writerow([tok_name, group or "all", got[2], round(got[0], 3), GAP_PEER,
                                     round(got[1], 3), round(got[0] / got[1], 4)])
    (args.out / "meta.json").write_text(json.dumps(meta, indent=1))
    md = markdown(rows, results, meta)
    (args.out / "results.md").write_text(md)
    print(md)
    if not args.no_plots:
        import plots

        plots.make_all(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Which states make lmparsec's cold masks slow: replays the speed workload through
lmparsec alone with an empty mask cache and lists the slowest mask computations
with the path that answered them (loop table, step class, chain, split, trie walk).
It also counts the computed masks equal to one computed earlier under another key
(work a coarser, still exact key would have saved); nested computations -- split
parts, segment heads (``Probe>...``) -- count on their own, and their time also
in the computation that asked for them.

    python benchmarks/cold_tail.py --tokenizer llama-3 --maskbench 20 --top 25
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _peers
import speed
import workloads

from lmparsec.combinators.jsonschema import JsonSchema
from lmparsec.tokens import MaskCache, Matcher

_PHASES = {
    "ObjectState": ["OPEN", "FIRST", "KEY", "COLON", "PREVAL", "VALUE", "POSTVAL", "PREKEY", "DONE"],
    "ArrayState": ["OPEN", "FIRST", "VALUE", "POSTVAL", "PREVAL", "DONE"],
}


def _describe(state: object, depth: int = 0) -> str:
    name = type(state).__name__
    phase = getattr(state, "phase", None)
    if isinstance(phase, int) and name in _PHASES:
        name += ":" + _PHASES[name][phase]
    if name == "Padded":  # a segment head: the value it reads
        return f"Padded({state.node.start(0).__class__.__name__})"  # type: ignore[attr-defined]
    inner = getattr(state, "child", None) or getattr(state, "inner", None) or getattr(state, "head", None)
    if inner is not None and depth < 6:
        return f"{name}>{_describe(inner, depth + 1)}"
    return name


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokenizer", default="llama-3")
    ap.add_argument("--maskbench", type=int, default=20)
    ap.add_argument("--limit", type=int, default=5)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--path", default=None, help="list only masks answered by this path")
    args = ap.parse_args(argv)
    tok = _peers.load_tokenizer(args.tokenizer)
    work = workloads.seeds(args.limit) + workloads.maskbench(args.maskbench, per_schema=1)
    cache = MaskCache(tok.vocab)
    records: list[tuple[float, str, str, int, str, float]] = []
    current = {"path": ""}
    workload = {"name": "", "text": ""}
    originals = {}
    for name in ("_loop_walk", "_class_walk", "_chain_walk"):
        originals[name] = getattr(MaskCache, name)

        def wrapped(self, state, _name=name):  # type: ignore[no-untyped-def]
            out = originals[_name](self, state)
            if out is not None and not current["path"]:
                current["path"] = _name
            return out

        setattr(MaskCache, name, wrapped)
    compute = MaskCache._compute

    def timed(self, state, pending):  # type: ignore[no-untyped-def]
        saved = current["path"]
        current["path"] = "split" if state.split() else ""
        nested.append(0.0)
        t0 = time.perf_counter()
        out = compute(self, state, pending)
        dt = time.perf_counter() - t0
        own = dt - nested.pop()  # without the masks it asked for (split parts, segment heads)
        nested[-1] += dt
        # a mask equal to one computed before under another key: work a coarser key would save
        digest = hashlib.blake2b(out.tobytes(), digest_size=16).digest()
        seen_before = digest in digests
        digests.add(digest)
        if seen_before:
            repeats.append(dt)
        kind = _describe(state).replace("ObjectState:VALUE>", "").replace("ArrayState:VALUE>", "")
        own_time[kind] += own
        own_count[kind] += 1
        if seen_before:
            own_again[kind] += own
        path = current["path"] or ("trie(pending)" if pending else "trie")
        where = workload["name"] + " " + repr(workload["text"][-24:])
        records.append((dt, path, _describe(state), len(state.allowed()), where, own))
        current["path"] = saved
        return out

    digests: set[bytes] = set()
    repeats: list[float] = []
    nested = [0.0]
    own_time: defaultdict[str, float] = defaultdict(float)
    own_again: defaultdict[str, float] = defaultdict(float)
    own_count: Counter[str] = Counter()
    MaskCache._compute = timed  # type: ignore[method-assign]
    speed.freeze_heap()
    steps = 0
    spent = 0.0
    for wl in work:
        workload["name"] = wl.name
        parser = JsonSchema(wl.schema, strict=False)
        for text in wl.texts:
            m = Matcher(tok.vocab, parser, cache=cache)
            ids = tok.encode(text)
            for n, t in enumerate(ids):
                workload["text"] = tok.mid.decode(ids[:n])
                t0 = time.perf_counter()
                bits = m.bitmask()
                spent += time.perf_counter() - t0
                steps += 1
                if not (int(bits[t >> 5]) >> (t & 31)) & 1:
                    print("REJECT", wl.name, repr(text[:60]))
                    break
                m.accept(t)
    print(f"steps {steps}, mask time {spent:.2f} s, mean {spent / steps * 1e6:.0f} µs")
    computed = sum(r[0] for r in records)
    print(f"masks computed {len(records)}, {len(repeats)} of them equal to one computed before under"
          f" another key ({sum(repeats) / max(computed, 1e-9):.0%} of the computing time)")
    by_path: dict[str, list[float]] = defaultdict(list)
    for dt, path, *_ in records:
        by_path[path].append(dt)
    for path, dts in sorted(by_path.items(), key=lambda kv: -sum(kv[1])):
        print(f"{path:16s} n={len(dts):5d} total={sum(dts):7.3f}s max={max(dts) * 1e3:8.1f}ms")
    print("slowest (time includes nested split parts):")
    chosen = [r for r in records if args.path is None or r[1] == args.path]
    for dt, path, desc, n, name, _own in sorted(chosen, reverse=True)[: args.top]:
        print(f"{dt * 1e3:8.1f} ms  {path:12s} allowed={n:8d}  {name:60s} {desc}")
    print("slowest by own time (without nested masks):")
    for _dt, path, desc, n, name, own in sorted(chosen, key=lambda r: -r[5])[: args.top]:
        print(f"{own * 1e3:8.1f} ms  {path:12s} allowed={n:8d}  {name:60s} {desc}")
    total: Counter[tuple[str, str]] = Counter()
    count: Counter[tuple[str, str]] = Counter()
    for dt, path, desc, _n, _name, _own in records:
        total[(path, desc)] += dt
        count[(path, desc)] += 1
    print("all masks, by (path, state), total time:")
    for (path, desc), t in total.most_common(args.top):
        print(f"{t:7.3f} s {count[(path, desc)]:5d}  {path:12s} {desc}")
    kinds: Counter[tuple[str, str]] = Counter()
    for dt, path, desc, _n, _name, _own in records:
        if dt > 1e-3:
            kinds[(path, desc)] += 1
    buckets = [(0, 1e-4), (1e-4, 1e-3), (1e-3, 5e-3), (5e-3, 2e-2), (2e-2, 1e9)]
    print("mask computations by own time (count, total s):")
    for lo_t, hi_t in buckets:
        got = [r[5] for r in records if lo_t <= r[5] < hi_t]
        print(f"  {lo_t * 1e3:6.1f}-{min(hi_t, 9.99) * 1e3:6.1f} ms: {len(got):5d} {sum(got):7.3f} s")
    mid: Counter[str] = Counter()
    midn: Counter[str] = Counter()
    for _dt, path, desc, _n, _name, own in records:
        if 1e-4 <= own < 1e-3:
            mid[path + " " + desc] += own
            midn[path + " " + desc] += 1
    print("own time 0.1-1 ms, by (path, state):")
    for k, t in mid.most_common(args.top):
        print(f"{t:7.3f} s {midn[k]:5d}  {k}")
    print("by kind of state, wrappers of enclosing values dropped; own time (without the masks it"
          " asked for), and the part of it that made a mask computed before under another key:")
    for kind, own in sorted(own_time.items(), key=lambda kv: -kv[1])[: args.top]:
        print(f"{own:7.3f} s {own_count[kind]:5d}  again {own_again[kind]:7.3f} s  {kind}")
    print("over 1 ms, by (path, state):")
    for (path, desc), c in kinds.most_common(20):
        print(f"{c:5d}  {path:12s} {desc}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

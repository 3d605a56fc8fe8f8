"""Applying a next-token mask to logits on a GPU: the two ways the transformers
processor could send it, timed side by side (medians; needs CUDA).

- bools: the packed bitmask unpacked by numpy on the CPU, copied as one bool per token;
- words (what the processor does on an accelerator): the packed int32 words copied,
  16 KB a row for a 128k vocabulary, and unpacked on the GPU (``forbidden_from_words``).

    python benchmarks/gpu_apply.py --vocab 128256 --rows 1 8 64
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--vocab", type=int, default=128256)
    ap.add_argument("--rows", type=int, nargs="+", default=[1, 8, 64])
    ap.add_argument("--repeat", type=int, default=200)
    args = ap.parse_args(argv)
    import torch

    from lmparsec.integrations.transformers import forbidden_from_words

    if not torch.cuda.is_available():
        print("no CUDA device: this benchmark times mask application on a GPU", file=sys.stderr)
        return 2
    dev = torch.device("cuda")
    width = args.vocab
    words = (width + 31) // 32
    shifts = torch.arange(32, dtype=torch.int32, device=dev)
    rng = np.random.default_rng(0)
    print(f"{torch.cuda.get_device_name(0)}, vocabulary {width}, medians of {args.repeat}")
    for rows in args.rows:
        packed = rng.integers(0, 2**32, size=(rows, words), dtype=np.uint64).astype(np.uint32)
        scores = torch.randn(rows, width, device=dev)

        def bools(packed: np.ndarray = packed, scores: torch.Tensor = scores) -> torch.Tensor:
            # (as the processor did before: allowed bools made on the CPU, inverted on the GPU)
            unpacked = np.unpackbits(packed.view(np.uint8), axis=1, bitorder="little")
            allowed = torch.from_numpy(np.ascontiguousarray(unpacked[:, :width]).view(bool))
            return scores.masked_fill(~allowed.to(dev, non_blocking=True), float("-inf"))

        def packed_words(packed: np.ndarray = packed, scores: torch.Tensor = scores) -> torch.Tensor:
            w = torch.from_numpy(packed.view(np.int32)).to(dev, non_blocking=True)
            return scores.masked_fill(forbidden_from_words(w, width, shifts), float("-inf"))

        if not torch.equal(bools(), packed_words()):
            raise AssertionError("the two ways disagree")
        for name, fn in (("bools", bools), ("words", packed_words)):
            times = []
            for _ in range(args.repeat):
                torch.cuda.synchronize()
                t0 = time.perf_counter()
                fn()
                torch.cuda.synchronize()
                times.append(time.perf_counter() - t0)
            print(f"rows {rows:4d}  {name:5s} {statistics.median(times) * 1e6:8.1f} us")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

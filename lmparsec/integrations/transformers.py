"""A transformers ``LogitsProcessor`` that keeps ``model.generate()`` inside a format.

Usage::

    from lmparsec import Regex
    from lmparsec.integrations.transformers import logits_processor

    processors = logits_processor(tokenizer, Regex(r"[a-z]+@[a-z]+\\.com"))
    out = model.generate(**inputs, logits_processor=processors, max_new_tokens=40)

The processor holds no format logic: every row of the batch is followed by a
:class:`~lmparsec.tokens.Matcher`, whose mask sets the scores of disallowed
tokens (and of padded logits beyond the vocabulary) to ``-inf``.

Rows are matched to matchers by *content*, not by position: each call looks a
row's generated ids up in a table keyed by ``(prompt group, generated ids)``
and derives a missing entry from its parent (the same ids minus the last one)
by ``fork()`` + ``accept(last)``. Greedy search and sampling only ever extend
each row by one token; beam search reorders, duplicates and drops rows between
steps, and content keys make that exact without knowing the beam bookkeeping.

Importing this module imports torch and transformers (the ``transformers``
extra); ``import lmparsec`` never does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..combinators.base import Parser
from ..errors import GenerationError, GrammarError, MissingDependencyError, VocabularyError
from ..tokens.cache import MaskCache, shared_cache
from ..tokens.matcher import Matcher
from ..tokens.vocabulary import Vocabulary
from .tokenize import vocabulary_for

try:
    import torch
    from transformers import LogitsProcessor, LogitsProcessorList
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise MissingDependencyError("transformers", "transformers") from exc

__all__ = ["LmparsecLogitsProcessor", "logits_processor"]

# (prompt group, generated ids) -> the row's matcher, or None for a pruned beam
_Key = tuple[int, tuple[int, ...]]
_UNKNOWN: Any = object()


class LmparsecLogitsProcessor(LogitsProcessor):
    """Masks the next-token scores of every row so the generated text matches a format.

    ``vocabulary`` is a :class:`~lmparsec.tokens.Vocabulary` or a Hugging Face
    fast tokenizer (its vocabulary is built once per tokenizer object).
    ``parser`` is one format for every row, or a sequence with one parser per
    prompt (rows that ``generate()`` repeats for ``num_return_sequences`` or
    beams share their prompt's parser). Matchers are created on the first call.

    For beam search pass the same ``num_beams`` as to ``generate()``. Beam
    *sampling* draws its candidates with ``torch.multinomial``, which, once the
    allowed tokens run out, goes on drawing zero-probability (masked) ones; such
    a beam scores ``-inf`` and is never returned before a valid one, so the
    processor treats it as pruned (it allows EOS only) instead of raising. With
    ``num_beams=1`` a row holding a token the mask forbade means that another
    processor or the decoding strategy overrode the mask, and
    :class:`~lmparsec.errors.GenerationError` is raised; so it is when a format
    admits no token at all (a dead end).

    Rows whose matcher accepted an end-of-sequence token allow EOS only, and
    whatever ``generate()`` appends after it (padding) is ignored. A call whose
    rows do not start with the prompts of the first call starts a new
    generation, so one processor can serve several ``generate()`` calls in
    turn (not concurrently).
    """

    supports_continuous_batching = False

    def __init__(
        self,
        vocabulary: Vocabulary | Any,
        parser: Parser | Sequence[Parser],
        *,
        num_beams: int = 1,
        cache: MaskCache | None = None,
    ) -> None:
        self.vocabulary = _as_vocabulary(vocabulary)
        self.parsers = _as_parsers(parser)
        if isinstance(num_beams, bool) or not isinstance(num_beams, int) or num_beams < 1:
            raise GenerationError(f"num_beams: expected a positive int, got {num_beams!r}")
        self.num_beams = num_beams
        if cache is not None and not isinstance(cache, MaskCache):
            raise GenerationError(f"cache: expected a MaskCache or None, got {type(cache).__name__}")
        self.cache = cache if cache is not None else shared_cache(self.vocabulary)
        if self.cache.vocabulary.fingerprint != self.vocabulary.fingerprint:
            raise VocabularyError("cache: the MaskCache was built for a different vocabulary")
        self._prompt: torch.Tensor | None = None
        self._roots: list[Matcher] = []
        self._rows: dict[_Key, Matcher | None] = {}
        self._last: list[Matcher | None] = []
        self._per_group = 1
        self._shifts: dict[torch.device, torch.Tensor] = {}

    def reset(self) -> None:
        """Forget the current generation; the next call starts a new one."""
        self._prompt = None
        self._roots = []
        self._rows = {}
        self._last = []

    def matchers(self) -> list[Matcher | None]:
        """The matcher of each row at the last call (``None`` for a pruned beam)."""
        return list(self._last)

    # -- the hook -------------------------------------------------------------
    def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
        _check_inputs(input_ids, scores)
        if not self._continues(input_ids):
            self._start(input_ids)
        assert self._prompt is not None
        generated = input_ids[:, self._prompt.shape[1] :].tolist()
        current: dict[_Key, Matcher | None] = {}
        rows: list[Matcher | None] = []
        for row, ids in enumerate(generated):
            key = (row // self._per_group, tuple(ids))
            if key not in current:
                known = self._rows.get(key, _UNKNOWN)
                current[key] = self._derive(key, row) if known is _UNKNOWN else known
            rows.append(current[key])
        # Only the current rows can be parents at the next step; anything
        # else is re-derived from the roots should it come back.
        self._rows = current
        self._last = rows
        forbidden = self._forbidden(rows, generated, int(scores.shape[-1]), scores.device)
        # Out of place: generate() may keep the incoming tensor (output_logits).
        return scores.masked_fill(forbidden, float("-inf"))

    # -- rows -----------------------------------------------------------------
    def _continues(self, input_ids: torch.Tensor) -> bool:
        prompt = self._prompt
        if prompt is None or input_ids.shape[0] != prompt.shape[0] or input_ids.shape[1] < prompt.shape[1]:
            return False
        if prompt.device != input_ids.device:
            prompt = self._prompt = prompt.to(input_ids.device)
        return bool(torch.equal(input_ids[:, : prompt.shape[1]], prompt))

    def _start(self, input_ids: torch.Tensor) -> None:
        rows, length = input_ids.shape
        beams = self.num_beams
        if rows % beams:
            raise GenerationError(
                f"input_ids: expected a number of rows divisible by num_beams={beams}, got {rows}"
            )
        if len(self.parsers) > 1:
            groups = len(self.parsers)
            if rows % groups or (rows // groups) % beams:
                raise GenerationError(
                    f"input_ids: expected {groups} prompts (one per parser), each repeated "
                    f"num_beams={beams} times or a multiple of it (num_return_sequences), got {rows} rows"
                )
        else:
            groups = rows // beams
        per_group = rows // groups
        if per_group > 1:
            grouped = input_ids.reshape(groups, per_group, length)
            if not bool((grouped == grouped[:, :1]).all()):
                raise GenerationError(
                    f"the {per_group} rows of each prompt should be copies of it (num_beams={beams}, "
                    f"{groups} prompt(s)), but they differ: pass the processor the num_beams "
                    "given to generate()"
                )
        self._per_group = per_group
        parsers = self.parsers if len(self.parsers) > 1 else self.parsers * groups
        self._prompt = input_ids.detach().clone()
        self._roots = [Matcher(self.vocabulary, parser, cache=self.cache) for parser in parsers]
        self._rows = {}
        self._last = []

    def _derive(self, key: _Key, row: int) -> Matcher | None:
        """The matcher after ``key``'s ids, from its nearest known ancestor."""
        group, ids = key
        start = len(ids) - 1
        while start > 0 and (group, ids[:start]) not in self._rows:
            start -= 1
        if start < 0:
            return self._roots[group]
        node = self._rows[(group, ids[:start])] if start > 0 else self._roots[group]
        for pos in range(start, len(ids)):
            node = self._step(node, ids[pos], row, ids[:pos])
        return node

    def _step(self, node: Matcher | None, token: int, row: int, before: tuple[int, ...]) -> Matcher | None:
        if node is None or node.is_finished():
            return node  # a pruned beam stays pruned; after EOS comes padding
        child = node.fork()
        if token < self.vocabulary.size and child.accept(token):
            return child
        if self.num_beams > 1:
            return None
        shown = self.vocabulary.token_bytes[token] if token < self.vocabulary.size else b"?"
        raise GenerationError(
            f"row {row}: the model produced token {token} ({shown!r}) after {self._text(before)!r}, "
            "which the format does not allow; another logits processor or the decoding strategy "
            "overrode the mask (for beam search, pass num_beams to the processor)"
        )

    def _forbidden(self, rows: list[Matcher | None], generated: list[list[int]], width: int,
                   device: torch.device) -> torch.Tensor:
        """True where a row's token is not allowed, on ``device``. The rows' packed
        bitmasks (one bit per token) are what crosses to an accelerator -- 16 KB a
        row for a 128k vocabulary instead of 128 KB of bools -- and are unpacked
        there; on the CPU numpy unpacks them."""
        words = (width + 31) // 32
        packed = np.zeros((len(rows), words), dtype=np.uint32)
        done: dict[int, np.ndarray] = {}
        for row, matcher in enumerate(rows):
            if matcher is None:  # pruned beam: its score is -inf whatever it allows
                for i in self.vocabulary.eos_ids:
                    if i < width:
                        packed[row, i >> 5] |= np.uint32(1 << (i & 31))
                continue
            bits = done.get(id(matcher))
            if bits is None:
                bits = done[id(matcher)] = matcher.bitmask().view(np.uint32)
            n = min(words, len(bits))
            packed[row, :n] = bits[:n]
        if width % 32:  # tokens past the logits' width (a vocabulary wider than them)
            packed[:, -1] &= np.uint32((1 << (width % 32)) - 1)
        for row in np.flatnonzero(~packed.any(axis=1)).tolist():
            if rows[row] is not None:
                raise GenerationError(
                    f"row {row}: the format allows no token after "
                    f"{self._text(tuple(generated[row]))!r} (a dead end"
                    + (f"; the logits are {width} wide" if width < self.vocabulary.size else "")
                    + ")"
                )
        if device.type == "cpu":
            allowed = np.unpackbits(packed.view(np.uint8), axis=1, bitorder="little")[:, :width]
            return torch.from_numpy(allowed == 0)
        words_t = torch.from_numpy(packed.view(np.int32)).to(device, non_blocking=True)
        shifts = self._shifts.get(device)
        if shifts is None:
            shifts = self._shifts[device] = torch.arange(32, dtype=torch.int32, device=device)
        return forbidden_from_words(words_t, width, shifts)

    def _text(self, ids: tuple[int, ...]) -> str:
        size = self.vocabulary.size
        data = self.vocabulary.decode(i for i in ids if i < size)
        return data.decode("utf-8", errors="replace")

    def __repr__(self) -> str:
        formats = self.parsers[0] if len(self.parsers) == 1 else f"{len(self.parsers)} parsers"
        vocab = self.vocabulary
        return f"LmparsecLogitsProcessor({formats!r}, vocabulary={vocab!r}, num_beams={self.num_beams})"


def logits_processor(
    tokenizer_or_vocab: Vocabulary | Any,
    parser: Parser | Sequence[Parser],
    **kwargs: Any,
) -> LogitsProcessorList:
    """A ``LogitsProcessorList`` holding one :class:`LmparsecLogitsProcessor`, ready for
    ``model.generate(..., logits_processor=...)``. ``kwargs`` go to the processor
    (``num_beams``, ``cache``)."""
    return LogitsProcessorList([LmparsecLogitsProcessor(tokenizer_or_vocab, parser, **kwargs)])


def forbidden_from_words(words: torch.Tensor, width: int, shifts: torch.Tensor | None = None) -> torch.Tensor:
    """``(rows, width)`` bools, True where bit ``i`` of a row of int32 ``words`` (bit
    ``i & 31`` of word ``i >> 5``, xgrammar's layout) is clear: the unpacking done
    on the logits' device. ``shifts`` is ``arange(32)`` there (kept by the caller)."""
    if shifts is None:
        shifts = torch.arange(32, dtype=torch.int32, device=words.device)
    # (an arithmetic shift of a negative word copies its sign bit in: & 1 keeps bit k)
    bits = (words.unsqueeze(-1) >> shifts) & 1
    return bits.reshape(words.shape[0], words.shape[1] * 32)[:, :width] == 0


# -- checks at the edge ---------------------------------------------------------
def _as_vocabulary(value: Any) -> Vocabulary:
    if isinstance(value, Vocabulary):
        return value
    if getattr(value, "backend_tokenizer", None) is None:
        raise VocabularyError(
            f"expected an lmparsec Vocabulary or a Hugging Face fast tokenizer, got {type(value).__name__}"
        )
    return vocabulary_for(value)


def _as_parsers(value: Any) -> list[Parser]:
    if isinstance(value, Parser):
        return [value]
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        parsers = list(value)
        if not parsers:
            raise GrammarError("expected a Parser or a non-empty sequence of Parsers, got an empty sequence")
        for i, item in enumerate(parsers):
            if not isinstance(item, Parser):
                raise GrammarError(f"parser[{i}]: expected an lmparsec Parser, got {type(item).__name__}")
        return parsers
    raise GrammarError(f"expected an lmparsec Parser or a sequence of them, got {type(value).__name__}")


def _describe(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        return f"a {value.ndim}-D {value.dtype} tensor of shape {tuple(value.shape)}"
    return type(value).__name__


def _check_inputs(input_ids: Any, scores: Any) -> None:
    if (
        not isinstance(input_ids, torch.Tensor)
        or input_ids.ndim != 2
        or input_ids.is_floating_point()
        or input_ids.is_complex()
        or input_ids.dtype == torch.bool
    ):
        raise GenerationError(
            f"input_ids: expected a 2-D integer torch.Tensor (batch, length), got {_describe(input_ids)}"
        )
    if not isinstance(scores, torch.Tensor) or scores.ndim != 2 or not scores.is_floating_point():
        raise GenerationError(
            f"scores: expected a 2-D floating-point torch.Tensor (batch, vocabulary), got {_describe(scores)}"
        )
    if scores.shape[0] != input_ids.shape[0]:
        raise GenerationError(
            f"scores: expected {input_ids.shape[0]} rows (one per row of input_ids), got {scores.shape[0]}"
        )

"""lmparsec's own generation loop for transformers causal LMs.

What a logits-processor hook cannot do, this loop does:

* **fast-forward** — when the format leaves only one way to continue (the key
  text and ``": "`` after ``{"`` in a schema with fixed key order), the forced
  text is appended without sampling and fed to the model in one forward pass;
* **token budget** — with ``max_new_tokens`` the output still closes validly: a
  token is taken only if the shortest valid completion after it still fits, and
  a budget too small for any valid output is refused before generating;
* **latency metrics** — prefill, time to first token, time per output token,
  total, forced tokens and forward passes, on every result.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..combinators.base import Parser
from ..errors import BudgetError, GenerationError, GrammarError, MissingDependencyError
from ..tokens.matcher import Matcher
from ..tokens.vocabulary import Vocabulary
from .tokenize import TextTokenizer, vocabulary_for

__all__ = ["GenerationResult", "Metrics", "generate"]


@dataclass(frozen=True)
class Metrics:
    """Latency and work counters of one generation (seconds and counts)."""

    prefill_s: float
    ttft_s: float
    tpot_s: float
    total_s: float
    prompt_tokens: int
    output_tokens: int
    forced_tokens: int
    sampled_tokens: int
    forward_passes: int

    def as_dict(self) -> dict[str, float | int]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    def summary(self) -> str:
        return (
            f"prefill {self.prefill_s * 1000:.0f} ms, TTFT {self.ttft_s * 1000:.0f} ms, "
            f"TPOT {self.tpot_s * 1000:.1f} ms, total {self.total_s:.2f} s; "
            f"{self.output_tokens} output tokens ({self.forced_tokens} forced) "
            f"in {self.forward_passes} forward passes"
        )


@dataclass(frozen=True)
class GenerationResult:
    """The generated text, its tokens, whether the format was completed, metrics."""

    text: str
    token_ids: tuple[int, ...]
    completed: bool
    metrics: Metrics
    value: Any = None


def _require_torch() -> Any:
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingDependencyError("torch", "transformers") from exc
    return torch


def prompt_ids(tokenizer: Any, prompt: str | Sequence[Mapping[str, str]], *,
               chat: bool | None = None) -> list[int]:
    """Token ids of a prompt: chat messages go through the tokenizer's chat template
    (with the generation prompt); a string does too when the tokenizer has a
    template and ``chat`` is not ``False``, else it is encoded as is."""
    has_template = bool(getattr(tokenizer, "chat_template", None))
    if isinstance(prompt, str):
        if chat is False or (chat is None and not has_template):
            return list(tokenizer.encode(prompt))
        messages: list[Mapping[str, str]] = [{"role": "user", "content": prompt}]
    elif isinstance(prompt, Sequence):
        messages = [*prompt]
        for i, m in enumerate(messages):
            if not isinstance(m, Mapping) or "role" not in m or "content" not in m:
                raise GrammarError(f"message {i} must be a mapping with 'role' and 'content', got {m!r}")
    else:
        raise GrammarError(f"prompt must be a str or a list of chat messages, got {type(prompt).__name__}")
    if not has_template:
        raise GrammarError("the tokenizer has no chat template: pass the prompt as a plain string")
    out = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True)
    if isinstance(out, Mapping) or hasattr(out, "keys"):
        out = out["input_ids"]
    ids = list(out)
    if ids and isinstance(ids[0], list):  # batched form
        ids = ids[0]
    return [int(i) for i in ids]


class _Model:
    """A causal LM with a KV cache: feed tokens, get the next-token logits."""

    def __init__(self, model: Any) -> None:
        self.torch = _require_torch()
        self.model = model
        self.past: Any = None
        self.passes = 0
        # transformers 5.24 renamed the KV-cache argument and output field from
        # `past_key_values` to `cache` (the old name warns, then goes away); ask the
        # model which one it takes so both older and newer releases work.
        try:
            takes_cache = "cache" in inspect.signature(model.forward).parameters
        except (TypeError, ValueError):
            takes_cache = False
        self.cache_arg = "cache" if takes_cache else "past_key_values"
        try:
            self.device = next(model.parameters()).device
        except (StopIteration, AttributeError):
            self.device = "cpu"

    def feed(self, ids: list[int]) -> Any:
        torch = self.torch
        inputs = torch.tensor([ids], dtype=torch.long, device=self.device)
        with torch.no_grad():
            out = self.model(input_ids=inputs, use_cache=True, **{self.cache_arg: self.past})
        past = getattr(out, self.cache_arg, None)
        if past is None:  # a model whose output names the cache the other way
            past = getattr(out, "cache" if self.cache_arg == "past_key_values" else "past_key_values", None)
        self.past = past
        self.passes += 1
        return out.logits[0, -1].float()


def generate(
    model: Any,
    tokenizer: Any,
    prompt: str | Sequence[Mapping[str, str]],
    format: Parser,  # shadows the builtin: the natural name at call sites
    *,
    max_new_tokens: int = 256,
    temperature: float = 0.0,
    top_p: float = 1.0,
    seed: int | None = None,
    fast_forward: bool = True,
    chat: bool | None = None,
    vocabulary: Vocabulary | None = None,
    _stepwise_forced: bool = False,
) -> GenerationResult:
    """Generate text that ``format`` accepts.

    ``temperature=0`` is greedy decoding; otherwise tokens are sampled (with
    ``top_p``) from a ``torch.Generator`` seeded with ``seed``. With
    ``fast_forward`` forced text is appended without sampling, all but its last
    token at once (the last one may merge with what follows, so the model picks
    it). ``completed`` is true when the output is a complete sentence of the
    format, which the budget guarantees whenever the model does not stall.

    Raises :class:`~lmparsec.errors.BudgetError` before generating when even the
    shortest valid output does not fit in ``max_new_tokens``.
    """
    torch = _require_torch()
    if not isinstance(format, Parser):
        raise GrammarError(f"format must be an lmparsec Parser, got {type(format).__name__}")
    if not isinstance(max_new_tokens, int) or max_new_tokens < 1:
        raise GrammarError(f"max_new_tokens must be a positive int, got {max_new_tokens!r}")
    if temperature < 0 or not 0 < top_p <= 1:
        raise GrammarError(f"expected temperature >= 0 and 0 < top_p <= 1, got {temperature}, {top_p}")
    vocab = vocabulary if vocabulary is not None else vocabulary_for(tokenizer)
    text_tok = TextTokenizer(tokenizer, vocab)
    matcher = Matcher(vocab, format)

    start_cost = text_tok.min_tokens(_shortest(matcher))
    if start_cost is None:
        raise GenerationError("the format admits no complete output")
    if start_cost > max_new_tokens:
        raise BudgetError(
            f"max_new_tokens={max_new_tokens} is too small: the shortest valid output needs "
            f"{start_cost} tokens"
        )

    runner = _Model(model)
    t0 = time.perf_counter()
    ids_in = prompt_ids(tokenizer, prompt, chat=chat)
    logits = runner.feed(ids_in)
    prefill = time.perf_counter() - t0
    # sampling runs where the logits are (torch.multinomial wants its generator on
    # that device): a seed draws the same tokens on the same kind of device
    generator = torch.Generator(device=logits.device).manual_seed(seed) if seed is not None else None
    ttft: float | None = None
    out_ids: list[int] = []
    forced_count = 0
    completed = False
    shortest_memo: dict[Any, str | None] = {}

    while True:
        remaining = max_new_tokens - len(out_ids)
        if matcher.can_end() and (remaining == 0 or not _has_text_token(matcher)):
            completed = True
            break
        if remaining == 0:
            break  # only reachable if the budget guarantee was broken
        # -- fast-forward ---------------------------------------------------
        forced: list[int] = []
        if fast_forward:
            forced = _forced_tokens(matcher, text_tok, remaining)
        if forced:
            for tid in forced:
                if not matcher.accept(tid):  # pragma: no cover - forced text is admitted
                    raise GenerationError(f"forced token {tid} was rejected")
            out_ids.extend(forced)
            forced_count += len(forced)
            if ttft is None:
                ttft = time.perf_counter() - t0
            if _stepwise_forced:
                for tid in forced:
                    logits = runner.feed([tid])
            else:
                logits = runner.feed(forced)
            continue
        # -- one sampled token ---------------------------------------------
        tid = _choose(logits, matcher, text_tok, remaining, temperature, top_p, generator, torch,
                      shortest_memo)
        if ttft is None:
            ttft = time.perf_counter() - t0
        if tid in vocab.eos_ids:
            matcher.accept(tid)
            completed = True
            break
        if not matcher.accept(tid):  # pragma: no cover - the mask allowed it
            raise GenerationError(f"sampled token {tid} was rejected")
        out_ids.append(tid)
        if len(out_ids) >= max_new_tokens:
            completed = matcher.can_end()
            break
        if matcher.can_end() and not _has_text_token(matcher):
            # the format is closed (only EOS may follow): feeding the token
            # would cost a forward pass whose logits nobody reads
            completed = True
            break
        logits = runner.feed([tid])

    total = time.perf_counter() - t0
    n = len(out_ids)
    ttft = total if ttft is None else ttft
    metrics = Metrics(
        prefill_s=prefill,
        ttft_s=ttft,
        tpot_s=(total - ttft) / (n - 1) if n > 1 else 0.0,
        total_s=total,
        prompt_tokens=len(ids_in),
        output_tokens=n,
        forced_tokens=forced_count,
        sampled_tokens=n - forced_count,
        forward_passes=runner.passes,
    )
    text = vocab.decode(out_ids).decode("utf-8", errors="replace")
    return GenerationResult(text=text, token_ids=tuple(out_ids), completed=completed, metrics=metrics)


def _shortest(matcher: Matcher, memo: dict[Any, str | None] | None = None) -> str | None:
    """The shortest completion of the matcher's state (``None`` mid-character).

    ``memo`` (one per generation) maps state keys to answers: equal keys accept
    the same continuations, so they share a shortest completion. The budget
    check asks for it after every candidate token, and an object's
    ``shortest()`` walks the rest of its schema; on the car schema at its
    tightest budget, 670 calls had 206 distinct keys.
    """
    if matcher.pending:
        return None
    state = matcher.state
    if memo is None:
        return state.shortest()
    key = state.key()
    if key not in memo:
        memo[key] = state.shortest()
    return memo[key]


def _has_text_token(matcher: Matcher) -> bool:
    return bool((matcher.bitmask() & ~matcher.cache.eos_bits).any())


def _forced_tokens(matcher: Matcher, text_tok: TextTokenizer, remaining: int) -> list[int]:
    """Tokens for the forced text, all but the last (which may merge with what
    follows, so it is left to the model); empty when fewer than two."""
    text = matcher.forced()
    if not text:
        return []
    ids = text_tok.encode(text)
    if ids is None or len(ids) < 2:
        return []
    ids = ids[:-1][: max(0, remaining - 1)]
    probe = matcher.fork()
    kept: list[int] = []
    for tid in ids:
        if not probe.accept(tid):
            break
        kept.append(tid)
    # The tokenizer's split of the forced text may take more tokens than the
    # fewest that spell it; near the budget that difference can be all the
    # slack there is, so force only what still leaves a completion that fits.
    while kept:
        if probe.can_end():
            break
        cost = text_tok.min_tokens(_shortest(probe), pending=probe.pending, state=probe.state)
        if cost is not None and len(kept) + cost <= remaining:
            break
        kept.pop()
        probe.rollback(1)
    return kept


def _fits(matcher: Matcher, tid: int, text_tok: TextTokenizer, remaining: int,
          memo: dict[Any, str | None] | None = None) -> bool:
    """Whether taking ``tid`` leaves a valid completion within ``remaining - 1`` tokens."""
    if tid in matcher.vocabulary.eos_ids:
        return True
    probe = matcher.fork()
    if not probe.accept(tid):
        return False
    if probe.can_end():
        return True
    cost = text_tok.min_tokens(_shortest(probe, memo), pending=probe.pending, state=probe.state)
    return cost is not None and cost <= remaining - 1


#: How many of the model's preferred tokens are tried against the budget before
#: falling back to the first token of the shortest completion.
_CANDIDATES = 64


def _choose(
    logits: Any, matcher: Matcher, text_tok: TextTokenizer, remaining: int,
    temperature: float, top_p: float, generator: Any, torch: Any,
    memo: dict[Any, str | None] | None = None,
) -> int:
    width = logits.shape[-1]
    allowed = matcher.mask(size=width, as_tensor=True, device=logits.device)
    if not bool(allowed.any()):
        raise GenerationError(
            "the format allows no token here (a dead end of an intersection-like format) "
            f"after {matcher.num_accepted} tokens"
        )
    scores = logits.masked_fill(~allowed, float("-inf"))
    if temperature == 0:
        best = int(torch.argmax(scores))
        if _fits(matcher, best, text_tok, remaining, memo):
            return best
        k = min(_CANDIDATES, int(torch.isfinite(scores).sum()))
        candidates = [t for t in torch.topk(scores, k).indices.tolist() if t != best]
    else:
        probs = torch.softmax(scores / temperature, dim=-1)
        if top_p < 1.0:
            sorted_p, order = torch.sort(probs, descending=True)
            cut = torch.cumsum(sorted_p, dim=-1) - sorted_p > top_p
            sorted_p[cut] = 0
            probs = torch.zeros_like(probs).scatter_(0, order, sorted_p)
        # Drawing k tokens without replacement is the same distribution as
        # "sample, and if the token breaks the budget, drop it and sample again",
        # in one call: on a 32k vocabulary each multinomial call costs ~2 ms,
        # and at a tight budget most draws are rejected.
        k = min(_CANDIDATES, int((probs > 0).sum()))
        candidates = torch.multinomial(probs, k, replacement=False, generator=generator).tolist()
    for tid in candidates:
        if _fits(matcher, tid, text_tok, remaining, memo):
            return int(tid)
    # the first token of the shortest completion always fits
    fallback = text_tok.first_token_of_shortest(matcher)
    if fallback is None:
        raise GenerationError("no token keeps a valid completion within the token budget")
    return fallback

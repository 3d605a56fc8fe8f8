"""One generation's view of a format: which tokens may come next.

The matcher holds the current parser state and the bytes of an unfinished
UTF-8 character (a token may end mid-character). Masks come from the shared
per-vocabulary :class:`MaskCache`, so a matcher is cheap to create and the
steady-state cost of a step is a key lookup plus a copy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..combinators.base import Parser
from ..errors import GrammarError, TokenError
from .cache import MaskCache, shared_cache

if TYPE_CHECKING:
    from .vocabulary import Vocabulary

__all__ = ["Matcher", "bitmask_words"]


def bitmask_words(vocab_size: int) -> int:
    """int32 words per row of a packed bitmask (xgrammar's layout)."""
    return (vocab_size + 31) // 32


class Matcher:
    """Tracks one generation through a format.

    ``accept`` returns ``False`` (and changes nothing) for a token the format
    does not allow; ids that are not in the vocabulary raise
    :class:`~lmparsec.errors.TokenError`. After an EOS token is accepted the
    matcher is *finished*: it allows EOS only (so padded batch rows stay valid).
    """

    __slots__ = ("_finished", "_history", "_initial", "_pending", "_state", "cache", "vocabulary")

    def __init__(self, vocabulary: Vocabulary, parser: Parser, *, cache: MaskCache | None = None) -> None:
        if not isinstance(parser, Parser):
            raise GrammarError(f"Matcher expects an lmparsec Parser, got {type(parser).__name__}")
        if cache is not None and cache.vocabulary.fingerprint != vocabulary.fingerprint:
            raise GrammarError("the MaskCache was built for a different vocabulary")
        self.vocabulary = vocabulary
        self.cache = cache if cache is not None else shared_cache(vocabulary)
        self._initial = parser
        self._state = parser
        self._pending = b""
        self._finished = False
        # one entry per accepted step, for rollback: the state alone where no bytes
        # were pending and the row had not finished (nearly every step), else all
        # three -- a tuple per step would outlive it, one more object for each
        # garbage collection to visit while the generation runs
        self._history: list[Parser | tuple[Parser, bytes, bool]] = []

    # -- state ------------------------------------------------------------------
    @property
    def state(self) -> Parser:
        """The current parser state (text consumed so far, minus ``pending``)."""
        return self._state

    @property
    def pending(self) -> bytes:
        """Bytes of an unfinished character emitted by the last token(s)."""
        return self._pending

    def can_end(self) -> bool:
        """Whether EOS is allowed now."""
        return not self._pending and self._state.can_end()

    def is_finished(self) -> bool:
        """Whether an EOS token has been accepted."""
        return self._finished

    def is_dead(self) -> bool:
        """Whether no token at all is allowed (only possible with Intersect-like formats)."""
        return not self._finished and not bool(self.bitmask().any())

    def forced(self) -> str:
        """Text every continuation must start with ("" when there is a choice)."""
        if self._finished or self._pending:
            return ""
        return self._state.forced()

    # -- masks ------------------------------------------------------------------
    def bitmask(self) -> np.ndarray:
        """The packed int32 bitmask of allowed tokens (read-only, shared)."""
        if self._finished:
            return self.cache.eos_bits
        return self.cache.bitmask(self._state, self._pending)

    def fill_bitmask(self, bitmask: Any, index: int = 0) -> None:
        """Write the allowed tokens into row ``index`` of an int32 bitmask (numpy array
        or torch tensor of shape ``(batch, words)`` or ``(words,)``): bit ``j & 31`` of
        word ``j >> 5`` is set when token ``j`` is allowed. Words beyond the
        vocabulary (padded logits) are cleared."""
        bits = self.bitmask()
        if bitmask.__class__ is np.ndarray and bitmask.shape == bits.shape:
            # the common case, on every step: one row as wide as the vocabulary's, one
            # copy (np.copyto dispatches in Python), checked first (a cache hit is
            # ~0.2 us: each check around it is a sizeable part)
            bitmask[...] = bits
            return
        row = bitmask if bitmask.ndim == 1 else bitmask[index]
        if type(row) is np.ndarray and row.shape == bits.shape:
            row[...] = bits
            return
        n = min(int(row.shape[0]), bits.shape[0])
        if isinstance(row, np.ndarray):
            row[:n] = bits[:n]
            row[n:] = 0
        else:  # a torch tensor: share memory through numpy when on the CPU
            import torch

            src = torch.from_numpy(bits[:n].copy())
            row[:n].copy_(src)
            if row.shape[0] > n:
                row[n:] = 0

    def mask(self, size: int | None = None, *, as_tensor: bool = False, device: Any = None) -> Any:
        """A boolean mask of length ``size`` (default: vocabulary size), True where a
        token is allowed; a numpy array, or a torch tensor with ``as_tensor=True``."""
        width = self.vocabulary.size if size is None else size
        bits = self.bitmask()
        unpacked = np.unpackbits(bits.view(np.uint8), bitorder="little").view(bool)
        out = np.zeros(width, dtype=bool)
        n = min(width, unpacked.shape[0])
        out[:n] = unpacked[:n]
        if not as_tensor:
            return out
        import torch

        tensor = torch.from_numpy(out)
        return tensor if device is None else tensor.to(device)

    def allowed_token_ids(self) -> list[int]:
        """Ids of the allowed tokens (EOS included when it is allowed)."""
        bits = self.bitmask()
        unpacked = np.unpackbits(bits.view(np.uint8), bitorder="little")
        return np.nonzero(unpacked[: self.vocabulary.size])[0].tolist()

    def is_allowed(self, token_id: int) -> bool:
        """Whether ``token_id`` may come next (without accepting it)."""
        self._check_id(token_id)
        word = int(self.bitmask()[token_id >> 5])
        return bool((word >> (token_id & 31)) & 1)

    # -- moving -----------------------------------------------------------------
    def accept(self, token_id: int) -> bool:
        """Consume ``token_id`` if the format allows it; return whether it did."""
        self._check_id(token_id)
        vocab = self.vocabulary
        if self._finished:
            # a finished row allows EOS only (padding); accept it, as the mask says
            if token_id not in vocab.eos_ids:
                return False
            self._remember()
            return True
        if token_id in vocab.eos_ids:
            if not self.can_end():
                return False
            self._remember()
            self._finished = True
            return True
        if token_id in vocab.special_ids or not vocab.token_bytes[token_id]:
            return False
        result = self.cache.transition(self._state, self._pending, token_id)
        if result is None:
            return False
        # (``_remember`` inlined: a row that had finished has returned above)
        self._history.append((self._state, self._pending, False) if self._pending else self._state)
        self._state, self._pending = result
        return True

    def accept_text(self, text: str) -> bool:
        """Consume ``text`` directly (e.g. a forced continuation); all or nothing."""
        if self._finished or self._pending:
            return False
        nxt = self._state.advance_text(text)
        if nxt is None:
            return False
        self._remember()
        self._state = nxt
        return True

    def rollback(self, n: int = 1) -> None:
        """Undo the last ``n`` accepted tokens (or texts)."""
        if n < 0 or n > len(self._history):
            raise GrammarError(f"cannot roll back {n} steps; {len(self._history)} accepted")
        if n == 0:
            return
        got = self._history[-n]
        if isinstance(got, tuple):
            self._state, self._pending, self._finished = got
        else:
            self._state, self._pending, self._finished = got, b"", False
        del self._history[-n:]

    def _remember(self) -> None:
        """Keeps where the matcher is, before a step (see ``_history``)."""
        if self._pending or self._finished:
            self._history.append((self._state, self._pending, self._finished))
        else:
            self._history.append(self._state)

    @property
    def num_accepted(self) -> int:
        return len(self._history)

    def reset(self) -> None:
        """Back to the start of the format."""
        self._state = self._initial
        self._pending = b""
        self._finished = False
        self._history.clear()

    def fork(self) -> Matcher:
        """An independent copy (beam search): states are immutable, so this is cheap."""
        other = Matcher.__new__(Matcher)
        other.vocabulary = self.vocabulary
        other.cache = self.cache
        other._initial = self._initial
        other._state = self._state
        other._pending = self._pending
        other._finished = self._finished
        other._history = list(self._history)
        return other

    def _check_id(self, token_id: int) -> None:
        if not isinstance(token_id, (int, np.integer)) or not 0 <= token_id < self.vocabulary.size:
            raise TokenError(
                f"token id {token_id!r} is not in the vocabulary (size {self.vocabulary.size})",
                token_id=token_id if isinstance(token_id, int) else None,
            )

"""Hypothesis strategies for property-testing formats, yours and ours.

``texts(parser)`` draws texts the parser accepts, by walking its ``allowed()``
sets; ``token_walks(vocabulary, parser)`` draws token sequences the masks allow.
Check the first against an independent oracle (``re.fullmatch``, ``jsonschema``)
for completeness of the oracle's side, the second for soundness of the masks::

    from hypothesis import given
    from lmparsec.testing import texts, token_walks

    @given(token_walks(vocab, JsonSchema(schema)))
    def test_walks_validate(walk):
        jsonschema.validate(json.loads(walk.text), schema)

Requires the ``hypothesis`` package (in the ``test`` extra).
"""

from __future__ import annotations

from dataclasses import dataclass

try:
    from hypothesis import assume
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - exercised only without hypothesis
    from .errors import MissingDependencyError

    raise MissingDependencyError("hypothesis", "test") from exc

from .combinators.base import Parser
from .combinators.charset import CharSet
from .tokens.matcher import Matcher
from .tokens.utf8 import partial_range
from .tokens.vocabulary import Vocabulary

__all__ = ["INTERESTING_CHARS", "TokenWalk", "chars_in", "texts", "token_walks"]

#: Characters that tend to break tokenizers and escapers: accents, CJK, emoji
#: (incl. astral code points), quotes, backslashes, whitespace and controls.
INTERESTING_CHARS = (
    "aZ09 _-.,:;!?'\"\\/{}[]()<>@#$%^&*+=|~`\n\t\r"
    "éèàüñçßøÅ€£¥°±µ—–…“”‘’«»"  # noqa: RUF001 - lookalikes on purpose
    "日本語中文한국어кириллицаΩπ"
    "🎉😀👍🏽🚀❤️\u200d\u00a0\u2028\ufeff\x00\x1f"
)


def chars_in(allowed: CharSet) -> st.SearchStrategy[str]:
    """One character of ``allowed``, preferring interesting ones when allowed."""
    preferred = [c for c in INTERESTING_CHARS if c in allowed]
    ranges = allowed.ranges

    def from_range(i: int) -> st.SearchStrategy[str]:
        lo, hi = ranges[i]
        return st.integers(lo, hi).filter(lambda cp: not 0xD800 <= cp <= 0xDFFF).map(chr)

    anywhere = st.integers(0, len(ranges) - 1).flatmap(from_range)
    if preferred:
        return st.one_of(st.sampled_from(preferred), anywhere)
    return anywhere


@st.composite
def texts(draw: st.DrawFn, parser: Parser, max_length: int = 60) -> str:
    """A text ``parser`` accepts.

    Past ``max_length`` characters the walk finishes along ``parser.shortest()``
    so recursive formats terminate; examples that cannot finish are rejected.
    """
    out: list[str] = []
    state = parser
    while True:
        allowed = state.allowed()
        if state.can_end() and (not allowed or len(out) >= max_length or draw(st.integers(0, 4)) == 0):
            return "".join(out)
        if len(out) >= max_length:
            tail = state.shortest()
            assume(tail is not None)
            assert tail is not None
            return "".join(out) + tail
        assume(bool(allowed))
        char = draw(chars_in(allowed))
        nxt = state.advance(char)
        assume(nxt is not None)
        assert nxt is not None
        out.append(char)
        state = nxt


@dataclass(frozen=True)
class TokenWalk:
    """A token sequence the masks allowed, and what it decodes to."""

    ids: tuple[int, ...]
    ended: bool
    data: bytes

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")


@st.composite
def token_walks(
    draw: st.DrawFn, vocabulary: Vocabulary, parser: Parser, max_tokens: int = 40
) -> TokenWalk:
    """A walk through the allowed-token masks that stops where EOS is allowed.

    Each step draws an allowed token (EOS among them when the format can end);
    past ``max_tokens`` the walk steers towards ``shortest()`` and gives up
    (rejecting the example) if it cannot. ``walk.ended`` is always true.
    """
    matcher = Matcher(vocabulary, parser)
    ids: list[int] = []
    while True:
        allowed = matcher.allowed_token_ids()
        assume(bool(allowed))
        if len(ids) >= max_tokens:
            tid = _toward_end(matcher, allowed, vocabulary)
            assume(tid is not None)
            assert tid is not None
        else:
            # an index rather than sampled_from: the list can hold 150k ids
            tid = allowed[draw(st.integers(0, len(allowed) - 1))]
        if tid in vocabulary.eos_ids:
            assert matcher.accept(tid)
            data = vocabulary.decode(ids)
            return TokenWalk(tuple(ids), True, data)
        assert matcher.accept(tid), f"allowed token {tid} was not accepted"
        ids.append(tid)
        if len(ids) > max_tokens + 200:
            assume(False)


def _toward_end(matcher: Matcher, allowed: list[int], vocabulary: Vocabulary) -> int | None:
    """The allowed token that covers most of a shortest completion (or EOS)."""
    if matcher.can_end():
        return min(vocabulary.eos_ids & set(allowed))
    state, pending = matcher.state, matcher.pending
    head = ""
    if pending:
        # the unfinished character must be finished first: as the shortest
        # completion starts, if it can, else with any allowed character
        shortest = state.shortest() or ""
        if shortest and shortest[0].encode("utf-8").startswith(pending):
            head = shortest[0]
        else:
            head = _finish_character(state, pending) or ""
        if not head:
            return None
        nxt = state.advance(head)
        if nxt is None:
            return None
        state = nxt
    tail = state.shortest()
    if tail is None:
        return None
    target = (head + tail).encode("utf-8")
    best: int | None = None
    best_len = 0
    for tid in allowed:
        data = pending + vocabulary.token_bytes[tid]
        if len(data) > len(pending) and target.startswith(data) and len(data) > best_len:
            best, best_len = tid, len(data)
    return best


def _finish_character(state: Parser, pending: bytes) -> str | None:
    """An allowed character whose UTF-8 encoding starts with ``pending``."""
    rng = partial_range(pending)
    if rng is None:
        return None
    for char in (state.allowed() & CharSet([rng])).samples():
        if state.advance(char) is not None:
            return char
    return None

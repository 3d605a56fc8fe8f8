"""The public hypothesis strategies in ``lmparsec.testing`` do what they say."""

from __future__ import annotations

from conftest import load_vocabulary
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lmparsec import CharSet, FreeText, Literal, Regex, Sequence, until
from lmparsec.testing import INTERESTING_CHARS, TokenWalk, chars_in, texts, token_walks

PARSERS = [Literal("héllo"), Regex(r'"[^"\\]*"'), Sequence(FreeText(), Literal("!")), until("🎉!")]


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(range(len(PARSERS))), st.data())
def test_texts_are_accepted(i: int, data: st.DataObject) -> None:
    parser = PARSERS[i]
    assert parser.accepts(data.draw(texts(parser, max_length=8)))


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_chars_in_stays_inside(data: st.DataObject) -> None:
    chars = data.draw(
        st.sampled_from([CharSet.ANY, CharSet.of("ab"), ~CharSet.of('"\\'), CharSet([(0xD7F0, 0xE010)])])
    )
    char = data.draw(chars_in(chars))
    assert char in chars and not 0xD800 <= ord(char) <= 0xDFFF
    assert all(len(c) == 1 for c in INTERESTING_CHARS.replace("❤️", "❤"))


@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_token_walks_end_and_are_accepted(data: st.DataObject) -> None:
    vocab = load_vocabulary("llama-3")
    parser = data.draw(st.sampled_from(PARSERS))
    walk = data.draw(token_walks(vocab, parser, max_tokens=6))
    assert isinstance(walk, TokenWalk) and walk.ended
    assert walk.data == vocab.decode(walk.ids)
    assert parser.accepts(walk.text)

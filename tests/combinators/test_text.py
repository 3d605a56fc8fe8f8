"""FreeText, Until/until and ForceStop against plain string oracles."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import SMALL_TEXTS, language_texts, until_oracle

from lmparsec import CharSet, ForceStop, FreeText, Until, until
from lmparsec.errors import GrammarError

TRIGGERS = ["!", "ab", "aab", "abab", "aabaa", "```json\n", "</think>", "🎉!", "ééa"]


@pytest.mark.parametrize("trigger", TRIGGERS)
@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_until_is_exact(trigger: str, data: st.DataObject) -> None:
    parser = until(trigger)
    oracle = until_oracle(trigger)
    alphabet = "".join(sorted(set(trigger))) + "x"
    # random text over the trigger's characters: KMP must agree with str.find
    text = data.draw(st.text(st.sampled_from(alphabet), max_size=14))
    assert parser.accepts(text) == oracle(text), (trigger, text)
    assert parser.prefix_ok(text) == (text.find(trigger) in (-1, len(text) - len(trigger)))
    # text + trigger is accepted exactly when the trigger did not occur earlier
    longer = text + trigger
    assert parser.accepts(longer) == (longer.find(trigger) == len(text))
    drawn = data.draw(language_texts(parser, max_length=12))
    assert oracle(drawn)


def test_until_prefix_and_end() -> None:
    parser = until("ab")
    done = parser.advance_text("xxab")
    assert done is not None and done.can_end() and not done.allowed() and done.advance("a") is None
    assert parser.shortest() == "ab"
    mid = parser.advance_text("xa")
    assert mid is not None and mid.shortest() == "b" and mid.forced() == ""
    assert isinstance(parser, Until) and parser.trigger == "ab"
    with pytest.raises(GrammarError, match="non-empty str trigger"):
        until("")


@settings(max_examples=60, deadline=None)
@given(SMALL_TEXTS, st.integers(0, 6), st.integers(0, 6))
def test_freetext_lengths(text: str, lo: int, hi: int) -> None:
    lo, hi = min(lo, hi), max(lo, hi)
    assert FreeText().accepts(text)
    assert FreeText(max_length=hi).accepts(text) == (len(text) <= hi)
    assert FreeText(max_length=hi).prefix_ok(text) == (len(text) <= hi)
    assert FreeText(max_length=hi, min_length=lo).accepts(text) == (lo <= len(text) <= hi)
    assert FreeText(min_length=lo).accepts(text) == (len(text) >= lo)
    shortest = FreeText(max_length=hi, min_length=lo).shortest()
    assert shortest is not None and len(shortest) == lo


@settings(max_examples=40, deadline=None)
@given(SMALL_TEXTS)
def test_freetext_chars(text: str) -> None:
    chars = CharSet.range("a", "z") | CharSet.of("()")
    assert FreeText(chars=chars).accepts(text) == all(c in chars for c in text)


def test_freetext_errors() -> None:
    with pytest.raises(GrammarError, match="max_length"):
        FreeText(max_length=-1)
    with pytest.raises(GrammarError, match="min_length"):
        FreeText(min_length=-2)
    with pytest.raises(GrammarError, match="exceeds"):
        FreeText(max_length=1, min_length=2)
    with pytest.raises(GrammarError, match="CharSet"):
        FreeText(chars="abc")  # type: ignore[arg-type]


def test_force_stop() -> None:
    stop = ForceStop()
    assert stop.accepts("") and not stop.prefix_ok("a")
    assert not stop.allowed() and stop.can_end() and stop.shortest() == "" and stop.forced() == ""
    assert stop.key() == ForceStop().key()

"""The parser interface's contracts, on every combinator, in states reached by
drawn texts: key, loop, loop_limit, step_class, split, shortest, forced,
pickling and deep copies."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import JSONISH, fenced, language_texts, motivating, parens

from lmparsec import (
    CharSet,
    Complement,
    ExactlyOne,
    ForceStop,
    FreeText,
    Intersect,
    Literal,
    Parser,
    Regex,
    Sequence,
    Union,
    choice,
    until,
)
from lmparsec.testing import chars_in

# name -> (factory, probe alphabet, may a reachable state be dead?)
CATALOGUE: dict[str, tuple[Callable[[], Parser], str, bool]] = {
    "literal": (lambda: Literal("héllo 🎉"), "hélo 🎉x", False),
    "regex-string": (lambda: Regex(r'"[^"\\]*"'), '"a\\é🎉', False),
    "regex-ident": (lambda: Regex(r"[a-zA-Z0-9_]+"), "aZ_9 é", False),
    "regex-jsonish": (lambda: Regex(JSONISH), '{}"a: 1,-te', False),
    "seq-freetext": (lambda: Sequence(FreeText(), Literal("!")), "a!é", False),
    "seq-regexes": (lambda: Sequence(Regex("a*"), Regex("a*b")), "ab", False),
    "seq-counted": (
        lambda: Sequence(FreeText(max_length=2, chars=~CharSet.of("中")), Literal("中")),
        "a中é",
        False,
    ),
    "union": (lambda: Union(Literal("yes"), Regex("y[a-z]*s"), FreeText(max_length=3)), "yesa", False),
    "choice": (lambda: choice(["cat", "car", "cart"]), "catr", False),
    "until-fence": (lambda: until("```json\n"), "`json\na", False),
    "until-periodic": (lambda: until("abab"), "abx", False),
    "freetext": (lambda: FreeText(), "a é\n🎉", False),
    "freetext-max": (lambda: FreeText(max_length=5), "ab é", False),
    "freetext-min": (lambda: FreeText(min_length=3), "ab é", False),
    "freetext-both": (
        lambda: FreeText(max_length=6, min_length=2, chars=CharSet.range("a", "z")),
        "abz1",
        False,
    ),
    "intersect": (lambda: Intersect(Regex("[a-z]*"), FreeText(max_length=4)), "abé", False),
    "intersect-counted": (lambda: Intersect(FreeText(max_length=5), FreeText(min_length=3)), "ab", True),
    "complement": (lambda: Complement(FreeText(max_length=4), Literal("ab")), "abc", False),
    "complement-counted": (lambda: Complement(FreeText(max_length=4), None), "abc", False),
    "exactly-one-counted": (lambda: ExactlyOne(FreeText(max_length=3), Regex("b+")), "ab", True),
    "exactly-one": (lambda: ExactlyOne(Regex("a+"), Regex("a{2}b?")), "ab", True),
    "force-stop": (ForceStop, "a", False),
    "parens": (parens, "()", False),
    "fenced": (fenced, '`json\n{}"a: 1', False),
    "motivating": (motivating, '`json\n{}"a: 1', False),
}

NAMES = sorted(CATALOGUE)
SETTINGS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def reach(data: st.DataObject, name: str) -> Parser:
    """A state reached by a prefix of a text of the language."""
    make = CATALOGUE[name][0]
    parser = make()
    text = data.draw(language_texts(parser, max_length=14), label="text")
    cut = data.draw(st.integers(0, len(text)), label="cut")
    state = parser.advance_text(text[:cut])
    assert state is not None
    return state


def probes(name: str) -> st.SearchStrategy[str]:
    return st.text(st.sampled_from(CATALOGUE[name][1]), max_size=8)


def same_future(a: Parser, b: Parser, texts: list[str]) -> None:
    for text in texts:
        assert a.accepts(text) == b.accepts(text), text
        assert a.prefix_ok(text) == b.prefix_ok(text), text
    assert a.allowed() == b.allowed() and a.can_end() == b.can_end()


@pytest.mark.parametrize("name", NAMES)
@SETTINGS
@given(data=st.data())
def test_loop_and_loop_limit(name: str, data: st.DataObject) -> None:
    state = reach(data, name)
    loop = state.loop()
    if not loop:
        return
    limit = state.loop_limit()
    if limit != 0:
        assert not (loop - state.allowed()), "loop characters must be allowed"
    if limit is None:
        char = data.draw(chars_in(loop))
        nxt = state.advance(char)
        assert nxt is not None and nxt.key() == state.key(), char
        return
    # a counted loop: any k <= limit loop characters reach one and the same state
    k = data.draw(st.integers(0, min(limit, 6)))
    one = state.advance_text(data.draw(st.text(chars_in(loop), min_size=k, max_size=k)))
    two = state.advance_text(data.draw(st.text(chars_in(loop), min_size=k, max_size=k)))
    assert one is not None and two is not None and one.key() == two.key()


@pytest.mark.parametrize("name", NAMES)
@SETTINGS
@given(data=st.data())
def test_step_class(name: str, data: st.DataObject) -> None:
    state = reach(data, name)
    char = data.draw(st.one_of(chars_in(CharSet.ANY), st.sampled_from(CATALOGUE[name][1])))
    cls = state.step_class(char)
    assert char in cls
    target = state.advance(char)
    other = data.draw(chars_in(cls))
    moved = state.advance(other)
    if target is None:
        assert moved is None, other
    else:
        assert moved is not None and moved.key() == target.key(), other


@pytest.mark.parametrize("name", NAMES)
@SETTINGS
@given(data=st.data())
def test_split_shortest_forced(name: str, data: st.DataObject) -> None:
    state = reach(data, name)
    may_die = CATALOGUE[name][2]
    rest = data.draw(probes(name))
    parts = state.split()
    if parts is not None:
        assert parts
        assert state.accepts(rest) == any(p.accepts(rest) for p in parts), rest
        assert state.prefix_ok(rest) == any(p.prefix_ok(rest) for p in parts), rest
        assert state.can_end() == any(p.can_end() for p in parts)
    shortest = state.shortest()
    if shortest is None:
        assert may_die, "a state reached by a prefix of the language must be completable"
    else:
        assert state.accepts(shortest), shortest
    if not state.allowed() and not state.can_end():
        return
    forced = state.forced()
    assert state.prefix_ok(forced)
    if shortest is not None:
        assert shortest.startswith(forced)
        continuation = data.draw(language_texts(state, max_length=10))
        assert continuation.startswith(forced), (forced, continuation)


@pytest.mark.parametrize("name", NAMES)
@SETTINGS
@given(data=st.data())
def test_equal_keys_mean_equal_futures(name: str, data: st.DataObject) -> None:
    parser = CATALOGUE[name][0]()
    alphabet = st.text(st.sampled_from(CATALOGUE[name][1]), max_size=6)
    a = parser.advance_text(data.draw(alphabet))
    b = parser.advance_text(data.draw(alphabet))
    if a is None or b is None or a.key() != b.key():
        return
    same_future(a, b, [data.draw(probes(name)) for _ in range(4)])


@pytest.mark.parametrize("name", NAMES)
@SETTINGS
@given(data=st.data())
def test_pickle_and_deepcopy(name: str, data: st.DataObject) -> None:
    state = reach(data, name)
    texts = [data.draw(probes(name)) for _ in range(3)]
    copies = [copy.deepcopy(state), copy.copy(state)]
    if name != "parens":  # Lazy pickles only when its factory does; a lambda does not
        copies.append(pickle.loads(pickle.dumps(state)))
    for other in copies:
        assert other.key() == state.key()
        same_future(other, state, texts)

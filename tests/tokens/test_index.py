"""TokenIndex tables against their definitions on real vocabularies: a loop
table's run of every unit (sets large, middling and small, empty, with NUL and
characters beyond the BMP), before and after its per-token columns exist, a
table patched from one whose set is near its own equal to one made from scratch,
and a table's escapes, split by first character, walking like one trie of them all."""

from __future__ import annotations

import random
from functools import cache

import numpy as np
import pytest
from conftest import load_vocabulary
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from lmparsec import CharSet, FreeText, Literal, Parser, Regex
from lmparsec.tokens.index import LoopTable, TokenIndex, _values_present, member
from lmparsec.tokens.trie import TokenTrie

SETS = {
    "digits": CharSet.range("0", "9"),
    "low-digits": CharSet.range("0", "4"),  # (a number bound's first digit)
    "hex": CharSet([(0x30, 0x39), (0x41, 0x46), (0x61, 0x66)]),
    "string-content": ~CharSet([(0, 0x1F), (0x22, 0x22), (0x5C, 0x5C)]),
    "letters": CharSet([(0x41, 0x5A), (0x61, 0x7A)]),
    "cjk": CharSet([(0x4E00, 0x9FFF)]),
    "one-char": CharSet.of("x"),
    "empty": CharSet.EMPTY,
    "not-colon": ~CharSet.of(":"),
    "nul-and-emoji": CharSet([(0, 0), (0x1F300, 0x1FAFF)]),
}


@cache
def index(name: str) -> TokenIndex:
    return TokenIndex(load_vocabulary(name))


def unit_in(ix: TokenIndex, u: int, chars: CharSet) -> bool:
    lo, hi = int(ix._unit_lo[u]), int(ix._unit_hi[u])
    return chars.contains_code(lo) if lo == hi else chars.intersects_range(lo, hi)


@pytest.mark.parametrize("name", list(SETS))
def test_loop_table_runs(tokenizer_name: str, name: str) -> None:
    ix = index(tokenizer_name)
    chars = SETS[name]
    table = ix.loop_table(chars)
    # runs asked of a table whose per-token columns are not built yet (a state
    # met inside the trie) are counted unit by unit: the same answers
    fresh = LoopTable(ix, chars)
    rng = random.Random(7)
    tokens = np.flatnonzero(ix.starts_ok).tolist()
    picked = rng.sample(tokens, 3000)
    units = np.concatenate([np.arange(ix._first_unit[t], ix._first_unit[t] + ix.lengths[t]) for t in picked])
    early = fresh.run_at(units)
    assert fresh._first_out is None
    assert table.first_out is not None  # (the columns, built now)
    assert np.array_equal(early, table.run_at(units))
    for t in picked:
        first = int(ix._first_unit[t])
        units = range(first, first + int(ix.lengths[t]))
        want: list[int] = []
        run = 0
        for u in reversed(units):  # characters in the set from here to the token's end
            run = run + 1 if unit_in(ix, u, chars) else 0
            want.append(run)
        want.reverse()
        got = table.run_at(np.arange(first, first + len(want))).tolist()
        assert got == want, (t, ix.vocabulary.token_bytes[t])
        whole = want[0] == len(units)
        assert bool(table.inside[t]) == whole
        assert int(table.first_out[t]) == (-1 if whole else want[0])
    # tokens that are not text from a character boundary are in no column
    assert not (table.first_out[~ix.starts_ok] >= 0).any() and not table.inside[~ix.starts_ok].any()
    # the positions where some token first leaves the set
    assert table.groups == tuple(sorted({int(x) for x in table.first_out.tolist() if x >= 0}))


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.integers(-1, 130), max_size=60), wide=st.booleans())
def test_values_present_in_a_column(values: list[int], wide: bool) -> None:
    # (below 63 by bits, above by counting: both ways, with and without -1s)
    column = np.array(values, dtype=np.int64 if wide else np.int16)
    assert _values_present(column) == tuple(sorted({v for v in values if v >= 0}))


#: characters a pattern's class adds to or takes from a common one: ASCII
#: punctuation, digits and letters, NUL, a Latin-1 letter, CJK and emoji ranges
#: (units of several bytes, and unfinished characters that may become them)
_NEAR_CHARS = st.one_of(
    st.integers(0x20, 0x7E).map(lambda c: (c, c)),
    st.sampled_from([(0, 0), (0xE9, 0xE9), (0x80, 0x7FF), (0x4E00, 0x9FFF), (0x1F300, 0x1FAFF)]),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(base=st.sampled_from(["letters", "word", "lower-digits"]),
       added=st.lists(_NEAR_CHARS, max_size=3), removed=st.lists(_NEAR_CHARS, max_size=3))
def test_a_table_patched_from_a_near_one_is_the_table(tokenizer_name: str, base: str,
                                                      added: list[tuple[int, int]],
                                                      removed: list[tuple[int, int]]) -> None:
    # a class met in a pattern is mostly a common one give or take a few
    # characters; its table is made from that one's by the units that differ
    ix = index(tokenizer_name)
    start = {"letters": SETS["letters"],
             "word": CharSet([(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)]),
             "lower-digits": CharSet([(0x30, 0x39), (0x61, 0x7A)])}[base]
    ix.loop_table(start).groups  # noqa: B018 - the base's columns exist
    chars = (start | CharSet(added)) - CharSet(removed)
    near = ix.nearest_loop(chars)
    note(f"near: {near is not None and (sorted(near[0]._chars.ranges), len(near[1]), len(near[2]))}")
    patched = LoopTable(ix, chars)
    got = patched.first_out
    scratch, inside, groups = LoopTable(ix, chars)._scratch()
    assert np.array_equal(got, scratch)
    assert np.array_equal(patched.inside, inside) and patched.groups == groups
    # and against the definition, on the tokens holding a changed character
    changed = CharSet(added) | CharSet(removed)
    rng = random.Random(repr((base, added, removed)))
    touched = [t for t in np.flatnonzero(ix.starts_ok).tolist()[::7]
               if any(unit_in(ix, u, changed) for u in range(int(ix._first_unit[t]),
                                                             int(ix._first_unit[t] + ix.lengths[t])))]
    for t in rng.sample(touched, min(200, len(touched))):
        first = int(ix._first_unit[t])
        out = next((k for k in range(int(ix.lengths[t])) if not unit_in(ix, first + k, chars)), -1)
        assert int(got[t]) == out, (t, ix.vocabulary.token_bytes[t])


def test_a_class_with_one_more_character_is_patched(tokenizer_name: str) -> None:
    # (the path the property above exercises is taken for such a class; an index
    # of its own, holding the common tables only)
    ix = TokenIndex(load_vocabulary(tokenizer_name))
    letters = ix.loop_table(SETS["letters"])
    letters.groups  # noqa: B018
    near = ix.nearest_loop(SETS["letters"] | CharSet.of(":"))
    assert near is not None and len(near[1]) == 0 and len(near[2]) > 0
    assert near[0]._chars == SETS["letters"]
    # a small set's table is a few slices of the units by code: never patched
    assert ix.nearest_loop(CharSet.range("0", "9") | CharSet.of(":")) is None


STATES: list[tuple[str, Parser]] = [
    ("freetext", FreeText()),
    ("letters-then-colon", Regex("[a-z]*:[0-9]+")),
    ("literal", Literal('", "name": ')),
]


@pytest.mark.parametrize("state", range(len(STATES)), ids=[n for n, _ in STATES])
@pytest.mark.parametrize("name", ["hex", "letters", "string-content"])
def test_split_escapes_walk_like_one_trie(tokenizer_name: str, name: str, state: int) -> None:
    ix = index(tokenizer_name)
    table = ix.loop_table(SETS[name])
    token_bytes = ix.vocabulary.token_bytes
    for before in (1, 2):
        toks = np.flatnonzero(table.first_out >= before)
        starts = table.first_out[toks]
        offsets = ix.unit_offsets(toks, starts)
        rows = zip(toks.tolist(), starts.tolist(), offsets.tolist(), strict=True)
        whole = TokenTrie.of_suffixes((token_bytes[t][o:], t, a) for t, a, o in rows)
        parser = STATES[state][1]
        got = table.escape_from(before).walk(parser, shortcut=ix.subtree_shortcut)
        assert sorted(got) == sorted(whole.walk(parser, shortcut=ix.subtree_shortcut))


def _json_string_at(data: bytes) -> tuple[bytes, bytes | None] | None:
    """A token read as whitespace and a JSON string: ``(raw text, None)`` when the
    string is still open at the token's end, ``(raw text, rest)`` when it closes;
    ``None`` when the token is not such a start. Byte by byte, as a reader would."""
    i = 0
    while i < len(data) and data[i] in b" \t\n\r":
        i += 1
    if i == len(data) or data[i] != ord('"'):
        return None
    start = i = i + 1
    while i < len(data):
        if data[i] == ord("\\"):
            i += 2
            continue
        if data[i] == ord('"'):
            return data[start:i], data[i + 1 :]
        i += 1
    return data[start:], None


@pytest.mark.parametrize("where", ["token", "after a comma"])
def test_json_strings_a_token_opens(tokenizer_name: str, where: str) -> None:
    """The facts objects after a comma key their masks by (``TokenView``): every
    token that opens a string after whitespace is one of them, read by hand; and
    every rest of a token after a comma in it, for what follows a value."""
    import json

    ix = index(tokenizer_name)
    facts = ix if where == "token" else ix.after_comma()
    texts, deep = facts.closed_strings()
    opened = facts.opened_strings()
    want_open: set[bytes] = set()
    want_closed: set[str] = set()
    want_deep: set[str] = set()
    sources = list(ix.vocabulary.token_bytes)
    if where == "after a comma":
        sources = [data[k + 1:] for data in sources if data for k in range(len(data)) if data[k] == ord(",")]
    for data in sources:
        got = _json_string_at(data)
        if got is None:
            continue
        raw, rest = got
        if rest is None:
            want_open.add(raw)
            continue
        try:
            text = json.loads(b'"' + raw + b'"')
        except ValueError:
            continue
        want_closed.add(text)
        if rest[:1] == b":" and any(b not in b" \t\n\r" for b in rest[1:]):
            want_deep.add(text)
    assert opened == want_open and texts == want_closed and deep == want_deep
    # what the masks rely on: a bare quote opens one, and no ordinary name is closed whole
    assert b"" in opened and "name" not in texts and "id" not in texts
    # a name's opened prefixes are those of its bytes a token opens a string with
    for name in ("name", "identifier", "dépôt", "x", "%", "#x"):
        data = name.encode()
        want = {data[:k] for k in range(len(data) + 1) if data[:k] in want_open}
        assert facts.opened_prefixes(name) == want and facts.opened_prefixes(name) == want  # (kept: the same)


def test_texts_a_token_closes_a_string_with(tokenizer_name: str) -> None:
    """What a key's cache key asks (``TokenView.closing_texts``, ``colon_rests``):
    read by hand from every token, from inside a string -- the text before the
    first quote no backslash escapes, decoded, and what follows that quote and a
    colon."""
    import json

    ix = index(tokenizer_name)
    want: set[str] = set()
    colon: set[bytes] = set()
    for data in ix.vocabulary.token_bytes:
        escaped, at = False, -1
        for k, byte in enumerate(data):
            if escaped:
                escaped = False
            elif byte == ord("\\"):
                escaped = True
            elif byte == ord('"'):
                at = k
                break
        if at < 0:
            continue
        try:
            want.add(json.loads(b'"' + data[:at] + b'"'))
        except ValueError:
            continue
        if data[at + 1:at + 2] == b":":
            colon.add(data[at + 2:])
    assert ix.closing_texts() == want
    try:
        rests: tuple[str, ...] | None = tuple(sorted(rest.decode() for rest in colon))
    except UnicodeDecodeError:
        rests = None
    assert ix.colon_rests() == rests
    # what keys rely on: a bare quote closes any string, and no ordinary name's rest is a token's
    assert "" in want and "ription" not in want and "ername" not in want
    assert rests is not None and "" in rests


def _slot_indents(data: bytes) -> list[int]:
    """Spaces after each newline of ``data`` that could be one slot of JSON
    whitespace, read by hand: the newline at the start or after a character that
    is not whitespace, the spaces then ending ``data`` or followed by one that is not."""
    out = []
    for k, byte in enumerate(data):
        if byte != 0x0A or (k and data[k - 1] in b" \t\r\n"):
            continue
        end = k + 1
        while end < len(data) and data[end] == 0x20:
            end += 1
        if end == len(data) or data[end] not in b" \t\r\n":
            out.append(end - k - 1)
    return out


def test_indent_reach_counts_only_what_a_slot_may_hold(tokenizer_name: str) -> None:
    # A blank line ("\n" + spaces + "\n"), spaces before a newline or a tab after
    # the spaces is never one slot of JSON whitespace: such tokens tell no depth.
    ix = index(tokenizer_name)
    want = max((n for data in ix.vocabulary.token_bytes for n in _slot_indents(data)), default=0)
    assert ix.indent_reach() == want
    from lmparsec.tokens import Vocabulary

    base = [b"<eos>", *(bytes([c]) for c in range(32, 127)), b"\n"]
    for extra, reach in (([b"\n        \n", b" \n      x", b"\n   \t"], 0), ([b'},\n      "', b"\n  "], 6)):
        small = TokenIndex(Vocabulary(base + extra, eos_ids=[0]))
        assert small.indent_reach() == reach == max(n for data in extra for n in [0, *_slot_indents(data)])


GROUPED = {
    "hash": {"type": "string", "pattern": "^([^:]+:[a-fA-F0-9]+|[a-fA-F0-9]{32}|)$"},
    "hex-then-text": {"type": "string", "pattern": "^[0-9a-fA-F][^:]*$"},
    "hex-or-long-text": {"type": "string", "pattern": "^([0-9a-f]{6}|[^:]{10,})$"},
}


@pytest.mark.parametrize("name", sorted(GROUPED))
@pytest.mark.parametrize("first", [None, "0123456789abcdefABCDEF\""])
def test_siblings_that_step_alike_are_answered_as_one_node(tokenizer_name: str, name: str,
                                                          first: str | None) -> None:
    # At a walk's root, the children whose characters step alike into one state
    # that allows many (a hash's hexadecimal digits, into a state that does not
    # loop) are offered to the shortcut as one node: the tokens of a plain walk,
    # each once.
    from lmparsec.combinators.jsonschema import JsonSchema

    ix = index(tokenizer_name)
    state = JsonSchema(GROUPED[name], strict=False).advance('"')
    assert state is not None
    chars = None if first is None else CharSet.of(first)
    offered: list[int] = []

    def shortcut(st: Parser, trie: TokenTrie, spans: tuple[tuple[int, int], ...],
                 chars: int) -> tuple[list[int], CharSet] | None:
        offered.append(len(spans))
        return ix.subtree_shortcut(st, trie, spans, chars)

    got = ix.trie.walk(state, first=chars, shortcut=shortcut)
    assert sorted(got) == sorted(ix.trie.walk(state, first=chars))
    assert max(offered) >= 10  # (the digits at least: one node, not ten)


def _brackets(data: bytes) -> int:
    return sum(data.count(c) for c in (b"}", b"]"))


def test_closers_counted_as_a_reader_counts_them(tokenizer_name: str) -> None:
    # The brackets a token holds anywhere, and after its first quote (from inside a
    # string, the closing quote comes first): how many containers a token may close.
    ix = index(tokenizer_name)
    texts = [data for data in ix.vocabulary.token_bytes if data]
    anywhere = max(_brackets(data) for data in texts)
    after_quote = max(_brackets(data[data.index(b'"'):]) for data in texts if b'"' in data)
    assert ix.closers() == (anywhere, after_quote)
    # what the tokens holding that many hold after the last one (a container met
    # only past all of them meets no more of the token)
    def tail(data: bytes) -> bytes:
        return data[max(data.rfind(b"}"), data.rfind(b"]")) + 1:]

    tails = {tail(data) for data in texts if _brackets(data) == anywhere}
    tails |= {tail(rest) for data in texts if b'"' in data
              for rest in [data[data.index(b'"'):]] if _brackets(rest) == after_quote}
    assert ix.last_texts() == tuple(sorted(t.decode() for t in tails))
    rests = [data[k + 1:] for data in texts if b'"' in data
             for k in range(len(data)) if data[k:k + 1] == b","]
    assert ix.after_comma().closers()[1] == max(
        (_brackets(r[r.index(b'"'):]) for r in rests if b'"' in r), default=0)
    from lmparsec.tokens import Vocabulary

    base = [b"<eos>", *(bytes([c]) for c in range(32, 127))]
    # (a token that starts inside a character is read whole)
    small = TokenIndex(Vocabulary([*base, b"]]]", b'x"}', b'"}],', b"\x80}}]}"], eos_ids=[0]))
    assert small.closers() == (4, 2)
    assert small.last_texts() == ("", ",")
    # (one that ends inside a character of several bytes: no texts to key by; nor
    # where no token holds a bracket after a quote -- a token from inside a string
    # then meets its container with all it holds after the quote)
    odd = TokenIndex(Vocabulary([*base, b'"}],', b'"]}\xe2'], eos_ids=[0]))
    assert odd.closers() == (2, 2) and odd.last_texts() is None
    bare = TokenIndex(Vocabulary([*base, b'",', b"}},"], eos_ids=[0]))
    assert bare.closers() == (2, 0) and bare.last_texts() is None


def _exits(state: Parser, text: str) -> int | None:
    """How many containers ``text`` leaves, read from ``state`` (the most at any
    point of it), by the parser itself: the closing brackets of the shortest
    completion after each prefix tell how deep it is there. ``None`` where the
    parser refuses the text."""
    def depth(at: Parser) -> int:
        rest = at.shortest()
        assert rest is not None
        return rest.count("}") + rest.count("]")

    start = depth(state)
    deepest_out = 0
    at: Parser | None = state
    for char in text:
        at = at.advance(char) if at is not None else None
        if at is None:
            return None
        deepest_out = max(deepest_out, start - depth(at))
    return deepest_out


@pytest.mark.parametrize("colon", [False, True], ids=["before-value", "before-colon"])
def test_containers_a_token_leaves_from_before_a_value(tokenizer_name: str, colon: bool) -> None:
    # From before an object member's value (or its colon) a token leaves the object
    # only past a whole value: no more containers than ``closers_after_value`` says,
    # read by the JSON parser itself on every token holding a closing bracket, four
    # containers deep (and as many as some token leaves, where any does).
    ix = index(tokenizer_name)
    from lmparsec.combinators.jsonschema import JsonSchema

    state = JsonSchema({}).advance_text('[[[{"k"' if colon else '[[[{"k": ')
    assert state is not None
    most = 0
    for data in ix.vocabulary.token_bytes:
        if b"}" not in data and b"]" not in data:
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        got = _exits(state, text)
        if got is not None:
            most = max(most, got)
    assert most == ix.closers_after_value()[colon]
    from lmparsec.tokens import Vocabulary

    base = [b"<eos>", *(bytes([c]) for c in range(32, 127))]
    small = TokenIndex(Vocabulary([*base, b' ""}]', b'{"a":[1]}}', b': 1}', b'12}', b'1'], eos_ids=[0]))
    assert small.closers_after_value() == (2, 1)  # (' ""}]': two; '12}' is a whole number, then one)
    assert small.after_comma().closers_after_value() == (0, 0)


@pytest.mark.parametrize("name", sorted(SETS))
def test_member_by_table_and_by_ranges_agree_with_the_set(name: str) -> None:
    # a vocabulary's column (first characters) is tested by table, a subtree's
    # few codes by range search: both must say what the set says, for NUL,
    # codes beyond the BMP and the -1 of "no character"
    chars = SETS[name]
    rng = random.Random(name)
    picks = [-1, 0, 1, 0x22, 0x39, 0x3A, 0x4E00, 0x9FFF, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF]
    picks += [rng.choice((rng.randrange(0x80), rng.randrange(0x10000), rng.randrange(0x110000)))
              for _ in range(300)]
    for size in (len(picks), 5000):  # below and above the table's threshold
        codes = np.asarray([picks[i % len(picks)] for i in range(size)], dtype=np.int64)
        got = member(codes, chars)
        want = [c >= 0 and chars.contains_code(c) for c in codes.tolist()]
        assert got.tolist() == want


@pytest.mark.parametrize("pattern", ["^.+$", "^\\S+$", "^\\S+@\\S+$", "^[0-9a-fA-F]+$", "^\\w+$", "^[a-z]+$"])
def test_common_loops_are_the_classes_strings_of_common_patterns_loop_on(pattern: str) -> None:
    # (made with the index so that a first mask inside such a string finds its
    # table: they must be the very sets the compiler's strings loop on)
    from lmparsec.combinators.jsonschema import JsonSchema
    from lmparsec.tokens.index import COMMON_LOOPS

    state = JsonSchema({"type": "string", "pattern": pattern}).advance_text('"a')
    assert state is not None
    assert state.loop() in COMMON_LOOPS


def test_a_chain_past_a_heads_end_closes_where_no_character_of_it_may_come() -> None:
    # A bounded number after a colon is walked as a probe (see segment.py): past the
    # number's end each character marks a node of its own, so its step classes split
    # every character apart. Where no digit may come any more (65535: after five
    # digits) the chain of digits is closed there, not refused as steps apart --
    # and the masks, made along that chain, are each state's own.
    from lmparsec.combinators.jsonschema import JsonSchema
    from lmparsec.tokens import MaskCache, Vocabulary
    from lmparsec.tokens.index import follow_chain
    from lmparsec.tokens.segment import Probe

    pieces = [b"<eos>", *(bytes([c]) for c in range(32, 127)), b"\n", b"12", b"404", b"4040", b"40400",
              b"404000", b"0,", b"00}", b"5 ", b"99", b"655", b"6553", b"65536"]
    mc = MaskCache(Vocabulary(pieces, eos_ids=[0]), index_cache_dir=False)
    parser = JsonSchema({"type": "object", "properties": {"p": {"type": "integer", "minimum": 0,
                                                                "maximum": 65535}}}, strict=False)
    digits = CharSet.of("0123456789")
    head = parser.advance_text('{"p": 404')
    assert head is not None
    number = head.segment()
    assert number is not None
    chain = follow_chain(Probe(number[0], number[2]), digits, "0", 8, {})
    assert chain is not None and len(chain[0]) == 3 and not chain[1]  # 404, 4040, 40400: closed
    for text in ('{"p": ', '{"p": 4', '{"p": 404', '{"p": 4040', '{"p": 6553', '{"p": 65535'):
        state = parser.advance_text(text)
        assert state is not None, text
        want = np.zeros(mc.size, dtype=bool)
        want[mc.index.trie.walk(state)] = True
        got = np.unpackbits(mc.bitmask(state).view(np.uint8), bitorder="little")[: mc.size].astype(bool)
        assert np.array_equal(got, want), text

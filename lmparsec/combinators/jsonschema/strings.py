"""JSON string literals whose *decoded* characters feed a character-level parser.

``JsonString(value)`` reads ``"..."`` as RFC 8259 writes it (raw characters,
the short escapes ``\\" \\\\ \\/ \\b \\f \\n \\r \\t`` and ``\\uXXXX``, with
UTF-16 surrogate pairs that must pair up) and hands each decoded character to
``value``. The raw text and every escaped spelling of a character therefore
lead to the same ``value`` state, so constraints such as ``pattern`` or
``maxLength`` are checked on what the string *means*, not on how it is spelled.

``allowed()`` is exact: an escape is offered only when it can decode to a
character ``value`` takes, and every hex digit of a ``\\u`` escape is offered
only when some code point (or surrogate pair) starting with those digits is
one ``value`` takes.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable
from functools import lru_cache
from typing import Any

from ...memo import ViewMemos, remember
from ..base import Parser, TokenView
from ..charset import CharSet
from ..text import FreeText

__all__ = ["ESCAPED_ONLY", "ESCAPE_LETTERS", "JsonString", "any_string", "child_enclosed",
           "json_escape_minimal"]

_QUOTE = '"'
_BACKSLASH = "\\"
#: Characters that never appear raw inside a JSON string: a quote, a backslash,
#: control characters (the one set of them; keys and ``uniqueItems`` read it too).
ESCAPED_ONLY = CharSet([(0x00, 0x1F), (0x22, 0x22), (0x5C, 0x5C)])
_SURROGATES = CharSet([(0xD800, 0xDFFF)])
_CONTROLS = CharSet([(0x00, 0x1F)])
_NOT_QUOTE = ~CharSet.of('"')
_HEX = "0123456789abcdefABCDEF"
#: Short escapes: the letter after the backslash -> the decoded character.
_SHORT_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_SHORT_SPELLING = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}

# Escape states: ``esc`` is a small tuple; the first item is the mode.
_START = 0  # before the opening quote
_PLAIN = 1  # inside the string, not in an escape
_BS = 2  # just read a backslash
_U = 3  # (_U, digits read, value so far): in a \u escape
_HIGH_BS = 4  # (_HIGH_BS, high): read a high surrogate, a backslash must follow
_HIGH_U = 5  # (_HIGH_U, high): read its backslash, a 'u' must follow
_LOW = 6  # (_LOW, digits read, value so far, high): in the low surrogate's \u escape
_DONE = 7  # after the closing quote

# what a shortest completion never needs inside an escape (JsonString.layout)
_SLASH = CharSet.of("/")
_LOWER_HEX = CharSet.of("abcdef")
_NOT_ZERO = CharSet.of(_HEX) - CharSet.of("0")
_NOT_ZERO_ONE = CharSet.of(_HEX) - CharSet.of("01")
_SHORT_CONTROLS = CharSet.of("89ACDacd") | _LOWER_HEX  # \b \t \n \f \r

_S_START: tuple[int, ...] = (_START,)
_S_PLAIN: tuple[int, ...] = (_PLAIN,)
_S_BS: tuple[int, ...] = (_BS,)
_S_DONE: tuple[int, ...] = (_DONE,)


def _usable(allowed: CharSet, lo: int, hi: int) -> bool:
    """Whether a ``\\uXXXX`` escape (or pair) whose first value lies in ``[lo, hi]``
    can decode to a character of ``allowed``.

    Plain code points decode to themselves; high surrogates start a pair whose
    astral characters form one contiguous range; a lone low surrogate decodes
    to nothing.
    """
    if lo <= 0xD7FF and allowed.intersects_range(lo, min(hi, 0xD7FF)):
        return True
    if hi >= 0xE000 and allowed.intersects_range(max(lo, 0xE000), hi):
        return True
    h_lo, h_hi = max(lo, 0xD800), min(hi, 0xDBFF)
    if h_lo <= h_hi:
        a_lo = 0x10000 + ((h_lo - 0xD800) << 10)
        a_hi = 0x10000 + ((h_hi - 0xD800) << 10) + 0x3FF
        if allowed.intersects_range(a_lo, a_hi):
            return True
    return False


def _low_usable(allowed: CharSet, high: int, lo: int, hi: int) -> bool:
    """Like :func:`_usable` for the second half of a pair after ``high``."""
    lo, hi = max(lo, 0xDC00), min(hi, 0xDFFF)
    if lo > hi:
        return False
    base = 0x10000 + ((high - 0xD800) << 10)
    return allowed.intersects_range(base + lo - 0xDC00, base + hi - 0xDC00)


@lru_cache(maxsize=4096)
def _plain_allowed(value_allowed: CharSet, can_end: bool) -> CharSet:
    out = value_allowed - ESCAPED_ONLY
    if can_end:
        out = out | CharSet.of(_QUOTE)
    if value_allowed - _SURROGATES:
        out = out | CharSet.of(_BACKSLASH)
    return out


@lru_cache(maxsize=4096)
def _escape_allowed(value_allowed: CharSet) -> CharSet:
    chars = [c for c, decoded in _SHORT_ESCAPES.items() if decoded in value_allowed]
    if value_allowed - _SURROGATES:
        chars.append("u")
    return CharSet.of(chars)


#: Canonical spelling (``json.dumps(..., ensure_ascii=False)``): only these
#: characters are escaped, each with its short escape.
_CANONICAL_ESCAPED = CharSet.of('"\\\b\f\n\r\t')
_CANONICAL_LETTERS = {"\"": '"', "\\": "\\", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
#: the letters after a backslash that write a character only an escape writes
ESCAPE_LETTERS = "".join(_CANONICAL_LETTERS)


@lru_cache(maxsize=4096)
def _plain_allowed_canonical(value_allowed: CharSet, can_end: bool) -> CharSet:
    out = value_allowed - ESCAPED_ONLY
    if can_end:
        out = out | CharSet.of(_QUOTE)
    if value_allowed & _CANONICAL_ESCAPED:
        out = out | CharSet.of(_BACKSLASH)
    return out


@lru_cache(maxsize=4096)
def _hex_allowed(esc: tuple[int, ...], value_allowed: CharSet) -> CharSet:
    """The hex digits that may come next inside a ``\\u`` escape (the high or the
    low half of a pair): those some allowed character still starts with."""
    chars = []
    for c in _HEX:
        if esc[0] == _U:
            _, n, acc = esc
            lo = (acc * 16 + int(c, 16)) << (4 * (3 - n))
            ok = _usable(value_allowed, lo, lo + 16 ** (3 - n) - 1)
        else:  # _LOW
            _, n, acc, high = esc
            lo = (acc * 16 + int(c, 16)) << (4 * (3 - n))
            ok = _low_usable(value_allowed, high, lo, lo + 16 ** (3 - n) - 1)
        if ok:
            chars.append(c)
    return CharSet.of(chars)


@lru_cache(maxsize=4096)
def _plain_loop(value_loop: CharSet) -> CharSet:
    return value_loop - ESCAPED_ONLY


def raw_in_string(char: str) -> bool:
    """Whether ``char`` may stand for itself between a JSON string's quotes (not a
    quote, backslash, control character or lone surrogate, which need escapes)."""
    return char not in ESCAPED_ONLY and char not in _SURROGATES


def child_enclosed(child: Parser, rewrap: Callable[[Parser], Parser] | None
                   ) -> tuple[Parser, Parser | None] | None:
    """:meth:`Parser.enclosed` of an object or array reading ``child`` as a value:
    the child's own promise (or the child itself, a string any text leaves as it
    is), with the state after the closing quote put back in the container by
    ``rewrap`` (``None``: the container has no one state to go on from)."""
    got: tuple[Parser, Parser | None] | None
    if isinstance(child, JsonString):
        if rewrap is None:
            # the tokens past the end are walked whole: any string still open will do
            return None if child.can_end() else (child, None)
        if not child.uniform():
            return None
        after = child.advance(_QUOTE)
        got = None if after is None else (child, after)
    else:
        got = child.enclosed()
    if got is None:
        return None
    return got[0], None if got[1] is None or rewrap is None else rewrap(got[1])


class JsonString(Parser):
    """A JSON string literal whose decoded characters form a text ``value`` accepts.

    ``value`` is any character-level parser of the decoded string
    (``FreeText(max_length=5)``, ``Regex(...)``, an ``Intersect``...). The
    closing quote is allowed only where ``value.can_end()``. States are
    immutable; ``key()`` is ``("jstr", escape state, value.key())``.
    """

    __slots__ = ("_allowed", "_key", "_mkey", "canonical", "esc", "value")

    def __init__(self, value: Parser, _esc: tuple[int, ...] = _S_START, *, canonical: bool = False) -> None:
        """With ``canonical`` only one spelling of each value is accepted: the one
        ``json.dumps(..., ensure_ascii=False)`` writes (raw characters; short
        escapes for ``"``, ``\\`` and ``\b \f \n \r \t``; other controls cannot be
        written). Generation wants it for object keys: the key text is then forced
        and can be fast-forwarded."""
        if not isinstance(value, Parser):
            from ...errors import GrammarError

            raise GrammarError(f"JsonString needs a Parser for the decoded value, got {value!r}")
        self.value = value
        self.esc = _esc
        self.canonical = canonical
        # built when first asked: token walks advance far more states than they key
        self._key: Hashable = None
        self._mkey: tuple[Any, ...] | None = None
        self._allowed: CharSet | None = None

    def _with(self, value: Parser, esc: tuple[int, ...]) -> JsonString:
        obj = JsonString.__new__(JsonString)
        obj.value = value
        obj.esc = esc
        obj.canonical = self.canonical
        obj._key = None
        obj._mkey = None
        obj._allowed = None
        return obj

    def levels_reached(self, view: TokenView) -> int:
        # a token leaves an open string only through its closing quote
        anywhere, after_quote = view.closers()
        return (anywhere if self.esc[0] == _DONE else after_quote) + 1

    def in_content(self) -> bool:
        """Between the quotes, not inside an escape."""
        return self.esc[0] == _PLAIN

    def uniform(self) -> bool:
        """Inside a string whose value takes any character and stays as it is (any
        string, any key): the text so far changes nothing, and every such string
        in every context reads alike."""
        value = self.value
        return (self.esc[0] == _PLAIN and value.can_end() and value.loop_limit() is None
                and value.loop() == CharSet.ANY)

    def with_value(self, value: Parser) -> JsonString:
        """The same position in the string with another decoded-value state."""
        return self._with(value, self.esc)

    def _feed(self, decoded: str) -> Parser | None:
        nxt = self.value.advance(decoded)
        if nxt is None:
            return None
        if nxt is self.value and self.esc[0] == _PLAIN:
            return self
        return self._with(nxt, _S_PLAIN)

    # -- the four primitives ---------------------------------------------------
    def advance(self, char: str) -> Parser | None:
        mode = self.esc[0]
        if mode == _PLAIN:
            if char == _QUOTE:
                return self._with(self.value, _S_DONE) if self.value.can_end() else None
            if char == _BACKSLASH:
                return self._with(self.value, _S_BS) if char in self.allowed() else None
            if char < " ":  # (the rest of ESCAPED_ONLY, controls: one comparison, at every character)
                return None
            return self._feed(char)
        if mode == _START:
            return self._with(self.value, _S_PLAIN) if char == _QUOTE else None
        if mode == _BS:
            decoded = (_CANONICAL_LETTERS if self.canonical else _SHORT_ESCAPES).get(char)
            if decoded is not None:
                return self._feed(decoded)
            if self.canonical:
                return None
            if char == "u" and char in _escape_allowed(self.value.allowed()):
                return self._with(self.value, (_U, 0, 0))
            return None
        if mode == _DONE or (char not in _HEX and mode != _HIGH_BS and mode != _HIGH_U):
            return None
        if mode == _U:
            _, n, acc = self.esc
            acc = acc * 16 + int(char, 16)
            n += 1
            span = 16 ** (4 - n) - 1
            lo = acc << (4 * (4 - n))
            if not _usable(self.value.allowed(), lo, lo + span):
                return None
            if n < 4:
                return self._with(self.value, (_U, n, acc))
            if 0xD800 <= acc <= 0xDBFF:
                return self._with(self.value, (_HIGH_BS, acc))
            return self._feed(chr(acc))
        if mode == _HIGH_BS:
            return self._with(self.value, (_HIGH_U, self.esc[1])) if char == _BACKSLASH else None
        if mode == _HIGH_U:
            return self._with(self.value, (_LOW, 0, 0, self.esc[1])) if char == "u" else None
        # mode == _LOW
        _, n, acc, high = self.esc
        acc = acc * 16 + int(char, 16)
        n += 1
        lo = acc << (4 * (4 - n))
        if not _low_usable(self.value.allowed(), high, lo, lo + 16 ** (4 - n) - 1):
            return None
        if n < 4:
            return self._with(self.value, (_LOW, n, acc, high))
        return self._feed(chr(0x10000 + ((high - 0xD800) << 10) + (acc - 0xDC00)))

    def allowed(self) -> CharSet:
        # asked at every node of a token walk, by the state and by its parents
        out = self._allowed
        if out is None:
            out = self._allowed = self._compute_allowed()
        return out

    def _compute_allowed(self) -> CharSet:
        mode = self.esc[0]
        if mode == _PLAIN:
            if self.canonical:
                return _plain_allowed_canonical(self.value.allowed(), self.value.can_end())
            return _plain_allowed(self.value.allowed(), self.value.can_end())
        if mode == _START:
            return CharSet.of(_QUOTE)
        if mode == _BS:
            if self.canonical:
                value_allowed = self.value.allowed()
                return CharSet.of(c for c, d in _CANONICAL_LETTERS.items() if d in value_allowed)
            return _escape_allowed(self.value.allowed())
        if mode == _DONE:
            return CharSet.EMPTY
        if mode == _HIGH_BS:
            return CharSet.of(_BACKSLASH)
        if mode == _HIGH_U:
            return CharSet.of("u")
        return _hex_allowed(self.esc, self.value.allowed())

    def can_end(self) -> bool:
        return self.esc[0] == _DONE

    def key(self) -> Hashable:
        k = self._key
        if k is None:
            k = self._key = ("jstrc" if self.canonical else "jstr", self.esc, self.value.key())
        return k

    def stand_in(self) -> tuple[Parser, tuple[str, ...]] | None:
        # the value's promise, for its characters written as they are; any text
        # that begins with an escape (which may spell a prefix) is walked as well
        if self.esc[0] != _PLAIN:
            return None
        got = self.value.stand_in()
        if got is None:
            return None
        other, prefixes = got
        if any(len(p) != 1 or p in ESCAPED_ONLY for p in prefixes):
            return None  # (a longer prefix may be spelled with an escape inside it)
        if other.can_end() != self.value.can_end():
            # (the empty text differs: one closes the string here, the other not)
            prefixes = (*prefixes, _QUOTE)
        return self.with_value(other), (*prefixes, _BACKSLASH)

    def counted(self) -> tuple[Parser, int | None, int] | None:
        # a string of characters from a set, counted: as the same string
        # uncounted, but for how many characters a text writes (see
        # TokenIndex.string_reads)
        value = self.value
        if self.esc[0] != _PLAIN or type(value) is not FreeText:
            return None
        most, least = value.remaining, value.min_length
        if most is None and not least:
            return None
        return self.with_value(FreeText(chars=value.chars)), most, least

    def takes_any_rest(self) -> bool:
        """Whether every way to finish this string is taken: any text at all, in
        any spelling (see ``ObjectState.takes_any_rest``)."""
        value = self.value
        return (not self.canonical and type(value) is FreeText and value.remaining is None
                and value.min_length == 0 and value.chars == CharSet.ANY)

    def reads_within(self, other: Parser) -> bool:
        # one spelling of each text is among every spelling of it, and both close
        # at the same quote
        return (isinstance(other, JsonString) and self.esc == other.esc
                and (self.canonical or not other.canonical) and self.value.key() == other.value.key())

    def mask_key(self, horizon: int) -> Hashable:
        got = self._mkey
        if got is None or got[-1] != horizon:
            got = self._mkey = ("jstrc" if self.canonical else "jstr", self.esc, self.value.mask_key(horizon),
                                horizon)
        return got

    def cache_key(self, view: TokenView, horizon: int) -> Hashable:
        # Before the opening quote: a token holds the quote, then the rest of a text
        # some token opens a string with, or a whole string and what follows it
        # (``view.quoted_strings()``: from any quote in a token, since a walk may
        # enter here mid-token, as after a key's quote and colon) -- nothing this
        # value does beyond those texts shows. Keyed by the ones it takes, where
        # its first characters leave a few to read (an enum's strings, a
        # pattern's: on mistral-7b no token holds a letter after a quote, and
        # every such string starts alike); by the value otherwise.
        if self.esc[0] != _START:
            return self.mask_key(horizon)
        memos = _START_KEYS.of(view)
        memo = self.mask_key(horizon)
        got = memos.get(memo)
        if got is None:
            got = remember(memos, memo, self._start_key(view) or memo, 4096)
        return got  # type: ignore[no-any-return]

    def _start_key(self, view: TokenView) -> Hashable:
        inside = self.advance(_QUOTE)
        if inside is None:
            return None
        starts = _string_starts(view)
        if starts is None:
            return None
        allowed = inside.allowed()
        # (the quote alone, ``b""``, is taken by every string: always in the key)
        picked: list[tuple[str, Hashable]] = []
        for firsts, texts in starts:
            for lo, hi in allowed.ranges:
                a, b = bisect_left(firsts, lo), bisect_right(firsts, hi)
                picked.extend(texts[a:b])
                if len(picked) > _START_READS:
                    return None  # (a value open to many texts: its own key is cheaper)
        took = frozenset(key for spelled, key in picked if _takes(inside, spelled))
        return ("jstr start", self.canonical, took)

    def layout(self) -> CharSet:
        # inside an escape: "\/" is "/"; a "\u" escape is needed only for a
        # control character without a short escape (U+0000-U+001F but for \b \t
        # \n \f \r); lower-case hex digits spell what upper-case ones do
        mode = self.esc[0]
        if mode == _BS:
            return _SLASH
        if mode == _U:
            _, n, acc = self.esc
            if n < 2:
                return _NOT_ZERO
            if n == 2:
                return _NOT_ZERO_ONE
            return _SHORT_CONTROLS if acc == 0 else _LOWER_HEX
        if mode == _LOW:
            return _LOWER_HEX
        return CharSet.EMPTY

    def loop(self) -> CharSet:
        if self.esc[0] != _PLAIN:
            return CharSet.EMPTY
        return _plain_loop(self.value.loop())

    def loop_limit(self) -> int | None:
        return self.value.loop_limit() if self.esc[0] == _PLAIN else None

    def step_class(self, char: str) -> CharSet:
        mode = self.esc[0]
        if mode == _PLAIN:
            if char in ESCAPED_ONLY:
                return CharSet.of(char) if char in '"\\' else _CONTROLS
            return _plain_loop(self.value.step_class(char))
        if mode == _START:
            return CharSet.of(char) if char == _QUOTE else _NOT_QUOTE
        if mode == _DONE:
            return CharSet.ANY
        return CharSet.of(char)

    def shortest(self, limit: int = 20000) -> str | None:
        mode = self.esc[0]
        if mode == _DONE:
            return ""
        if mode == _START:
            rest = self._with(self.value, _S_PLAIN).shortest(limit)
            return None if rest is None else _QUOTE + rest
        if mode == _PLAIN:
            decoded = self.value.shortest(limit)
            if decoded is None:
                return None
            return json_escape_minimal(_plainer(self.value, decoded)) + _QUOTE
        if mode == _BS:
            best: str | None = None
            for char in self.allowed():
                nxt = self.advance(char)
                tail = None if nxt is None else nxt.shortest(limit)
                if tail is not None and (best is None or len(tail) + 1 < len(best)):
                    best = char + tail
            return best
        # Inside a \u escape: every allowed digit can be completed, take the first.
        out: list[str] = []
        state: Parser | None = self
        while isinstance(state, JsonString) and state.esc[0] not in (_PLAIN, _DONE):
            digit = next(state.allowed().samples(), None)
            if digit is None:
                return None
            out.append(digit)
            state = state.advance(digit)
        if state is None:
            return None
        tail = state.shortest(limit)
        return None if tail is None else "".join(out) + tail

    def __reduce__(self) -> tuple[object, ...]:
        return (_restore, (self.value, self.esc, self.canonical))


def _restore(value: Parser, esc: tuple[int, ...], canonical: bool) -> JsonString:
    return JsonString(value, esc, canonical=canonical)


def _plainer(value: Parser, text: str) -> str:
    """``text`` (a completion ``value`` accepts) with the characters a JSON string
    must escape replaced by plain ones where ``value`` accepts that too: a value's
    shortest text is made of the lowest characters it allows, and for a string
    with a ``minLength`` that is U+0000, six characters once escaped (``"\\u0000"``
    where ``"a"`` is as valid) -- and what the generation loop writes when it
    closes a value at the end of its token budget."""
    if not any(c in ESCAPED_ONLY for c in text):
        return text
    for plain in "a0 ":
        trial = "".join(plain if c in ESCAPED_ONLY else c for c in text)
        end = value.advance_text(trial)
        if end is not None and end.can_end():
            return trial
    return text


def json_escape_minimal(text: str) -> str:
    """``text`` as the inside of a JSON string literal, escaping only what must be.

    ``"`` and ``\\`` get their short escapes, controls their short escape or
    ``\\u00XX``; every other character (lone surrogates aside, which become
    ``\\uXXXX``) is written raw.
    """
    out: list[str] = []
    for char in text:
        short = _SHORT_SPELLING.get(char)
        if short is not None:
            out.append(short)
        elif char < " " or 0xD800 <= ord(char) <= 0xDFFF:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)


_ANY_STRING: JsonString | None = None


def any_string() -> JsonString:
    """Any JSON string literal (a shared instance)."""
    global _ANY_STRING
    if _ANY_STRING is None:
        _ANY_STRING = JsonString(FreeText())
    return _ANY_STRING


#: :meth:`JsonString.cache_key` before the opening quote, per vocabulary view
_START_KEYS = ViewMemos()
_STARTS = ViewMemos()
_START_READS = 12  # texts read at most to key a string's start by them
_UNSET = object()


def _string_starts(view: TokenView) -> tuple[tuple[list[int], list[tuple[str, Hashable]]], ...] | None:
    """The texts a token holds after a string's opening quote (any quote in it),
    each as a string reads it from there and as it stands in a key, sorted by first character
    (with their code points, to pick those a state's first characters take):
    the texts of strings tokens open and end inside, and of those they close
    (decoded, spelled as a canonical string writes them, then the closing
    quote: sorted by that spelling's first character). ``None`` where some
    opened text ends inside a character (no such token in the usual
    vocabularies): its bytes, not its characters, would have to be read."""
    memo = _STARTS.of(view)
    got = memo.get("starts", _UNSET)
    if got is _UNSET:
        closed_texts, opened_texts = view.quoted_strings()
        opened: list[tuple[int, str, Hashable]] = []
        try:
            for raw in opened_texts:
                text = raw.decode("utf-8")
                opened.append((ord(text[0]) if text else -1, text, raw))
        except UnicodeDecodeError:
            got = None
        else:
            spelled = [(json_escape_minimal(t) + _QUOTE, t) for t in closed_texts]
            closed = [(ord(text[0]), text, t) for text, t in spelled]
            rows = []
            for entries in (opened, closed):
                entries.sort(key=lambda e: e[0])
                rows.append(([e[0] for e in entries], [(e[1], e[2]) for e in entries]))
            got = tuple(rows)
        remember(memo, "starts", got, 4)
    return got  # type: ignore[no-any-return]


def _takes(state: Parser | None, text: str) -> bool:
    """Whether ``state`` reads ``text`` to its end as a token walk does (each
    character allowed, then advanced)."""
    for char in text:
        if state is None or char not in state.allowed():
            return False
        state = state.advance(char)
    return state is not None

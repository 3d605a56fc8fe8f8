"""Strategies, grammars and oracles shared by the combinator and token tests.

The oracles here are written independently of the library: the token oracle
decodes a token's bytes itself and finds the code points a partial UTF-8
character can still become by binary search over code points, never through
``lmparsec.tokens``; the text oracles are ``re.fullmatch`` and plain string
operations.
"""

from __future__ import annotations

import functools
import random
import re
import unicodedata
from collections.abc import Callable

from hypothesis import strategies as st

from lmparsec import (
    CharSet,
    FreeText,
    Lazy,
    Literal,
    Parser,
    Regex,
    Sequence,
    Union,
    until,
)
from lmparsec.testing import INTERESTING_CHARS, texts

# --- grammars -------------------------------------------------------------------

#: Patterns whose Regex must agree with ``re.fullmatch(p, s, re.ASCII)`` (the class
#: escapes ``\d \w \s`` are ASCII, as in ECMA-262 for ``\d`` and ``\w``).
PATTERNS = [
    r"[a-z]+",
    r"[A-Za-z_][A-Za-z0-9_]*",
    r"(foo|bar|baz)+",
    r"a{2,4}b?",
    r"a{3}|b{2,}",
    r"\d{3}-\d{2,4}",
    r"(ab|a)*c",
    r"x?y*z{0,2}",
    r'"[^"\\]*"',
    r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?",
    r"é+|日本語?",
    r"[\u4e00-\u9fff]{1,3}",
    r"\u00e9t\u00e9|caf\xe9",
    r"🎉|😀+",
    r".{0,3}",
    r"\w+\s*",
    r"[^a]b",
    r"(true|false|null)",
    r"[ \t\n]*\{[ \t\n]*\}",
]

#: A small JSON-ish value language: flat objects of string/number/bool values.
JSONISH = (
    r'\{( ?"[a-z]{1,6}": ?("[^"\\\n]*"|-?[0-9]{1,4}|true|false)'
    r'(, ?"[a-z]{1,6}": ?("[^"\\\n]*"|-?[0-9]{1,4}|true|false)){0,2})? ?\}'
)


def motivating() -> Parser:
    """Free reasoning text until ```json, then JSON-ish, then the closing fence; or just text."""
    return Union(Sequence(until("```json\n"), Regex(JSONISH), Literal("\n```")), FreeText())


def motivating_oracle(text: str) -> bool:
    """Independent oracle of :func:`motivating`: it accepts every text (FreeText)."""
    return True


def fenced_oracle(text: str) -> bool:
    """Oracle of the fenced branch alone: first ```json\\n ends the prefix, then JSON-ish."""
    trigger = "```json\n"
    at = text.find(trigger)
    if at < 0:
        return False
    rest = text[at + len(trigger) :]
    return rest.endswith("\n```") and re.fullmatch(JSONISH, rest[: -len("\n```")]) is not None


def fenced() -> Parser:
    return Sequence(until("```json\n"), Regex(JSONISH), Literal("\n```"))


def parens() -> Parser:
    """Balanced parentheses, possibly empty: S = ( "(" S ")" )*  (recursive via Lazy)."""
    s: Parser

    def make() -> Parser:
        return s

    inner = Lazy(make, "parens-test")
    pair = Sequence(Literal("("), inner, Literal(")"))
    s = Union(Literal(""), Sequence(pair, Lazy(make, "parens-test")))
    return s


def balanced(text: str) -> bool:
    depth = 0
    for c in text:
        if c not in "()":
            return False
        depth += 1 if c == "(" else -1
        if depth < 0:
            return False
    return depth == 0


def until_oracle(trigger: str) -> Callable[[str], bool]:
    return lambda text: text.find(trigger) == len(text) - len(trigger) and text.endswith(trigger)


#: (name, parser factory, oracle) for the token-level tests.
TOKEN_GRAMMARS: list[tuple[str, Callable[[], Parser], Callable[[str], bool]]] = [
    ("literal", lambda: Literal('Héllo, 世界 🎉 "x"\n'), lambda t: t == 'Héllo, 世界 🎉 "x"\n'),
    ("regex-string", lambda: Regex(r'"[^"\\]*"'), lambda t: re.fullmatch(r'"[^"\\]*"', t) is not None),
    (
        "regex-cjk",
        lambda: Regex(r"[\u4e00-\u9fff]{1,4}(,[a-zé]+)?"),
        lambda t: re.fullmatch(r"[\u4e00-\u9fff]{1,4}(,[a-zé]+)?", t) is not None,
    ),
    (
        "regex-number",
        lambda: Regex(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?"),
        lambda t: re.fullmatch(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?", t) is not None,
    ),
    ("sequence", lambda: Sequence(FreeText(), Literal("!")), lambda t: t.endswith("!")),
    (
        "sequence-regex",
        lambda: Sequence(Regex("a*"), Regex("a*b")),
        lambda t: re.fullmatch("a*a*b", t) is not None,
    ),
    (
        "union",
        lambda: Union(Literal("yes"), Literal("no"), Regex(r"[0-9]{2}é")),
        lambda t: t in ("yes", "no") or re.fullmatch(r"[0-9]{2}é", t) is not None,
    ),
    ("until", lambda: until("</think>"), until_oracle("</think>")),
    ("until-emoji", lambda: until("🎉!"), until_oracle("🎉!")),
    ("freetext-max", lambda: FreeText(max_length=7), lambda t: len(t) <= 7),
    (
        "freetext-min",
        lambda: FreeText(min_length=3, chars=~CharSet.of("\x00")),
        lambda t: len(t) >= 3 and "\x00" not in t,
    ),
    ("fenced", fenced, fenced_oracle),
    ("motivating", motivating, motivating_oracle),
]


# --- text strategies --------------------------------------------------------------


def tokenizable(name: str) -> Callable[[str], bool]:
    """Texts the tokenizer ``name`` gives back unchanged: Qwen3 normalizes to NFC,
    and SentencePiece maps a literal ``▁`` to a space."""

    def ok(text: str) -> bool:
        if "▁" in text:
            return False
        return not (name == "qwen3" and unicodedata.normalize("NFC", text) != text)

    return ok


def language_texts(parser: Parser, max_length: int = 40) -> st.SearchStrategy[str]:
    """Texts ``parser`` accepts (drawn by walking its allowed sets)."""
    return texts(parser, max_length=max_length)


def near_texts(alphabet: str, max_size: int = 8) -> st.SearchStrategy[str]:
    """Short texts over ``alphabet`` and a few interesting characters (mostly rejected)."""
    return st.text(st.sampled_from(alphabet + "é日🎉\n"), max_size=max_size)


SMALL_TEXTS = st.text(st.sampled_from("ab()!`\n" + INTERESTING_CHARS[:8]), max_size=10)


# --- token oracle -------------------------------------------------------------------


def _utf8(cp: int) -> bytes:
    return chr(cp).encode("utf-8", "surrogatepass")


def completions(prefix: bytes) -> tuple[int, int] | None:
    """The code points (surrogates included) whose UTF-8 form starts with ``prefix``,
    as an inclusive range, found by binary search; ``None`` when there are none."""
    # encodings are ordered like code points, so the matches are contiguous
    lo, hi = 0, 0x110000
    while lo < hi:  # first code point whose encoding is >= prefix
        mid = (lo + hi) // 2
        if _utf8(mid) < prefix:
            lo = mid + 1
        else:
            hi = mid
    if lo > 0x10FFFF or not _utf8(lo).startswith(prefix) or len(_utf8(lo)) == len(prefix):
        return None
    first = lo
    lo, hi = first, 0x110000
    while lo < hi:  # first code point past the matches
        mid = (lo + hi) // 2
        if _utf8(mid).startswith(prefix) or _utf8(mid) < prefix:
            lo = mid + 1
        else:
            hi = mid
    return first, lo - 1


def partial_can_continue(state: Parser, prefix: bytes) -> bool:
    """Whether some character starting with ``prefix`` (an unfinished UTF-8 character)
    is allowed by ``state``; surrogates never count."""
    rng = completions(prefix)
    if rng is None:
        return False
    lo, hi = rng
    for a, b in state.allowed().ranges:
        a, b = max(a, lo), min(b, hi)
        if a > b:
            continue
        # skip the surrogate block, which UTF-8 cannot carry
        if a < 0xD800 or b > 0xDFFF:
            return True
    return False


def oracle_step(state: Parser, pending: bytes, data: bytes) -> tuple[Parser, bytes] | None:
    """Advance ``state`` through ``data`` after ``pending`` bytes of an unfinished
    character: the new state and the bytes still pending, or ``None`` if rejected."""
    buf = pending + data
    i = 0
    while i < len(buf):
        lead = buf[i]
        need = (
            1
            if lead < 0x80
            else 2
            if 0xC0 <= lead < 0xE0
            else 3
            if 0xE0 <= lead < 0xF0
            else 4
            if 0xF0 <= lead < 0xF8
            else 0
        )
        if need == 0:
            return None
        if i + need > len(buf):
            rest = buf[i:]
            return (state, rest) if partial_can_continue(state, rest) else None
        try:
            char = buf[i : i + need].decode("utf-8")
        except UnicodeDecodeError:
            return None
        nxt = state.advance(char)
        if nxt is None:
            return None
        state = nxt
        i += need
    return state, b""


def oracle_allows(state: Parser, pending: bytes, data: bytes) -> bool:
    return bool(data) and oracle_step(state, pending, data) is not None


# --- character walks ---------------------------------------------------------------


def assert_walks_finish_valid(parser: Parser, is_valid: Callable[[str], bool], *, alphabet: str,
                              walks: int, max_steps: int, seed: int, memo: bool = False) -> None:
    """Random walks through ``allowed()`` over the characters of ``alphabet`` (steered
    where random code points rarely go: into keys, names and digits), each finished
    by the state's ``shortest()``: every allowed character advances, every state
    reached has a completion, and each finished text is valid for the oracle.
    ``memo`` keeps completions by state key, as the generation loop does."""
    rng = random.Random(seed)
    completions: dict[object, str | None] = {}
    for _ in range(walks):
        state, text = parser, ""
        for _ in range(rng.randrange(1, max_steps)):
            chars = [c for c in alphabet if c in state.allowed()]
            if not chars:
                break
            char = rng.choice(chars)
            nxt = state.advance(char)
            assert nxt is not None, (text, char)
            state, text = nxt, text + char
        if not memo:
            rest = state.shortest()
        elif state.key() in completions:
            rest = completions[state.key()]
        else:
            rest = completions[state.key()] = state.shortest()
        assert rest is not None, text
        assert is_valid(text + rest), text + rest


def jsonschema_oracle(schema: object) -> Callable[[str], bool]:
    """Whether a JSON text is valid for ``schema``, by ``jsonschema`` with the draft the
    schema names (the oracle of the walks above)."""
    import json

    import jsonschema

    validator = jsonschema.validators.validator_for(schema)(schema)
    return lambda text: bool(validator.is_valid(json.loads(text)))


_PROPERTY_ESCAPE = re.compile(r"\\([pP])\{(\w+)\}")


@functools.cache
def _category_ranges(name: str, negated: bool) -> list[tuple[int, int]]:
    """The code points of a general category (``L``, ``Lu``, ``Letter``...), read
    from unicodedata code point by code point (~0.5 s, once)."""
    name = {"Letter": "L", "Number": "N", "Uppercase_Letter": "Lu"}.get(name, name)
    out: list[tuple[int, int]] = []
    for cp in range(0x110000):
        if unicodedata.category(chr(cp)).startswith(name) != negated:
            if out and out[-1][1] == cp - 1:
                out[-1] = (out[-1][0], cp)
            else:
                out.append((cp, cp))
    return out


def python_pattern(pattern: str) -> str:
    """An ECMA ``pattern`` for Python's re (an oracle's): each Unicode property
    (``\\p{L}``, which re lacks) spelled as its ranges, without brackets inside a
    class; ECMA's ``.`` and ``$`` outside classes, its ASCII ``\\w``."""
    pieces = []
    i = 0
    inside = False
    while i < len(pattern):
        m = _PROPERTY_ESCAPE.match(pattern, i)
        if m:
            body = "".join(f"\\U{lo:08x}-\\U{hi:08x}"
                           for lo, hi in _category_ranges(m.group(2), m.group(1) == "P"))
            pieces.append(body if inside else f"[{body}]")
            i = m.end()
            continue
        c = pattern[i]
        if c == "\\":
            escape = pattern[i:i + 2]
            word = "0-9A-Za-z_"
            pieces.append(word if escape == "\\w" and inside else f"[{word}]" if escape == "\\w" else escape)
            i += 2
            continue
        if inside:
            inside = c != "]"
            pieces.append(c)
        elif c == "[":
            inside = True
            pieces.append(c)
            if pattern[i + 1:i + 2] == "^":
                pieces.append("^")
                i += 1
        else:
            pieces.append({".": "[^\\n\\r\\u2028\\u2029]", "$": "\\Z"}.get(c, c))
        i += 1
    return "".join(pieces)

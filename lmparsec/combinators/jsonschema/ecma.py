"""JSON Schema ``pattern`` (ECMA-262 syntax, search semantics) as a full-match regex.

JSON Schema's ``pattern`` is an ECMA-262 regular expression that must match
*somewhere* in the string (it is not anchored). :func:`search_pattern` parses
it and writes an interegular pattern that matches the *whole* decoded string
exactly when the ECMA pattern finds a match in it: ``[^]*(?:p)[^]*``, with the
``[^]*`` dropped on the side of an anchor.

ECMA meanings are kept where they differ from Python's: ``.`` is any character
but ``\\n``, ``\\r``, ``\\u2028`` and ``\\u2029``; ``[^]`` is any character
and ``[]`` none; ``\\uD83D\\uDE00`` is one astral character. Where the two
disagree on a class escape -- ECMA's ``\\d`` and ``\\w`` are ASCII, Python's
take every Unicode digit and letter; ECMA's ``\\s`` holds ``\\ufeff``,
Python's ``\\x1c``-``\\x1f`` and ``\\x85`` instead -- a character is taken
only where both engines agree, so a text the pattern accepts matches in
either: the ``jsonschema`` validator users check outputs with runs Python's
``re``. (``\\W`` and ``[^\\w]`` take the non-word characters below ``\\u0800``
and the punctuation and currency signs of ``\\u2000``-``\\u20cf``: Python's
word set is too large to exclude all the others from in a quick DFA.) Character classes are written
as sets of code points, negated when that is shorter, so that interegular,
which expands classes into explicit characters, stays fast.

Lookarounds are regular where real schemas put them, and are compiled there
with automaton intersections and differences (:data:`Lang`): lookaheads
anywhere between the terms of a top-level alternative (``^(?!io\\.papermc\\.).+$``,
``^(?=.{1,253}$)...``, ``\\d{3}(?!\\d)``); lookbehinds, of any width, where its
match starts or ends (``^(?!-)[a-z0-9-]{1,63}(?<!-)$``; one ending a match that
lookaheads check too needs both anchors); and the "tempered" repetition of one
character that ends an alternative anchored at the end (``^((?!mode).)*$``: no
match of ``mode`` starts in it). ``$`` may end a lookahead's alternatives, and,
in a pattern without lookarounds, ``^`` and ``$`` stand anywhere
(``^((\\.{2}|[a-z]*)($|/))*$``, ``(^|/)v[0-9]``: each is read as a mark that only
the text's start or end supplies, see :class:`_MarkNeededError`).

Not supported (:class:`UnsupportedSchemaError`, keyword ``pattern``):
lookarounds elsewhere (inside groups and repetitions, lookbehinds between
terms), backreferences (``\\1``, ``\\k<n>``), word boundaries (``\\b``,
``\\B``), ``^`` and ``$`` inside groups of a pattern with lookarounds (but
``$`` ending a lookahead's alternatives), and lookarounds whose automaton would
pass :data:`~lmparsec.combinators.jsonschema.patterns.MAX_PRODUCT_STATES` states.
Malformed patterns raise :class:`SchemaError`.

Classes of many code points (``\\p{L}``: 131k of them) are written over a
smaller alphabet: the code points no class of the pattern tells apart form a
block, and a large block is written as one of its characters, which stands for
it (``("blocks", ...)``, see :data:`Lang`). interegular keys its alphabet by
character, and took seconds over the letters of every script.
"""

from __future__ import annotations

import itertools
import re
import sys
import threading
import unicodedata
from functools import cache, lru_cache
from typing import NamedTuple, Union

from ...errors import SchemaError, UnsupportedSchemaError
from ..charset import MAX_CODEPOINT, CharSet

__all__ = ["END_MARK", "START_MARK", "Lang", "search_pattern"]

#: A language of decoded strings: an interegular pattern, or ``("cat", a, b)``,
#: ``("or", a, b, ...)``, ``("and", a, b)``, ``("minus", a, b)`` of languages --
#: what lookarounds need beyond one pattern -- or ``("marked", p)``: the texts that
#: some START_MARKs before them and END_MARKs after them put in ``p``'s language
#: (a ``^`` or ``$`` inside a group; see :class:`_MarkNeededError`) -- or, outermost,
#: ``("blocks", blocks, lang)``: ``lang`` written over a smaller alphabet, each
#: ``(char, ranges)`` of ``blocks`` a character standing for the code points of its
#: ranges (see :class:`_Blocks`). Built as automata by
#: :func:`lmparsec.combinators.jsonschema.patterns.pattern_parser`.
Lang = Union[str, tuple["Lang", ...]]  # noqa: UP007 - an alias read at run time


class _Look(NamedTuple):
    """A lookahead: ``(?!x)`` when ``negative``, else ``(?=x)``; ``pattern`` is the
    texts from there on in which ``x`` finds a match at their start."""

    negative: bool
    pattern: str


class _Behind(NamedTuple):
    """A lookbehind: ``(?<!pattern)`` when ``negative``, else ``(?<=pattern)``."""

    negative: bool
    pattern: str


class _Tempered(NamedTuple):
    """``(?:(?!x)(?=y)c)``: one character of the class ``char`` at which each
    lookahead of ``checks`` holds."""

    char: str
    checks: tuple[_Look, ...]


#: one term of an alternative: an atom and its quantifier, a lookahead (no
#: quantifier), or a tempered repetition
_Term = tuple[Union[str, _Look, _Behind, _Tempered], str]  # noqa: UP007 - an alias read at run time

#: A ``$`` a pattern does not end with and a ``^`` it does not start with, in
#: the languages that check them (see :class:`_MarkNeededError`): lone low
#: surrogates, which no decoded JSON string holds (lmparsec's strings decode
#: ``\\uDFFF`` alone to nothing), so no class of a pattern needs them and none
#: takes them.
END_MARK = "\udfff"
START_MARK = "\udffe"

#: Classes (counted on the smaller of a class and its complement) past which a
#: pattern is written over blocks (see :class:`_Blocks`), and the blocks then
#: written as one character each
_COMPRESS_OVER = 4000
_BLOCK_OVER = 64

_DIGITS = CharSet.range("0", "9")
_WORD = CharSet([(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)])
_SPACE = CharSet(
    [(0x09, 0x0D), (0x20, 0x20), (0xA0, 0xA0), (0x1680, 0x1680), (0x2000, 0x200A), (0x2028, 0x2029),
     (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000), (0xFEFF, 0xFEFF)]
)
_LINE_TERMINATORS = CharSet.of("\n\r\u2028\u2029")
_DOT = ~_LINE_TERMINATORS
_PY_DOT = ~CharSet.of("\n")  # (Python's: what either engine's '.' takes)
_ANY_STAR = "[^]*"
_MARK_SET = CharSet.of(END_MARK + START_MARK)
#: Python's ``\\s`` (``str.isspace``), beside ECMA's ``_SPACE``
_PY_SPACE = CharSet(
    [(0x09, 0x0D), (0x1C, 0x20), (0x85, 0x85), (0xA0, 0xA0), (0x1680, 0x1680), (0x2000, 0x200A),
     (0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000)]
)


@cache
def _class_escapes() -> tuple[dict[str, CharSet], dict[str, CharSet]]:
    """Class escapes as ``(sure, maybe)``: ``sure[c]`` holds the characters both ECMA
    and Python's ``re`` put in ``\\c``, ``maybe[c]`` those either one does. A
    pattern takes the sure ones; a negated class leaves out the maybe ones."""
    # Python's re itself says which (~10 ms); its digits all lie below U+20000
    every = "".join(map(chr, range(0xD800))) + "".join(map(chr, range(0xE000, 0x20000)))

    def runs(python_class: str, text: str) -> CharSet:
        return CharSet([(ord(m.group()[0]), ord(m.group()[-1])) for m in re.finditer(python_class, text)])

    digits_py = runs(r"\d+", every)
    # not word characters in Python either (searched where text has most of them)
    non_word = runs(r"\W+", every[:0x800]) | runs(r"\W+", every[0x2000:0x20D0])
    space_sure, space_maybe = _SPACE & _PY_SPACE, _SPACE | _PY_SPACE
    sure = {"d": _DIGITS, "D": ~digits_py, "w": _WORD, "W": non_word, "s": space_sure, "S": ~space_maybe}
    maybe = {"d": digits_py, "D": ~_DIGITS, "w": ~non_word, "W": ~_WORD, "s": space_maybe, "S": ~space_sure}
    return sure, maybe


_CONTROL_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "v": "\v", "f": "\f"}
_SYNTAX_CHARS = set("^$\\.*+?()[]{}|/")
_HEX = set("0123456789abcdefABCDEF")
# Unicode general category groups ECMA names by letter or long name.
_CATEGORY_ALIASES = {
    "Letter": "L", "Cased_Letter": "LC", "Uppercase_Letter": "Lu", "Lowercase_Letter": "Ll",
    "Titlecase_Letter": "Lt", "Modifier_Letter": "Lm", "Other_Letter": "Lo", "Mark": "M",
    "Nonspacing_Mark": "Mn", "Spacing_Mark": "Mc", "Enclosing_Mark": "Me", "Number": "N",
    "Decimal_Number": "Nd", "digit": "Nd", "Letter_Number": "Nl", "Other_Number": "No",
    "Punctuation": "P", "punct": "P", "Connector_Punctuation": "Pc", "Dash_Punctuation": "Pd",
    "Open_Punctuation": "Ps", "Close_Punctuation": "Pe", "Initial_Punctuation": "Pi",
    "Final_Punctuation": "Pf", "Other_Punctuation": "Po", "Symbol": "S", "Math_Symbol": "Sm",
    "Currency_Symbol": "Sc", "Modifier_Symbol": "Sk", "Other_Symbol": "So", "Separator": "Z",
    "Space_Separator": "Zs", "Line_Separator": "Zl", "Paragraph_Separator": "Zp", "Other": "C",
    "Control": "Cc", "Format": "Cf", "Surrogate": "Cs", "Private_Use": "Co", "Unassigned": "Cn",
}


@cache
def _categories() -> dict[str, CharSet]:
    """Every general category as a CharSet (computed once, about half a second)."""
    ranges: dict[str, list[tuple[int, int]]] = {}
    start, current = 0, unicodedata.category("\x00")
    for cp in range(1, MAX_CODEPOINT + 2):
        cat = unicodedata.category(chr(cp)) if cp <= MAX_CODEPOINT else ""
        if cat != current:
            ranges.setdefault(current, []).append((start, cp - 1))
            start, current = cp, cat
    return {cat: CharSet(r) for cat, r in ranges.items()}


def _property(name: str, negated: bool, pattern: str, pointer: str) -> CharSet:
    value = name.split("=", 1)[1] if "=" in name else name
    if "=" in name and name.split("=", 1)[0] not in ("General_Category", "gc"):
        raise UnsupportedSchemaError(f"Unicode property \\p{{{name}}} in {pattern!r} is not supported",
                                     keyword="pattern", pointer=pointer)
    value = _CATEGORY_ALIASES.get(value, value)
    cats = _categories()
    if value == "LC":
        out = cats.get("Lu", CharSet.EMPTY) | cats.get("Ll", CharSet.EMPTY) | cats.get("Lt", CharSet.EMPTY)
    elif len(value) == 1 and value.isupper():
        out = CharSet.EMPTY
        for cat, cs in cats.items():
            if cat.startswith(value):
                out = out | cs
        if not out:
            raise SchemaError(f"unknown Unicode property \\p{{{name}}} in pattern {pattern!r}",
                              pointer=pointer)
    elif value in cats:
        out = cats[value]
    elif value == "Any":
        out = CharSet.ANY
    elif value == "ASCII":
        out = CharSet([(0, 0x7F)])
    else:
        raise UnsupportedSchemaError(f"Unicode property \\p{{{name}}} in {pattern!r} is not supported",
                                     keyword="pattern", pointer=pointer)
    return ~out if negated else out


class _MarkNeededError(Exception):
    """A ``$`` where an alternative does not end (``^(a|b$|c/)*$``), or a ``^``
    where none starts (``(^|/)x``), met by a parser not writing marks.

    ``$`` holds only where the text ends and ``^`` only where it starts, so the
    texts in which such a pattern finds a match are the ``t`` for which some
    START_MARKs, ``t`` and some END_MARKs make a text of the pattern with each
    ``^`` read as one START_MARK and each ``$`` as one END_MARK (and no class
    taking either) -- or, for the empty text, in any order: the language
    ``("marked", p)`` of :data:`Lang`, built by
    :func:`lmparsec.combinators.automata.unmarked`.
    """

    def __init__(self, error: UnsupportedSchemaError) -> None:
        super().__init__(str(error))
        self.error = error


def _least(quant: str) -> int:
    """The fewest repetitions an interegular quantifier allows."""
    if quant in ("*", "?"):
        return 0
    if quant == "+" or not quant:
        return 1
    return int(quant[1:-1].split(",")[0])  # {n} or {n,} or {n,m}


def _lit(char: str) -> str:
    """``char`` written as a literal for interegular (in or out of a class)."""
    if char.isascii() and not char.isalnum():
        return "\\" + char
    return char


class _Blocks:
    """A partition of the code points by the classes of one pattern: code points
    that every class takes or leaves alike are one block, and a pattern written
    with one character for each large block (its first) has the same automaton
    as the pattern, over far fewer characters. The parser of that automaton
    reads each code point of a block as the block's character."""

    def __init__(self, classes: list[CharSet]) -> None:
        distinct = list(dict.fromkeys(c.ranges for c in classes))
        cuts = {0, MAX_CODEPOINT + 1}
        for ranges in distinct:
            for lo, hi in ranges:
                cuts.add(lo)
                cuts.add(hi + 1)
        bounds = sorted(cuts)
        where = {cut: i for i, cut in enumerate(bounds)}
        signature = [0] * (len(bounds) - 1)  # the classes taking each piece between cuts
        for k, ranges in enumerate(distinct):
            for lo, hi in ranges:
                for i in range(where[lo], where[hi + 1]):
                    signature[i] |= 1 << k
        pieces: dict[int, list[tuple[int, int]]] = {}
        for i, (lo, nxt) in enumerate(itertools.pairwise(bounds)):
            pieces.setdefault(signature[i], []).append((lo, nxt - 1))
        self.big: list[tuple[CharSet, str]] = []
        for spans in pieces.values():
            block = CharSet(spans)
            if len(block) > _BLOCK_OVER:
                self.big.append((block, chr(block.ranges[0][0])))
        self.union = CharSet([r for block, _ in self.big for r in block.ranges])
        #: what a Lang carries: each standing character and its block's ranges
        self.key: tuple[tuple[str, tuple[tuple[int, int], ...]], ...] = tuple(
            (char, tuple(block.ranges)) for block, char in self.big)

    def narrowed(self, chars: CharSet) -> CharSet:
        """``chars`` over the smaller alphabet (``chars`` is a union of blocks)."""
        return (chars - self.union) | CharSet.of([c for _, c in self.big if c in chars])


class _Alphabet(threading.local):
    """Per thread: the blocks in force while a pattern is written again
    (``blocks``), and the classes met while it is first written (``seen``).
    (Defaults are class attributes, as :data:`~lmparsec.combinators.base.SEARCH`'s.)"""

    blocks: _Blocks | None = None
    seen: list[CharSet] | None = None


_ALPHABET = _Alphabet()


def _class(chars: CharSet, marked: bool = False) -> str:
    """A class matching exactly ``chars``, negated when that lists fewer code points
    (``marked``: never a mark, which a negated class would otherwise take)."""
    if marked:
        chars = chars - _MARK_SET
    seen = _ALPHABET.seen
    if seen is not None:
        seen.append(chars)
    blocks = _ALPHABET.blocks
    rest = ~chars
    if blocks is not None:
        chars, rest = blocks.narrowed(chars), blocks.narrowed(rest)
    single = chars.single()
    if single is not None:
        return _lit(single)
    negate = len(rest) < len(chars)
    ranges = rest.ranges if negate else chars.ranges
    parts = []
    for lo, hi in ranges:
        if lo == hi:
            parts.append(_lit(chr(lo)))
        elif hi == lo + 1:
            parts.append(_lit(chr(lo)) + _lit(chr(hi)))
        else:
            parts.append(f"{_lit(chr(lo))}-{_lit(chr(hi))}")
    return ("[^" if negate else "[") + "".join(parts) + "]"


class _Parser:
    """Recursive descent over ECMA-262 pattern syntax, writing interegular syntax."""

    def __init__(self, pattern: str, pointer: str, marked: bool = False) -> None:
        self.src = pattern
        self.pos = 0
        #: a ``$`` short of an alternative's end is written as END_MARK (see _MarkNeededError)
        self.marked = marked
        self.pointer = pointer
        self.depth = 0
        self.in_group = 0  # inside groups that are whole top-level alternatives
        #: inside a negative lookaround, whose classes take what either engine's
        #: would (a text it refuses in one engine is refused), not what both do
        self.refusing = False

    def _top_ends(self) -> tuple[str, ...]:
        """What may follow the end of a top-level alternative."""
        return ("", "|", ")") if self.in_group else ("", "|")

    # -- errors ---------------------------------------------------------------------
    def bad(self, message: str) -> SchemaError:
        return SchemaError(f"invalid pattern {self.src!r}: {message} at position {self.pos}",
                           pointer=self.pointer)

    def unsupported(self, message: str) -> UnsupportedSchemaError:
        return UnsupportedSchemaError(
            f"{message} (position {self.pos} in {self.src!r}); only regular patterns compile to a DFA",
            keyword="pattern", pointer=self.pointer)

    def peek(self, k: int = 0) -> str:
        i = self.pos + k
        return self.src[i] if i < len(self.src) else ""

    # -- structure --------------------------------------------------------------------
    def top(self) -> Lang:
        # Alternatives are grouped by their anchors, so that ``a|b|c`` becomes one
        # ``[^]*(?:a|b|c)[^]*`` rather than a union of three searches, whose
        # automaton is the product of theirs (minutes to build for 20 words).
        groups: dict[tuple[bool, bool], list[str]] = {}
        special: list[Lang] = []
        for start_anchor, end_anchor, body in self.top_alternatives():
            if isinstance(body, str):
                groups.setdefault((start_anchor, end_anchor), []).append(body)
            else:
                special.append(body)  # (with lookarounds: its searched language whole)
        if self.pos < len(self.src):
            raise self.bad(f"unbalanced {self.peek()!r}")
        out = []
        for (start_anchor, end_anchor), bodies in groups.items():
            if any(not b for b in bodies) and not (start_anchor and end_anchor):
                return _ANY_STAR  # an empty match at one free end is found in every string
            inner = "|".join(f"(?:{b})" for b in bodies if b)
            if inner and not all(bodies):
                inner = f"(?:{inner})?"
            out.append(("" if start_anchor else _ANY_STAR) + (f"(?:{inner})" if inner else "")
                       + ("" if end_anchor else _ANY_STAR))
        if not special:
            return "|".join(out)
        return ("or", *(["|".join(out)] if out else []), *special)

    def disjunction(self) -> str:
        alternatives = [self.alternative(top=False)]
        while self.peek() == "|":
            self.pos += 1
            alternatives.append(self.alternative(top=False))
        return "|".join(alternatives)

    def top_alternatives(self) -> list[_Alternative]:
        """The alternatives of the pattern (or of a group that is a whole top-level
        alternative): ``(^a$)|(^b$)`` is ``^a$|^b$``, whose anchors are fine."""
        out: list[_Alternative] = []
        while True:
            flat = self.whole_group()
            if flat is not None:
                out.extend(flat)
            else:
                out.append(self.anchored_alternative())
            if self.peek() == "|":
                self.pos += 1
                continue
            return out

    def whole_group(self) -> list[_Alternative] | None:
        """The alternatives of a group with no quantifier that makes up a whole
        top-level alternative, or ``None`` (position unchanged) when there is none."""
        if self.peek() != "(" or (self.peek(1) == "?" and self.peek(2) in ("=", "!")):
            return None
        save = self.pos
        self.in_group += 1
        self.depth += 1
        try:
            if self.depth > 200:
                raise self.bad("groups nested too deeply")
            self.group_header()
            inner = self.top_alternatives()
        except (SchemaError, UnsupportedSchemaError):
            inner = None
        finally:
            self.in_group -= 1
            self.depth -= 1
        if inner is None or self.peek() != ")" or self.peek(1) not in self._top_ends():
            self.pos = save
            return None
        self.pos += 1
        return inner

    def anchored_alternative(self) -> _Alternative:
        """A top-level alternative: whether it is anchored at the start and at the
        end, and its body with the edges a search does not need trimmed off --
        or, with lookarounds, the language it searches whole. Where the pattern
        is not anchored, a term that may match nothing at the edge adds nothing
        to "the string contains a match" (the ``[^]*`` around it absorbs
        whatever it would match), and ``x+`` or ``x{2,9}`` there need only their
        least repetition; a lookahead stops the trimming (it looks from where
        it stands)."""
        start_anchor, end_anchor, terms = self._alternative_terms(top=True)
        while terms and not end_anchor and isinstance(terms[-1][0], str):
            atom, quant = terms[-1]
            least = _least(quant)
            if least == 0:
                terms.pop()
                continue
            terms[-1] = (atom, "" if least == 1 else f"{{{least}}}")
            break
        while terms and not start_anchor and isinstance(terms[0][0], str):
            atom, quant = terms[0]
            least = _least(quant)
            if least == 0:
                terms.pop(0)
                continue
            terms[0] = (atom, "" if least == 1 else f"{{{least}}}")
            break
        if all(isinstance(a, str) for a, _ in terms):
            return start_anchor, end_anchor, "".join(a + q for a, q in terms if isinstance(a, str))
        lead = _leading(terms)  # (assertions where the match starts)
        behind = 0
        while behind < len(terms) - lead and isinstance(terms[len(terms) - 1 - behind][0], _Behind):
            behind += 1
        if any(isinstance(a, _Behind) for a, _ in terms[lead:len(terms) - behind]):
            raise self.unsupported("lookbehind assertions inside an alternative")
        if behind and any(isinstance(a, _Look) for a, _ in terms) and not (start_anchor and end_anchor):
            raise self.unsupported("lookbehind and lookahead assertions in an alternative not anchored")
        return start_anchor, end_anchor, _searched(start_anchor, end_anchor, terms)

    def alternative(self, top: bool) -> str:
        start_anchor, end_anchor, terms = self._alternative_terms(top)
        body = "".join(a + q for a, q in terms if isinstance(a, str))
        if not top:
            return body
        return ("" if start_anchor else _ANY_STAR) + (f"(?:{body})" if body else "") + (
            "" if end_anchor else _ANY_STAR)

    def _alternative_terms(self, top: bool, look: bool = False) -> tuple[bool, bool, list[_Term]]:
        start_anchor = end_anchor = False
        terms: list[_Term] = []
        if self.peek() == "^":
            self.pos += 1
            while self.peek() == "^":  # ^^ is still one anchor
                self.pos += 1
            if top:
                start_anchor = True
            else:
                terms.append(self._mark("'^' inside a group", START_MARK))
        while self.pos < len(self.src) and self.peek() not in "|)":
            if self.peek() == "$":
                self.pos += 1
                while self.peek() == "$":
                    self.pos += 1
                ends = self._top_ends() if top else ("|", ")") if look else ()
                if self.peek() in ends:
                    end_anchor = True
                    break
                terms.append(self._mark("'$' before the end of the pattern", END_MARK))
                continue
            if self.peek() == "^":
                while self.peek() == "^":
                    self.pos += 1
                terms.append(self._mark("'^' after the start of the pattern", START_MARK))
                continue
            if terms and isinstance(terms[-1][0], _Tempered):
                raise self.unsupported("lookahead assertions in a repetition that does not end the pattern")
            if top and self.peek() == "(" and self.peek(1) == "?" and self.peek(2) in ("=", "!"):
                terms.extend((ahead, "") for ahead in self.lookaheads())
                continue
            if top and self.src.startswith(("(?<=", "(?<!"), self.pos):
                terms.append((self.lookbehind(), ""))
                continue
            terms.append(self.term())
            if isinstance(terms[-1][0], _Tempered) and not top:
                raise self.unsupported("lookahead assertions inside a group")
        if terms and isinstance(terms[-1][0], _Tempered) and not end_anchor:
            raise self.unsupported("lookahead assertions in a repetition that does not end the pattern")
        return start_anchor, end_anchor, terms

    def _mark(self, where: str, mark: str) -> _Term:
        """A ``^`` or ``$`` (just read) where no alternative starts or ends, as its
        mark (see :class:`_MarkNeededError`); assertions take no quantifier."""
        if not self.marked:
            raise _MarkNeededError(self.unsupported(where))
        if self.peek() in ("*", "+", "?") or (self.peek() == "{" and self.braces(probe=True)):
            raise self.bad("nothing to repeat")
        return _lit(mark), ""

    def lookaheads(self) -> tuple[_Look, ...]:
        """The ``(?=x)`` and ``(?!x)`` at the cursor."""
        out: list[_Look] = []
        while self.peek() == "(" and self.peek(1) == "?" and self.peek(2) in ("=", "!"):
            negative = self.peek(2) == "!"
            self.pos += 3
            self.depth += 1
            if self.depth > 200:
                raise self.bad("groups nested too deeply")
            parts: list[str] = []
            self.refusing = negative
            try:
                while True:
                    _, end_anchor, terms = self._alternative_terms(top=False, look=True)
                    body = "".join(a + q for a, q in terms if isinstance(a, str))
                    parts.append(f"(?:{body})" + ("" if end_anchor else _ANY_STAR))
                    if self.peek() != "|":
                        break
                    self.pos += 1
            finally:  # (a failed try of a whole group goes on with this parser)
                self.refusing = False
            self.depth -= 1
            self.close_assertion("lookahead")
            out.append(_Look(negative, "|".join(parts)))
        return tuple(out)

    def lookbehind(self) -> _Behind:
        """The ``(?<=x)`` or ``(?<!x)`` at the cursor."""
        negative = self.peek(3) == "!"
        self.pos += 4
        self.depth += 1
        if self.depth > 200:
            raise self.bad("groups nested too deeply")
        self.refusing = negative
        try:
            inner = self.disjunction()
        finally:
            self.refusing = False
        self.depth -= 1
        self.close_assertion("lookbehind")
        return _Behind(negative, inner)

    def close_assertion(self, kind: str) -> None:
        if self.peek() != ")":
            raise self.bad("missing ')'")
        self.pos += 1
        if self.peek() in ("*", "+", "?") or (self.peek() == "{" and self.braces(probe=True)):
            raise self.unsupported(f"a quantified {kind} assertion")

    def term(self) -> _Term:
        atom = self.atom()
        return atom, self.quantifier()

    def quantifier(self) -> str:
        c = self.peek()
        if c in ("*", "+", "?"):
            self.pos += 1
            out = c
        elif c == "{":
            bounds = self.braces()
            if bounds is None:
                return ""
            lo, hi = bounds
            out = f"{{{lo}}}" if lo == hi else f"{{{lo},{'' if hi is None else hi}}}"
        else:
            return ""
        if self.peek() == "?":  # lazy: the same language
            self.pos += 1
        if self.peek() in ("*", "+", "?") or (self.peek() == "{" and self.braces(probe=True)):
            raise self.bad("nothing to repeat")
        return out

    def braces(self, probe: bool = False) -> tuple[int, int | None] | None:
        """``{n}``, ``{n,}`` or ``{n,m}`` at the cursor, consumed unless ``probe``;
        ``None`` when the brace is a literal (ECMA Annex B)."""
        i = self.pos + 1
        j = i
        while j < len(self.src) and self.src[j].isdigit():
            j += 1
        if j == i:
            return None
        lo = int(self.src[i:j])
        hi: int | None = lo
        if j < len(self.src) and self.src[j] == ",":
            k = j + 1
            while k < len(self.src) and self.src[k].isdigit():
                k += 1
            hi = int(self.src[j + 1:k]) if k > j + 1 else None
            j = k
        if j >= len(self.src) or self.src[j] != "}":
            return None
        if not probe:
            self.pos = j + 1
            if hi is not None and hi < lo:
                raise self.bad("numbers out of order in {} quantifier")
        return lo, hi

    def atom(self) -> str | _Tempered:
        c = self.peek()
        if c == "(":
            return self.group()
        if c == "[":
            return _class(self.class_(), self.marked)
        if c == ".":
            self.pos += 1
            return _class(_PY_DOT if self.refusing else _DOT, self.marked)
        if c == "\\":
            cs = self.escape(in_class=False)
            return _class(cs, self.marked)
        if c in ("*", "+", "?"):
            raise self.bad("nothing to repeat")
        if c == "{" and self.braces(probe=True) is not None:
            raise self.bad("nothing to repeat")
        if c == ")":
            raise self.bad("unmatched ')'")
        self.pos += 1
        return _class(CharSet.of(self.astral(c)), self.marked)

    def astral(self, c: str) -> str:
        """Join a literal surrogate pair written as two Python characters."""
        if 0xD800 <= ord(c) <= 0xDBFF and 0xDC00 <= ord(self.peek() or "\0") <= 0xDFFF:
            low = self.peek()
            self.pos += 1
            return chr(0x10000 + ((ord(c) - 0xD800) << 10) + (ord(low) - 0xDC00))
        return c

    def group(self) -> str | _Tempered:
        self.group_header()
        self.depth += 1
        if self.depth > 200:
            raise self.bad("groups nested too deeply")
        checks = self.lookaheads()
        if checks:
            # one character past lookaheads: a repetition of it is "tempered"
            char = self.atom()
            if not isinstance(char, str) or char.startswith("(") or self.peek() != ")":
                raise self.unsupported("lookahead assertions before more than one character")
            self.depth -= 1
            self.pos += 1
            return _Tempered(char, checks)
        inner = self.disjunction()
        self.depth -= 1
        if self.peek() != ")":
            raise self.bad("missing ')'")
        self.pos += 1
        return f"(?:{inner})"

    def group_header(self) -> None:
        """``(``, ``(?:`` or ``(?<name>``; lookarounds are unsupported."""
        self.pos += 1  # (
        if self.peek() == "?":
            kind = self.peek(1)
            if kind == ":":
                self.pos += 2
            elif kind in ("=", "!"):
                raise self.unsupported("lookahead assertions are supported only in a top-level alternative")
            elif kind == "<" and self.peek(2) in ("=", "!"):
                raise self.unsupported("lookbehind assertions are supported only ending an alternative")
            elif kind == "<":
                end = self.src.find(">", self.pos + 2)
                name = self.src[self.pos + 2:end] if end >= 0 else ""
                if end < 0 or not name or not all(ch.isalnum() or ch in "_$" for ch in name):
                    raise self.bad("invalid group name")
                self.pos = end + 1
            else:
                raise self.bad("invalid group")

    # -- escapes and classes --------------------------------------------------------------
    def hex_digits(self, count: int) -> int | None:
        text = self.src[self.pos:self.pos + count]
        if len(text) == count and set(text) <= _HEX:
            self.pos += count
            return int(text, 16)
        return None

    def code_unit_escape(self) -> int | None:
        """After ``\\u``: the code point of ``XXXX``, ``{X...}`` or a surrogate pair."""
        if self.peek() == "{":
            end = self.src.find("}", self.pos)
            digits = self.src[self.pos + 1:end] if end > 0 else ""
            if not digits or not set(digits) <= _HEX or int(digits, 16) > MAX_CODEPOINT:
                raise self.bad("invalid \\u{...} escape")
            self.pos = end + 1
            return int(digits, 16)
        cp = self.hex_digits(4)
        if cp is not None and 0xD800 <= cp <= 0xDBFF and self.src[self.pos:self.pos + 2] == "\\u":
            save = self.pos
            self.pos += 2
            low = self.hex_digits(4)
            if low is not None and 0xDC00 <= low <= 0xDFFF:
                return 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00)
            self.pos = save
        return cp

    def escape(self, in_class: bool, negated: bool = False) -> CharSet:
        """The character set of the escape at the cursor (the backslash included);
        inside a ``negated`` class, of the characters it may stand for."""
        self.pos += 1
        c = self.peek()
        if not c:
            raise self.bad("pattern ends with a backslash")
        self.pos += 1
        if c in "dDwWsS":
            return _class_escapes()[negated != self.refusing][c]
        if c in _CONTROL_ESCAPES:
            return CharSet.of(_CONTROL_ESCAPES[c])
        if c == "b":
            if in_class:
                return CharSet.of("\b")
            raise self.unsupported("word boundary \\b is not supported")
        if c == "B":
            if in_class:
                raise self.bad("\\B in a class")
            raise self.unsupported("word boundary \\B is not supported")
        if c == "0" and not self.peek().isdigit():
            return CharSet.of("\0")
        if c.isdigit():
            if in_class:
                raise self.bad(f"invalid escape \\{c} in a class")
            raise self.unsupported(f"backreference \\{c} is not supported")
        if c == "k":
            raise self.unsupported("named backreference \\k is not supported")
        if c == "c":
            letter = self.peek()
            if letter.isascii() and letter.isalpha():
                self.pos += 1
                return CharSet.of(chr(ord(letter) % 32))
            raise self.bad("invalid \\c escape")
        if c == "x":
            cp = self.hex_digits(2)
            if cp is None:
                raise self.bad("invalid \\x escape")
            return CharSet.of(chr(cp))
        if c == "u":
            cp = self.code_unit_escape()
            if cp is None:
                raise self.bad("invalid \\u escape")
            return CharSet([(cp, cp)])
        if c in ("p", "P"):
            if self.peek() != "{":
                raise self.bad(f"invalid \\{c} escape")
            end = self.src.find("}", self.pos)
            if end < 0:
                raise self.bad(f"unterminated \\{c}{{")
            name = self.src[self.pos + 1:end]
            self.pos = end + 1
            return _property(name, c == "P", self.src, self.pointer)
        if c in _SYNTAX_CHARS or c == "-" or not (c.isascii() and c.isalnum()):
            return CharSet.of(self.astral(c))
        raise self.bad(f"invalid escape \\{c}")

    def class_atom(self, negated: bool) -> CharSet:
        c = self.peek()
        if not c:
            raise self.bad("missing ']'")
        if c == "\\":
            return self.escape(in_class=True, negated=negated)
        self.pos += 1
        return CharSet.of(self.astral(c))

    def class_(self) -> CharSet:
        self.pos += 1  # [
        negate = self.peek() == "^"
        if negate:
            self.pos += 1
        out = CharSet.EMPTY
        while True:
            if self.pos >= len(self.src):
                raise self.bad("missing ']'")
            if self.peek() == "]":
                self.pos += 1
                break
            first = self.class_atom(negate)
            if self.peek() == "-" and self.peek(1) not in ("]", ""):
                self.pos += 1
                last = self.class_atom(negate)
                a, b = first.single(), last.single()
                if a is None or b is None:
                    # A class escape as a range end makes '-' literal (Annex B).
                    out = out | first | last | CharSet.of("-")
                    continue
                if ord(a) > ord(b):
                    raise self.bad("range out of order in character class")
                out = out | CharSet([(ord(a), ord(b))])
            else:
                out = out | first
        return ~out if negate else out


_Alternative = tuple[bool, bool, Lang]


def _searched(start_anchor: bool, end_anchor: bool, terms: list[_Term]) -> Lang:
    """The strings in which a top-level alternative with lookarounds finds a match,
    built from its end: what follows its last term (nothing, or anything where it
    is not anchored), each term before that, and at each lookahead the texts
    from there on that it finds a match in (or, negative, does not). Lookbehinds
    end the alternative (:meth:`_Parser.anchored_alternative` checks): they take
    the texts up to the match's end that end in a match of theirs (or do not);
    with lookaheads too, the match is the whole text. Lookbehinds where the
    match starts take the texts before it."""
    n = _leading(terms)
    lead = [a for a, _ in terms[:n] if isinstance(a, _Behind)]
    terms = [t for t in terms[:n] if not isinstance(t[0], _Behind)] + terms[n:]
    behind: list[_Behind] = []
    while terms and isinstance(terms[-1][0], _Behind):
        atom = terms.pop()[0]
        assert isinstance(atom, _Behind)
        behind.append(atom)
    looks = any(isinstance(a, _Look) for a, _ in terms)
    rest: Lang = "" if end_anchor or (behind and not looks) else _ANY_STAR
    run: list[str] = []  # plain terms not yet put in front of ``rest``
    for atom, quant in reversed(terms):
        if isinstance(atom, str):
            run.append(atom + quant)
            continue
        if run:
            rest = ("cat", "".join(reversed(run)), rest)
            run = []
        if isinstance(atom, _Tempered):
            rest = _tempered(atom, quant)  # (always last, and at the anchored end)
        elif isinstance(atom, _Look):
            rest = ("minus" if atom.negative else "and", rest, atom.pattern)
    if run:
        rest = ("cat", "".join(reversed(run)), rest)
    if lead:
        # the text before the match: ending (or not) in a match of each
        before: Lang = "" if start_anchor else _ANY_STAR
        for atom in lead:
            before = ("minus" if atom.negative else "and", before, f"{_ANY_STAR}(?:{atom.pattern})")
        rest = ("cat", before, rest)
    elif not start_anchor:
        rest = ("cat", _ANY_STAR, rest)
    for atom in behind:
        rest = ("minus" if atom.negative else "and", rest, f"{_ANY_STAR}(?:{atom.pattern})")
    if behind and not end_anchor:
        rest = ("cat", rest, _ANY_STAR)  # (no lookaheads: the text up to the match's end, then any)
    return rest


def _leading(terms: list[_Term]) -> int:
    """How many assertions an alternative's terms start with."""
    n = 0
    while n < len(terms) and isinstance(terms[n][0], (_Behind, _Look)):
        n += 1
    return n


def _tempered(atom: _Tempered, quant: str) -> Lang:
    """Repetitions of ``atom`` (ending the text) where each position's lookaheads
    hold: no match of a negative one starts in them, and one of every positive
    one starts at each position. No repetition at all has no position to check."""
    many: Lang = f"(?:{atom.char}){quant}"
    for negative, pattern in atom.checks:
        # (a negative one fails where a position inside starts its match; a
        # positive one where a position inside starts none: inside, the text
        # from a position on is never empty)
        failing: Lang = ("cat", _ANY_STAR, ("and" if negative else "minus", "[^]+", pattern))
        many = ("minus", many, failing)
    return ("or", many, "") if _least(quant) == 0 else many


@lru_cache(maxsize=1024)
def _search(pattern: str, pointer: str) -> Lang:
    if not isinstance(pattern, str):
        raise SchemaError(f"pattern must be a string, got {pattern!r}", pointer=pointer)
    _ALPHABET.seen = []
    try:
        lang = _written(pattern, pointer)
    finally:
        seen = _ALPHABET.seen
        assert seen is not None
        del _ALPHABET.seen
    if all(min(len(c), MAX_CODEPOINT + 1 - len(c)) <= _COMPRESS_OVER for c in seen):
        return lang
    blocks = _Blocks(seen)
    _ALPHABET.blocks = blocks
    try:
        return ("blocks", blocks.key, _written(pattern, pointer))  # type: ignore[return-value]
    finally:
        del _ALPHABET.blocks


def _written(pattern: str, pointer: str) -> Lang:
    try:
        try:
            return _Parser(pattern, pointer).top()
        except _MarkNeededError as exc:
            marked = _Parser(pattern, pointer, marked=True).top()
            if not isinstance(marked, str):
                raise exc.error from None  # (with lookarounds too: not supported)
            return ("marked", marked)
    except RecursionError:  # pragma: no cover - depth is capped above
        raise SchemaError(f"pattern {pattern!r} is nested too deeply", pointer=pointer) from None


def search_pattern(pattern: str, *, pointer: str = "") -> Lang:
    """An interegular pattern that fully matches exactly the strings in which the
    ECMA-262 ``pattern`` finds a match (JSON Schema's ``pattern`` keyword) -- or,
    for lookarounds, a :data:`Lang` of such patterns.

    ``pointer`` (the schema location) goes into errors. Raises
    :class:`UnsupportedSchemaError` (keyword ``pattern``) for syntax no DFA
    expresses and :class:`SchemaError` for malformed patterns.
    """
    return _search(pattern, pointer)


if sys.maxunicode < MAX_CODEPOINT:  # pragma: no cover - narrow builds no longer exist
    raise ImportError("lmparsec needs a Python with full Unicode strings")

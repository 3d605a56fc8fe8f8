"""The parser interface every format implements.

A parser *is* an immutable state of a character-level recogniser. Advancing it
returns a new state (or ``None`` when the character is not allowed), so a
state can be shared, cached, rolled back to and used by many generations at
once without copying. The token layer only ever talks to this interface.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol

from ..memo import remember
from .charset import CharSet

__all__ = ["Parser", "SealedKey", "TokenView", "common_enclosed", "common_layout", "common_stand_in",
           "common_step_class", "grammar_id", "own_search", "search_shortest", "shorter_than"]

_GRAMMARS: dict[Hashable, int] = {}
_GRAMMARS_LOCK = threading.Lock()


def grammar_id(structure: Hashable) -> int:
    """A small integer standing for a grammar's structure.

    Keys must be structural (equal futures, equal keys, across schemas and
    requests) yet cheap to hash on every step; interning the structure of a
    composite once, at construction, gives both. The table only grows by one
    entry per distinct grammar ever built in the process.
    """
    gid = _GRAMMARS.get(structure)
    if gid is None:
        with _GRAMMARS_LOCK:
            gid = _GRAMMARS.setdefault(structure, len(_GRAMMARS))
    return gid


class SealedKey(tuple):  # type: ignore[type-arg]
    """A :meth:`Parser.cache_key` of a state that cannot end where it is and that
    no token gets past the end of (inside a key whose rests no token closes):
    a container reading such a state as its child takes exactly the child's
    tokens, so it gives the child's key as its own, not keyed apart by its own
    progress and its ancestors'."""

    __slots__ = ()


class TokenView(Protocol):
    """What the token layer tells a state about its vocabulary, for
    :meth:`Parser.token_key` and :meth:`Parser.cache_key`: facts about which
    texts some token spells."""

    #: a number no other view in the process has had (what a state keeps a key
    #: made on this view by, without keeping the view alive)
    serial: int

    def closed_strings(self) -> tuple[frozenset[str], frozenset[str]]:
        """``(texts, deep)``: the decoded texts of the JSON strings that some token
        opens and closes after nothing but whitespace (``"",`` and ``":"`` on the
        usual vocabularies: a token never holds a whole ordinary key); ``deep``,
        those of them after whose closing quote some such token goes on with a
        colon and then something other than whitespace."""
        ...

    def opened_strings(self) -> frozenset[bytes]:
        """The raw texts of JSON strings some token opens after nothing but
        whitespace and ends inside (``b""`` for a token ending with the quote)."""
        ...

    def opened_prefixes(self, text: str) -> frozenset[bytes]:
        """The prefixes of ``text``'s UTF-8 bytes (the empty one included) that are
        the raw texts of JSON strings some token opens after nothing but whitespace
        and ends inside: ``b""`` for ``"``, ``b"log"`` for ``"log`` -- where a
        key spelled as ``text`` may stop, within a token that opened it."""
        ...

    def closing_texts(self) -> frozenset[str]:
        """The decoded texts that some token spells from inside a JSON string (not
        in an escape) up to the quote that closes it -- ``""`` for ``",``, ``"id"``
        for ``id"`` -- where a string whose rest is not one of them meets no token
        that reaches past its end."""
        ...

    def colon_rests(self) -> tuple[str, ...] | None:
        """The texts that follow the closing quote and a colon in the tokens
        :meth:`closing_texts` reads (``""`` for ``":``, ``' "'`` for ``": "``):
        all a member's value meets of the token that closes its key. ``None``
        where one of them ends inside a character of several bytes."""
        ...

    def indent_reach(self) -> int:
        """The most spaces some token holds after a newline where they may be one
        slot of JSON whitespace (not a blank line's, not after other whitespace):
        an indent bound above that tells no depth from a deeper one."""
        ...

    def closers(self) -> tuple[int, int]:
        """``(anywhere, after a quote)``: the most closing brackets (``}`` and ``]``)
        some token holds, and the most some token holds after its first quote --
        how many containers a token may close from inside a value, and from
        inside a string (see :meth:`Parser.levels_reached`)."""
        ...

    def closers_after_value(self) -> tuple[int, int]:
        """``(after a value, after a colon and a value)``: the most containers a
        token closes after a whole JSON value it starts with, and after a colon
        then a whole value -- how many a token may close from before an object
        member's value (no token of the usual vocabularies spells a whole value
        and then a closing bracket: none)."""
        ...

    def last_texts(self) -> tuple[str, ...] | None:
        """What the tokens holding the most closing brackets (anywhere, or after
        their first quote: see :meth:`closers`) hold after the last one, sorted
        (``""``, ``","`` and ``",\n"`` on the usual vocabularies): all a
        container meets of a token that gets into it only past every bracket
        the token may hold. ``None`` where one of them ends inside a character
        of several bytes."""
        ...

    def after_comma(self) -> TokenView:
        """The same facts about the texts that follow a comma inside a token: what
        an object's next key may meet within the token that ended the value
        before it (``","`` and ``",\\n"`` on the usual vocabularies)."""
        ...

    def after_brace(self) -> TokenView:
        """The same facts about the texts that follow an opening brace inside a
        token: what an object's first key may meet within the token that opened
        the object (``{"`` on the usual vocabularies)."""
        ...

    def quoted_strings(self) -> tuple[frozenset[str], frozenset[bytes]]:
        """``(closed, opened)``: as :meth:`closed_strings` (its texts) and
        :meth:`opened_strings`, for strings that open at any quote inside a
        token, not only one the token starts with -- what a string may meet from
        its opening quote on (``":""`` closes a key, then holds a whole empty
        string)."""
        ...


class Parser(ABC):
    """An immutable state of a character-level recogniser.

    Subclasses implement :meth:`advance`, :meth:`allowed`, :meth:`can_end` and
    :meth:`key`; they may override :meth:`loop` and :meth:`shortest` to make
    the token layer faster or exact. Rejection is reported by returning
    ``None``, never by raising, because the token layer probes millions of
    characters.
    """

    __slots__ = ()

    @abstractmethod
    def advance(self, char: str) -> Parser | None:
        """The state after one more character, or ``None`` if it is not allowed."""

    @abstractmethod
    def allowed(self) -> CharSet:
        """Characters that may come next (a superset is *not* allowed: it must be exact
        for every character whose :meth:`advance` is not ``None``, and should exclude
        characters that lead only to dead states)."""

    @abstractmethod
    def can_end(self) -> bool:
        """Whether the text consumed so far is a complete sentence of the format."""

    @abstractmethod
    def key(self) -> Hashable:
        """A hashable value; equal keys mean exactly the same continuations."""

    def loop(self) -> CharSet:
        """Characters that leave this state unchanged (``advance(c).key() == key()``).

        Inside a JSON string or free text almost every character loops; the token
        layer then precomputes, once per vocabulary, the tokens made only of such
        characters and walks just the others. The default (no loop) is always safe.
        """
        return CharSet.EMPTY

    def loop_limit(self) -> int | None:
        """How many :meth:`loop` characters in a row the state admits uniformly.

        ``None`` (the default) means the loop is exact: a loop character leaves the
        key unchanged. A number ``n`` means a *counted* loop: for every ``k <= n``,
        any ``k`` characters of :meth:`loop` lead to one and the same state (a
        string with ``maxLength`` counts down this way, ``FreeText(min_length=n)``
        counts up to an exact loop). Nothing is promised after ``n`` of them: the
        token layer looks at that state itself, and handles all tokens made of
        loop characters at once, by length, only when it allows no loop character
        or loops exactly on them all.
        """
        return None

    def step_class(self, char: str) -> CharSet:
        """Characters that have the same effect here as ``char``: each leads to a
        state with the same key as ``advance(char)`` (or each is rejected).

        A subset is always safe (the default is ``{char}``). The token layer uses
        it where a state allows almost everything but does not loop (the first
        character of a string, just after a partial trigger): all tokens starting
        with such characters are then answered by one looping successor.
        """
        return CharSet.of(char)

    def mask_key(self, horizon: int) -> Hashable:
        """A key for what this state does with texts shorter than ``horizon``
        characters: states with equal mask keys accept the same such texts and
        allow the same characters all along them, though their futures may part
        later -- a string counted to 1,000 characters does at count 10 what it
        does at count 11 with any one token. The token layer caches masks by it,
        with the longest token as the horizon. The default is :meth:`key`;
        containers build theirs from their parts' mask keys."""
        return self.key()

    def cache_key(self, view: TokenView, horizon: int) -> Hashable:
        """The key the token layer caches this state's mask by, on the vocabulary
        ``view`` describes: :meth:`mask_key` by default. A container may key
        itself by what it does once its child ends, as far as a token can reach
        from inside the child, instead of by its own progress: an object's
        members after the one being written (a closing brace, or a comma and a
        key the vocabulary spells) are the same at many progresses, in many
        objects, and a value deep inside a document is then keyed apart from
        its ancestors' progress. Where no token gets past a child's end (a
        :class:`SealedKey`) the container gives the child's key as it is."""
        return self.mask_key(horizon)

    def levels_reached(self, view: TokenView) -> int:
        """How many of the containers around this state (innermost first) a token
        starting here may get into, on the vocabulary ``view`` describes: the one
        holding this value, and one more past each closing bracket the token
        holds. A container past that reach gives its child's cache key as its own
        (see :meth:`cache_key`): a string five objects deep is keyed by the two
        objects around it where no token holds more than one bracket after a
        quote. Containers answer for themselves; a state inside a string for
        the brackets after a quote; by default, for any brackets."""
        return view.closers()[0] + 1

    def token_key(self, view: TokenView) -> Hashable | None:
        """A key for this state's mask on the vocabulary ``view`` describes: two
        states with equal token keys take the same tokens (and end alike), though
        they may part on texts no token spells. ``None`` (the default) when there
        is none coarser than :meth:`mask_key`.

        After a comma in an object, a token is whitespace, or opens a key and stops
        inside it, or holds a whole key -- and no ordinary name is ever a token's
        whole key, and few names' first bytes are a token's. Without the vocabulary
        the state must be keyed by its declared names and progress; with it, most
        objects in most schemas share a handful of masks there.

        A state gives a token key only where no token goes past its end, so a
        container reading it takes the same tokens and may pass the key up."""
        return None

    def layout(self) -> CharSet:
        """Characters a shortest completion never needs here: a completion that goes
        on with one has another, no longer, that does not -- and that means the
        same to every part read alongside (an ``allOf`` part, the excluded side
        of a ``not``). JSON's whitespace between tokens (drop it), and inside a
        string the ``\\u`` escapes of characters with a shorter spelling (write
        the character). The generic search does not try them: it otherwise
        tries every way to write a space, a newline and an indent between each
        two tokens of an object, and 65,536 escapes in every string. The default
        (none) is always safe."""
        return CharSet.EMPTY

    def split(self) -> tuple[Parser, ...] | None:
        """Parts whose languages together make this state's language, if any.

        A token is allowed exactly when some part allows it, so the token layer
        ORs the parts' cached masks instead of walking the union: a union of free
        text and JSON costs one precomputed mask plus one structured walk.
        """
        return None

    def stand_in(self) -> tuple[Parser, tuple[str, ...]] | None:
        """A state ``Y`` that behaves like this one on every text that does not
        start with one of the returned prefixes; ``None`` if there is none.

        ``Y`` is meant to be shared by many states (a JSON key that has left every
        declared name stands in for each position inside a declared name), so the
        token layer takes its cached mask and walks only the listed prefixes from
        this state -- a few short subtrees instead of the vocabulary. For every
        text not starting with a prefix, this state and ``Y`` must both reject
        it, or both take it and then agree on every continuation; wrappers that
        hand characters to an inner state can therefore pass the promise up.
        """
        return None

    def counted(self) -> tuple[Parser, int | None, int] | None:
        """``(Y, most, least)`` when this state is inside a JSON string's text (not
        in an escape) and reads every text as ``Y`` does but for a count of the
        string's characters (an escape is one; an unfinished one at the text's
        end is one): it takes a text only where ``Y`` does and the text writes
        at most ``most`` more of them (``None``: no bound) -- and, where the text
        holds the quote closing the string, at least ``least`` before it. Past
        that quote both go on alike. ``None`` (the default) otherwise.

        ``Y`` is meant to be shared by every count (a string counted to its
        ``maxLength``, at each character), so the token layer takes ``Y``'s
        cached mask and drops the tokens that write too many characters or
        close the string too soon: facts of each token alone, counted once per
        vocabulary, where a walk per count met the same tokens at every count.
        Wrappers that hand every character to the string pass the promise up.
        """
        return None

    def segment(self) -> tuple[Parser, Parser, CharSet] | None:
        """``(H, C, E)`` when this state reads a text of ``H`` and then goes on as
        ``C``: a character goes to ``H`` while ``H`` takes it; the first one ``H``
        does not take, where ``H`` can end, goes to ``C`` (it is always one of
        ``E``), and so does the rest. ``None`` otherwise (the default).

        ``H`` is meant to be shared by many states -- the value after an object's
        colon, in whatever object at whatever progress -- so the token layer walks
        it once, notes where tokens leave it, and from then on walks only those
        tokens' rests from ``C`` (:mod:`lmparsec.tokens.segment`).
        """
        return None

    def fixed_texts(self) -> tuple[tuple[str, ...], Callable[[int], Parser]] | None:
        """``(texts, then)`` when every text this state takes is a prefix of one of a
        few fixed ``texts``, or ``texts[k]`` followed by a text the state ``then(k)``
        takes (each character of a text allowed on the way); ``None`` otherwise
        (the default). ``then`` is called only for the texts some token goes past:
        an object's forty names make forty states otherwise (and one function, not
        one per text: most key states are asked once, and every made object counts
        towards the next garbage collection).

        Inside an object key that can only be one of the declared names, spelled one
        way, the names' rests are such texts: the token layer then finds the tokens
        inside them by their bytes, and walks only the tokens that go past a text's
        end, from its ``then`` -- not the names character by character.
        """
        return None

    def enclosed(self) -> tuple[Parser, Parser | None] | None:
        """``(F, C)`` when this state is inside an enclosed text (a JSON string)
        read by ``F``, a state that ends after its closing characters and then
        takes nothing more; ``None`` otherwise.

        A token is taken here exactly when ``F`` takes it whole, or ``F`` takes
        a prefix of it and has ended there and ``C`` takes the rest. ``F`` is
        meant to be shared (any string's content, in whatever object or array),
        so the token layer keeps its mask and the suffixes that follow its end,
        and walks only those from ``C`` -- a few subtrees after a closing quote.

        ``C`` is ``None`` where what follows the end depends on the text before
        it (a ``uniqueItems`` list compares whole elements): a token is then
        taken when ``F`` takes it whole, or when it goes past ``F``'s end and
        this state takes it -- the token layer walks those few tokens whole from
        here, not the vocabulary.
        """
        return None

    def reads_within(self, other: Parser) -> bool:
        """Whether every text this state takes, ``other`` takes too, ending where
        this one ends and taking nothing more there: then side by side the two
        read as this one (an intersection's enclosed text, see :meth:`enclosed`).
        The default: only a state equal to ``other`` (by key)."""
        return self.key() == other.key()

    # -- conveniences built on the four primitives ---------------------------
    def advance_text(self, text: str) -> Parser | None:
        """The state after ``text``, or ``None`` if some character was rejected."""
        state: Parser | None = self
        for char in text:
            state = state.advance(char)  # type: ignore[union-attr]
            if state is None:
                return None
        return state

    def accepts(self, text: str) -> bool:
        """Whether ``text`` is a complete sentence of the format."""
        state = self.advance_text(text)
        return state is not None and state.can_end()

    def prefix_ok(self, text: str) -> bool:
        """Whether ``text`` can still be completed to a sentence of the format."""
        return self.advance_text(text) is not None

    def forced(self) -> str:
        """Text every continuation must start with (empty when there is a choice).

        A state that can end is never forced further: ending is a choice.
        """
        out: list[str] = []
        state: Parser | None = self
        while state is not None and not state.can_end():
            char = state.allowed().single()
            if char is None:
                break
            out.append(char)
            state = state.advance(char)
        return "".join(out)

    def shortest(self, limit: int = 20000) -> str | None:
        """A shortest text that completes this state, or ``None`` if none was found.

        The generic search tries one representative character per
        :meth:`step_class` of the allowed set (then one per remaining range), so
        it is exact for formats whose ``step_class`` is; others should override
        it. The token budget of the generation loop relies on it.
        """
        return search_shortest(self, limit)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} key={self.key()!r}>"


def common_step_class(parts: Iterable[Parser | None], char: str) -> CharSet:
    """Characters with ``char``'s effect on every live part: the step class of
    parts run side by side (or of alternatives)."""
    out = CharSet.ANY
    for p in parts:
        if p is not None:
            out = out & p.step_class(char)
    return out


def common_enclosed(parts: Sequence[Parser], combine: Callable[[list[Parser]], Parser], *,
                    narrowest: bool = False) -> tuple[Parser, Parser | None] | None:
    """The enclosed text that parts read together (see :meth:`Parser.enclosed`)
    and the parts' continuations past its end, ``combine`` d as the whole's (none
    where a part has none: it goes on by its text, and so does the whole);
    ``None`` unless every part is inside one. The parts' texts must be one state
    (by key) -- or, with ``narrowest`` (parts side by side, all of which must take
    a token), one of them that reads within all the others
    (:meth:`Parser.reads_within`)."""
    got = []
    for part in parts:
        promise = part.enclosed()
        if promise is None:
            return None
        got.append(promise)
    inners = [inner for inner, _ in got]
    if narrowest:
        inner = next((a for a in inners if all(a.reads_within(b) for b in inners)), None)
    else:
        first = inners[0].key()
        inner = inners[0] if all(b.key() == first for b in inners[1:]) else None
    if inner is None:
        return None
    afters = [after for _, after in got]
    if any(after is None for after in afters):
        return inner, None
    return inner, combine(afters)  # type: ignore[arg-type]


def common_stand_in(parts: Sequence[Parser]) -> tuple[list[Parser], tuple[str, ...]] | None:
    """Stand-ins of parts run side by side (or of alternatives): each part's own,
    a part without one standing for itself (it acts as itself on every text), and
    every part's prefixes -- on texts starting with none of them, each part acts
    as its stand-in, so any combination of them acts as that of the stand-ins.
    ``None`` when no part has one (the combination would stand in for itself)."""
    got = [p.stand_in() for p in parts]
    if all(g is None for g in got):
        return None
    prefixes = sorted({prefix for g in got if g is not None for prefix in g[1]})
    return [p if g is None else g[0] for p, g in zip(parts, got, strict=True)], tuple(prefixes)


def common_layout(parts: Iterable[Parser | None]) -> CharSet:
    """Layout characters of every live part: only there is one meaningless to
    all of them at once (a part that reads a space as text says no)."""
    out: CharSet | None = None
    for p in parts:
        if p is not None:
            out = p.layout() if out is None else out & p.layout()
            if not out:
                break
    return out or CharSet.EMPTY


class _Search(threading.local):
    """What the completion being computed is for, per thread: ``bound`` (of use
    only when shorter, see :func:`shorter_than`), and the tries of side-by-side
    parts (``on``, ``depth``: :mod:`lmparsec.combinators.logic`). Defaults are
    class attributes: an attribute a thread never set would raise inside
    ``getattr``, message formatted, at every read."""

    bound: int | None = None
    on: bool = False
    depth: int = 0


SEARCH = _Search()


@contextmanager
def shorter_than(length: int | None) -> Iterator[None]:
    """Completions asked for inside are of use only when shorter than ``length``
    characters (``None``: any): a union that has one alternative's answer needs
    no longer one from the next, and a search there stops at that length
    instead of running through its states -- an alternative that only a long
    text completes, or none, took ~20 s of a JSON Schema Store file's start."""
    outer = SEARCH.bound
    if length is not None and (outer is None or length < outer):
        SEARCH.bound = length
    try:
        yield
    finally:
        SEARCH.bound = outer


@contextmanager
def own_search() -> Iterator[None]:
    """A completion computed inside owes nothing to the search that asked for it:
    one that is kept for every later question (a schema node's shortest value)
    is computed with the full tries and limits, not a candidate's or a bound one."""
    saved = dict(vars(SEARCH))
    vars(SEARCH).clear()
    try:
        yield
    finally:
        vars(SEARCH).clear()
        vars(SEARCH).update(saved)


def search_shortest(state: Parser, limit: int = 20000, *, per_range: int = 1) -> str | None:
    """Best-first search for a shortest completion of ``state`` over at most
    ``limit`` distinct states, trying one character per ``step_class`` and
    ``per_range`` characters from each remaining range (more finds ``3`` in a
    ``multipleOf: 3`` range whose classes are not declared), none of the state's
    :meth:`~Parser.layout` characters, and no text as long as the bound of
    :func:`shorter_than`."""
    bound = SEARCH.bound
    # (kept: the answer depends on nothing else, and a search that finds nothing
    # runs through every state it may visit -- the parts of a JSON object beside
    # its conditions are asked again and again while a completion is composed:
    # a devfile component's same two parts nine times each, ~0.5 s a search)
    memo_key = (state.key(), limit, bound, per_range)
    try:
        return _SEARCHED[memo_key]
    except KeyError:
        pass
    got = _search(state, limit, bound, per_range)
    with _SEARCHED_LOCK:
        remember(_SEARCHED, memo_key, got, 1024)
    return got


_SEARCHED: dict[tuple[Hashable, int, int | None, int], str | None] = {}
_SEARCHED_LOCK = threading.Lock()


def _search(state: Parser, limit: int, bound: int | None, per_range: int) -> str | None:
    counter = itertools.count()
    heap: list[tuple[int, int, str, Parser]] = [(0, next(counter), "", state)]
    seen: set[Hashable] = set()
    while heap and len(seen) < limit:
        _, _, text, current = heapq.heappop(heap)
        if bound is not None and len(text) >= bound:
            return None  # (popped by length: every one left is as long)
        k = current.key()
        if k in seen:
            continue
        seen.add(k)
        if current.can_end():
            return text
        layout = current.layout()
        if not current.allowed() - layout:
            # (inside an escape begun before the search: its digits are the only way on)
            layout = CharSet.EMPTY
        for char in _representatives(current, per_range=per_range):
            if char in layout:
                continue
            nxt = current.advance(char)
            if nxt is not None and nxt.key() not in seen:
                heapq.heappush(heap, (len(text) + 1, next(counter), text + char, nxt))
    return None


def _representatives(state: Parser, classes: int = 64, *, per_range: int = 1) -> Iterator[str]:
    """One character per class of equivalent next characters of ``state``.

    One character per *range* is not enough: inside ``"[^"\\\\]*"`` the closing
    quote shares a range with the string's content, so a search that samples
    ranges never finds the end. ``step_class`` names whole classes; a parser
    that does not override it gets one character per range.
    """
    remaining = state.allowed()
    if type(state).step_class is not Parser.step_class:
        for _ in range(classes):
            char = next(remaining.samples(), None)
            if char is None:
                return
            yield char
            remaining = remaining - (state.step_class(char) | CharSet.of(char))
    if per_range <= 1:
        yield from remaining.samples()
        return
    for lo, hi in remaining.ranges:
        for cp in [*range(lo, min(hi, lo + per_range - 1) + 1), hi] if hi > lo else [lo]:
            if not 0xD800 <= cp <= 0xDFFF:
                yield chr(cp)

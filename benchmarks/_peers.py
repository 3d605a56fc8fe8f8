"""One small adapter per constrained-decoding engine, all behind the same four calls.

An engine is prepared once per tokenizer (``prepare``), compiles a JSON Schema
into a ready-to-use matcher (``compile``: everything from the schema dict to the
first mask being computable, so that engines that compile lazily and engines
that compile eagerly are compared on the same span), and then, per step:

- ``fill()``      computes the next-token mask — the only call the benchmark times
                  as "mask";
- ``allowed(t)``  reads the mask just computed (not timed);
- ``advance(t)``  consumes a token (timed separately, as "advance");
- ``eos_allowed()`` reads the mask for any end-of-sequence id (not timed).

All masks are packed int32 bitmasks of ``vocab_size`` bits (xgrammar's layout),
except LMFE's, which is the id list its public API returns.

Engine settings chosen to accept what ``json.dumps(instance, ensure_ascii=False)``
writes (", " and ": " separators, properties in schema order) and to follow
JSON Schema's own rule for undeclared properties (allowed unless
``additionalProperties`` says otherwise) where the engine lets us choose:
lmparsec ``strict=False``, xgrammar ``strict_mode=False``, llguidance defaults.
outlines-core and LMFE have no such switch.
"""

from __future__ import annotations

import json
import multiprocessing
import pickle
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

SHARED = Path(__file__).resolve().parents[2] / "shared"
TOKENIZERS_DIR = SHARED / "tokenizers"


class UnsupportedError(Exception):
    """The engine cannot compile this schema (recorded as lost coverage)."""


@dataclass
class Tokenizer:
    """Everything the engines need about one tokenizer, loaded once."""

    name: str
    path: Path
    hf: Any  # transformers.PreTrainedTokenizerFast (as loaded: legacy prefix space kept)
    mid: Any  # tokenizers.Tokenizer that encodes text as it appears mid-generation
    vocab: Any  # lmparsec Vocabulary (used for the common vocab size and eos ids)
    eos_ids: list[int] = field(default_factory=list)

    @property
    def size(self) -> int:
        return int(self.vocab.size)

    @property
    def words(self) -> int:
        return (self.size + 31) // 32

    def encode(self, text: str) -> list[int]:
        ids: list[int] = self.mid.encode(text, add_special_tokens=False).ids
        return ids


def load_tokenizer(name: str) -> Tokenizer:
    import tokenizers
    import transformers

    from lmparsec.tokens import Vocabulary

    folder = TOKENIZERS_DIR / name
    file = folder / "tokenizer.json"
    if not file.is_file():
        raise SystemExit(f"{file} is absent: the benchmark needs ../shared/tokenizers")
    config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    eos = config.get("eos_token")
    if isinstance(eos, dict):
        eos = eos["content"]
    hf = transformers.PreTrainedTokenizerFast(tokenizer_file=str(file), eos_token=eos)
    data = json.loads(file.read_text(encoding="utf-8"))
    normalizer = data.get("normalizer")
    # SentencePiece "legacy" tokenizers prepend "▁" to every encode; generated text
    # is not tokenized that way, so drop the Prepend normalizer for the replay.
    if isinstance(normalizer, dict):
        if normalizer.get("type") == "Prepend":
            data["normalizer"] = None
        elif normalizer.get("type") == "Sequence":
            normalizer["normalizers"] = [n for n in normalizer["normalizers"] if n.get("type") != "Prepend"]
    mid = tokenizers.Tokenizer.from_str(json.dumps(data))
    vocab = Vocabulary.from_file(file)
    return Tokenizer(name, file, hf, mid, vocab, sorted(vocab.eos_ids))


def _bit(buf: np.ndarray, token: int) -> bool:
    return bool((int(buf[token >> 5]) >> (token & 31)) & 1)


# -- engines -----------------------------------------------------------------------


class Engine:
    name = "?"
    has_warm_compile = True
    own_time_limit: float | None = None  # seconds, when compile() enforces one itself

    def prepare(self, tok: Tokenizer) -> None:
        raise NotImplementedError

    def compile(self, schema: dict[str, Any]) -> Any:
        raise NotImplementedError

    def start(self, compiled: Any) -> Run:
        raise NotImplementedError

    def fresh_caches(self) -> None:
        """Forget every cross-request cache (start of a cold pass)."""

    def cache_report(self) -> dict[str, float] | None:
        """What the engine's cross-request cache holds now (``None``: it does not say)."""
        return None


class Run:
    def fill(self) -> None:
        raise NotImplementedError

    def allowed(self, token: int) -> bool:
        raise NotImplementedError

    def advance(self, token: int) -> bool:
        raise NotImplementedError

    def eos_allowed(self) -> bool:
        raise NotImplementedError


class _BitRun(Run):
    """A run whose mask is a packed bitmask in ``self.buf``."""

    buf: np.ndarray
    eos: list[int]

    def allowed(self, token: int) -> bool:
        return _bit(self.buf, token)

    def eos_allowed(self) -> bool:
        return any(_bit(self.buf, e) for e in self.eos)


# lmparsec --------------------------------------------------------------------------


class Lmparsec(Engine):
    name = "lmparsec"
    #: whether caches are made warmed up for JSON (``MaskCache(warm_up=True)``, as a
    #: server's are: the integrations' shared cache is), its time counted in prep
    warm_up = True

    def prepare(self, tok: Tokenizer) -> None:
        from lmparsec.tokens import MaskCache, Vocabulary

        self.tok = tok
        self.vocab = Vocabulary.from_file(tok.path)  # timed: a fresh build, not tok.vocab
        self.cache = MaskCache(self.vocab, warm_up=self.warm_up)

    def fresh_caches(self) -> None:
        # (a cold pass starts from a cache as a server has it after start-up: new,
        # and warmed up when ``warm_up`` is on -- that time is in prep, above)
        from lmparsec.tokens import MaskCache

        self.cache = MaskCache(self.vocab, warm_up=self.warm_up)

    def cache_report(self) -> dict[str, float] | None:
        stats = self.cache.stats()
        return {"entries": stats.entries, "mib": stats.nbytes / 2**20, "bound_mib": stats.max_bytes / 2**20,
                "hit_rate": stats.hit_rate, "transitions": stats.transitions}

    def compile(self, schema: dict[str, Any]) -> Any:
        from lmparsec.combinators.jsonschema import JsonSchema
        from lmparsec.errors import LmparsecError

        try:
            return JsonSchema(schema, strict=False)
        except LmparsecError as exc:
            raise UnsupportedError(str(exc)[:200]) from exc
        except RecursionError as exc:
            raise UnsupportedError(f"RecursionError: {exc}") from exc

    def start(self, compiled: Any) -> Run:
        from lmparsec.tokens import Matcher

        return _LmparsecRun(Matcher(self.vocab, compiled, cache=self.cache), self.tok)


class _LmparsecRun(_BitRun):
    def __init__(self, matcher: Any, tok: Tokenizer) -> None:
        self.matcher = matcher
        self.buf = np.zeros(tok.words, dtype=np.int32)
        self.eos = tok.eos_ids

    def fill(self) -> None:
        self.matcher.fill_bitmask(self.buf)

    def advance(self, token: int) -> bool:
        return bool(self.matcher.accept(token))


class LmparsecRegex(Lmparsec):
    """Stand-in while the JSON Schema compiler is not there: outlines-core's regex
    for the schema, run through lmparsec's ``Regex``."""

    name = "lmparsec-regex"

    def compile(self, schema: dict[str, Any]) -> Any:
        from outlines_core.json_schema import build_regex_from_schema

        from lmparsec.combinators import Regex
        from lmparsec.errors import LmparsecError

        try:
            return Regex(build_regex_from_schema(json.dumps(schema)))
        except (LmparsecError, ValueError) as exc:
            raise UnsupportedError(str(exc)[:200]) from exc


# xgrammar --------------------------------------------------------------------------


class Xgrammar(Engine):
    name = "xgrammar"

    def prepare(self, tok: Tokenizer) -> None:
        import xgrammar as xgr

        self.tok = tok
        info = xgr.TokenizerInfo.from_huggingface(tok.hf, vocab_size=tok.size, stop_token_ids=tok.eos_ids)
        # one thread: the machine has two shared cores, and every other engine here is
        # measured single-threaded
        self.compiler = xgr.GrammarCompiler(info, max_threads=1, cache_enabled=True)

    def fresh_caches(self) -> None:
        self.compiler.clear_cache()

    def compile(self, schema: dict[str, Any]) -> Any:
        import xgrammar as xgr

        try:
            compiled = self.compiler.compile_json_schema(
                json.dumps(schema), any_whitespace=True, strict_mode=False
            )
        except (RuntimeError, ValueError, TypeError) as exc:
            raise UnsupportedError(f"{type(exc).__name__}: {str(exc)[:200]}") from exc
        xgr.GrammarMatcher(compiled)  # part of getting ready, as for the other engines
        return compiled

    def start(self, compiled: Any) -> Run:
        import xgrammar as xgr

        return _XgrammarRun(xgr.GrammarMatcher(compiled), self.tok)


class _XgrammarRun(_BitRun):
    def __init__(self, matcher: Any, tok: Tokenizer) -> None:
        import xgrammar as xgr

        self.matcher = matcher
        self.tensor = xgr.allocate_token_bitmask(1, tok.size)
        self.buf = self.tensor.numpy()[0]
        self.eos = tok.eos_ids

    def fill(self) -> None:
        self.matcher.fill_next_token_bitmask(self.tensor)

    def advance(self, token: int) -> bool:
        return bool(self.matcher.accept_token(token))


# llguidance ------------------------------------------------------------------------


class Llguidance(Engine):
    name = "llguidance"
    has_warm_compile = False  # no grammar cache: a second compile costs the same

    def prepare(self, tok: Tokenizer) -> None:
        import llguidance.hf

        self.tok = tok
        self.lltok = llguidance.hf.from_tokenizer(tok.hf, n_vocab=tok.size, eos_token=tok.eos_ids)

    def compile(self, schema: dict[str, Any]) -> Any:
        from llguidance import LLMatcher

        try:
            grammar = LLMatcher.grammar_from_json_schema(schema, defaults={"whitespace_flexible": True})
        except ValueError as exc:
            raise UnsupportedError(str(exc)[:200]) from exc
        matcher = LLMatcher(self.lltok, grammar, log_level=0)
        if matcher.is_error():
            raise UnsupportedError(matcher.get_error()[:200])
        return grammar, matcher

    def start(self, compiled: Any) -> Run:
        _, matcher = compiled
        return _LlguidanceRun(matcher.deep_copy(), self.tok)


class _LlguidanceRun(_BitRun):
    def __init__(self, matcher: Any, tok: Tokenizer) -> None:
        self.matcher = matcher
        self.buf2d = np.zeros((1, tok.words), dtype=np.int32)
        self.buf = self.buf2d[0]
        self.eos = tok.eos_ids
        self.ptr = self.buf.ctypes.data
        self.nbytes = self.buf.size * 4

    def fill(self) -> None:
        # what llguidance.numpy.fill_next_token_bitmask does, minus its assertions
        self.matcher.unsafe_compute_mask_ptr(self.ptr, self.nbytes)

    def advance(self, token: int) -> bool:
        return bool(self.matcher.consume_token(token)) and not self.matcher.is_error()


# outlines-core ---------------------------------------------------------------------

_OUTLINES_VOCAB: Any = None


def _outlines_build(regex: str, conn: Any) -> None:
    """Child process: build the Index, send back (seconds, pickled index) or an error."""
    from outlines_core import Index

    try:
        t0 = time.perf_counter_ns()
        index = Index(regex, _OUTLINES_VOCAB)
        elapsed = (time.perf_counter_ns() - t0) / 1e9
        conn.send(("ok", elapsed, pickle.dumps(index)))
    except (ValueError, RuntimeError, MemoryError) as exc:
        conn.send(("error", 0.0, f"{type(exc).__name__}: {str(exc)[:200]}"))
    finally:
        conn.close()


class OutlinesCore(Engine):
    """outlines-core builds a token-level DFA index per schema, which for large schemas
    can take minutes and gigabytes: it is built in a forked child with a time limit,
    and the compile time reported is the child's own measurement of ``Index(...)`` plus
    the regex build in this process."""

    name = "outlines-core"
    has_warm_compile = False
    index_timeout_s = 30.0
    own_time_limit = index_timeout_s

    def prepare(self, tok: Tokenizer) -> None:
        global _OUTLINES_VOCAB
        from outlines_core import Vocabulary

        self.tok = tok
        # outlines-core's own loader downloads from the Hub; build its map from the
        # token bytes instead (special tokens excluded, as its loader does)
        tokens: dict[bytes, list[int]] = {}
        for token_id, data in enumerate(tok.vocab.token_bytes):
            if data:
                tokens.setdefault(data, []).append(token_id)
        eos = tok.hf.eos_token_id
        self.eos = eos if isinstance(eos, int) else tok.eos_ids[0]
        self.vocabulary = Vocabulary(self.eos, tokens)
        _OUTLINES_VOCAB = self.vocabulary
        self.last_compile_s: float | None = None

    def compile(self, schema: dict[str, Any]) -> Any:
        from outlines_core import Guide, Index
        from outlines_core.json_schema import build_regex_from_schema

        t0 = time.perf_counter_ns()
        try:
            regex = build_regex_from_schema(json.dumps(schema))
        except (ValueError, TypeError, RuntimeError) as exc:
            raise UnsupportedError(f"regex: {str(exc)[:200]}") from exc
        regex_s = (time.perf_counter_ns() - t0) / 1e9
        ctx = multiprocessing.get_context("fork")
        parent, child = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_outlines_build, args=(regex, child), daemon=True)
        proc.start()
        child.close()
        try:
            if not parent.poll(self.index_timeout_s):
                limit = self.index_timeout_s
                raise UnsupportedError(f"Index build exceeded {limit:.0f} s (regex {len(regex)} chars)")
            try:
                status, seconds, payload = parent.recv()
            except EOFError as exc:
                raise UnsupportedError(f"Index build died (exit {proc.exitcode})") from exc
        finally:
            # also reached when the caller's own time limit interrupts the wait: a child
            # left behind would go on burning a core
            if proc.is_alive():
                proc.kill()
            proc.join()
            parent.close()
        if status != "ok":
            raise UnsupportedError(payload)
        index: Index = pickle.loads(payload)
        self.last_compile_s = regex_s + seconds
        Guide(index)
        return index

    def start(self, compiled: Any) -> Run:
        from outlines_core import Guide

        return _OutlinesRun(Guide(compiled, max_rollback=0), self.tok, self.eos)


class _OutlinesRun(_BitRun):
    def __init__(self, guide: Any, tok: Tokenizer, eos: int) -> None:
        self.guide = guide
        self.buf = np.zeros(tok.words, dtype=np.int32)
        self.ptr = self.buf.ctypes.data
        self.words = int(self.buf.size)
        self.eos = [eos]

    def fill(self) -> None:
        self.guide.write_mask_into(self.ptr, self.words, 4)

    def advance(self, token: int) -> bool:
        try:
            self.guide.advance(token, return_tokens=False)
        except ValueError:
            return False
        return True


# lm-format-enforcer ----------------------------------------------------------------

LMFE_SHIM_USED = False


def _import_lmfe() -> Any:
    """LMFE 0.11.3 imports ``transformers.tokenization_utils``, which transformers 5
    removed; the class it wants lives on in ``tokenization_utils_base``."""
    global LMFE_SHIM_USED
    import importlib

    import transformers

    try:
        importlib.import_module("transformers.tokenization_utils").PreTrainedTokenizerBase  # noqa: B018
    except (ImportError, AttributeError):
        import transformers.tokenization_utils_base as base

        sys.modules["transformers.tokenization_utils"] = base
        LMFE_SHIM_USED = True
        print(
            f"note: LMFE shim in use: transformers {transformers.__version__} has no "
            "transformers.tokenization_utils; aliased it to tokenization_utils_base",
            file=sys.stderr,
        )
    import lmformatenforcer.integrations.transformers as lmfe_hf

    return lmfe_hf


class Lmfe(Engine):
    name = "lm-format-enforcer"
    has_warm_compile = False

    def prepare(self, tok: Tokenizer) -> None:
        lmfe_hf = _import_lmfe()
        from lmformatenforcer import TokenEnforcerTokenizerData

        self.tok = tok
        regular = lmfe_hf._build_regular_tokens_list(tok.hf, tok.size)
        decode = lmfe_hf.functools.partial(lmfe_hf._decode_function, tok.hf)
        # all eos ids, as the other engines get (the HF helper passes only one)
        self.data = TokenEnforcerTokenizerData(regular, decode, tok.eos_ids, False, tok.size)

    def compile(self, schema: dict[str, Any]) -> Any:
        from lmformatenforcer import JsonSchemaParser, TokenEnforcer

        try:
            parser = JsonSchemaParser(schema)
            TokenEnforcer(self.data, parser)
        except Exception as exc:  # LMFE raises anything on unknown schema shapes
            raise UnsupportedError(f"{type(exc).__name__}: {str(exc)[:200]}") from exc
        return parser

    def start(self, compiled: Any) -> Run:
        from lmformatenforcer import TokenEnforcer

        return _LmfeRun(TokenEnforcer(self.data, compiled), self.tok)


class _LmfeRun(Run):
    def __init__(self, enforcer: Any, tok: Tokenizer) -> None:
        self.enforcer = enforcer
        self.seq: list[int] = []
        self.last: Any = None
        self.eos = tok.eos_ids

    def fill(self) -> None:
        self.last = self.enforcer.get_allowed_tokens(self.seq).allowed_tokens

    def allowed(self, token: int) -> bool:
        return token in self.last

    def advance(self, token: int) -> bool:
        self.seq.append(token)
        return True

    def eos_allowed(self) -> bool:
        return any(e in self.last for e in self.eos)


ENGINES: dict[str, type[Engine]] = {
    e.name: e for e in (Lmparsec, LmparsecRegex, Lmfe, Xgrammar, Llguidance, OutlinesCore)
}
DEFAULT_ENGINES = ("lmparsec", "lm-format-enforcer", "xgrammar", "llguidance", "outlines-core")

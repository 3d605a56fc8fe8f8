"""A per-vocabulary :class:`TokenIndex` kept on disk, so a new process skips the build.

Building the index of a 128k-token vocabulary (sorting the trie, decoding every
token into character units) takes ~1 s of pure Python; reading it back from
a pickle of numpy arrays takes a small fraction of that (measured on the 2-core
dev machines, llama-3: build 1.0 s, reload 0.05 s). The trie's keys are not
stored: they are the vocabulary's own token bytes, put back in the stored order,
so the walk and everything else share one object per token.

The file is named by the vocabulary's ``fingerprint`` (a sha256 over every
token's bytes and the special/eos ids), so a changed tokenizer never reads a
stale index. What the index makes for any vocabulary before its first mask --
the units by code point, the JSON string facts of its tokens, the loop tables
of the common string classes -- is stored too (rebuilt, it was ~60 ms of a
128k vocabulary's ~100 ms reload); other loop tables are built lazily, in
milliseconds each. The cache lives under ``$XDG_CACHE_HOME/lmparsec/index``
(``~/.cache/lmparsec/index`` when that is unset) unless a folder is given.

A pickle runs code when it is read, so only files this module wrote into the
user's own cache folder should ever be loaded; :func:`load_index` also checks
the format version and the fingerprint before trusting the content.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import VocabularyError
from .index import TokenIndex
from .trie import TokenTrie

if TYPE_CHECKING:
    from .vocabulary import Vocabulary

__all__ = ["default_cache_dir", "index_path", "load_index", "load_or_build_index", "save_index"]

_FORMAT = "lmparsec.TokenIndex/11"
# attributes rebuilt on load rather than stored; every numpy array attribute is stored
_REBUILT = frozenset(
    {"vocabulary", "size", "trie", "_loops", "_plans", "_plan_entries", "_nodes", "_node_entries",
     "_kinds", "_unit_code", "_lone", "_max_units", "_max_loops", "_lock", "chain_steps", "_lone_memo",
     "_facts", "serial", "_cont_quote", "_left_at_once", "_text_tokens"}
)


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/lmparsec/index``, or ``~/.cache/lmparsec/index``.

    XDG_CACHE_HOME is the platform's own convention for where caches go, not
    lmparsec configuration; pass ``cache_dir`` to choose another place.
    """
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "lmparsec" / "index"


def index_path(vocabulary: Vocabulary, cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Where the index of ``vocabulary`` is stored."""
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    # the format version is part of the name: an upgrade builds afresh instead of failing
    return folder / f"{vocabulary.fingerprint}.v{_FORMAT.rsplit('/', 1)[1]}.pkl"


def save_index(index: TokenIndex, cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Write ``index`` to the cache (atomically: readers never see half a file)."""
    path = index_path(index.vocabulary, cache_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload: dict[str, Any] = {
        "format": _FORMAT,
        "fingerprint": index.vocabulary.fingerprint,
        "size": index.size,
        "max_loops": index._max_loops,
        "ids": np.asarray(index.trie.ids, dtype=np.int64),
    }
    arrays = {}
    for name, value in vars(index).items():
        if name in _REBUILT:
            continue
        if not isinstance(value, np.ndarray):
            raise TypeError(f"persist.py does not know how to store TokenIndex.{name}; teach it")
        arrays[name] = value
    payload["arrays"] = arrays
    payload["made"] = index.made_with_index()
    fd, tmp = tempfile.mkstemp(prefix=".index-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            pickle.dump(payload, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    # files of the same vocabulary in older formats will never be read again
    for old in path.parent.glob(f"{index.vocabulary.fingerprint}.v*.pkl"):
        if old != path:
            with contextlib.suppress(OSError):
                old.unlink()
    return path


def load_index(vocabulary: Vocabulary, cache_dir: str | os.PathLike[str] | None = None) -> TokenIndex | None:
    """The stored index of ``vocabulary``, or ``None`` when there is none (or the
    folder cannot be read).

    A file that exists but cannot be read as an index of this vocabulary
    raises :class:`~lmparsec.errors.VocabularyError` naming the file: deleting
    it is the fix, and a silent rebuild would hide a broken cache forever.
    """
    path = index_path(vocabulary, cache_dir)
    try:
        src = path.open("rb")
    except OSError:  # absent, or a folder that cannot be read: there is no cache
        return None
    try:
        with src:
            payload = pickle.load(src)  # our own file, in the user's cache folder
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError, ValueError) as exc:
        raise VocabularyError(f"the cached token index {path} is unreadable ({exc}); delete it") from exc
    if not isinstance(payload, dict) or payload.get("format") != _FORMAT:
        raise VocabularyError(f"the cached token index {path} has an unknown format; delete it")
    if payload.get("fingerprint") != vocabulary.fingerprint or payload.get("size") != vocabulary.size:
        raise VocabularyError(f"the cached token index {path} belongs to another vocabulary; delete it")
    return _restore(vocabulary, payload)


def load_or_build_index(
    vocabulary: Vocabulary, cache_dir: str | os.PathLike[str] | None = None
) -> TokenIndex:
    """The index of ``vocabulary``: read from the cache, or built and then stored there.

    A cache folder that cannot be written (read-only home, full disk) costs
    only the saving: the freshly built index is returned all the same.
    """
    index = load_index(vocabulary, cache_dir)
    if index is not None:
        return index
    index = TokenIndex(vocabulary)
    # The index is correct either way; an unwritable cache only makes the next
    # process pay the build again.
    with contextlib.suppress(OSError):
        save_index(index, cache_dir)
    return index


def _restore(vocabulary: Vocabulary, payload: dict[str, Any]) -> TokenIndex:
    """A ``TokenIndex`` from stored parts, without running its build."""
    index = TokenIndex.__new__(TokenIndex)
    index.vocabulary = vocabulary
    index.size = vocabulary.size
    trie = TokenTrie(())
    ids = np.ascontiguousarray(payload["ids"], dtype=np.int64)
    trie.ids = tuple(ids.tolist())
    trie._id_array = ids  # (as the build makes it: no first mask pays for it)
    # the vocabulary's own bytes objects, not the file's copies: one object per
    # token in memory, shared by the walk and everything else that reads tokens
    token_bytes = vocabulary.token_bytes
    trie.keys = tuple(token_bytes[i] for i in trie.ids)
    index.trie = trie
    for name, value in payload["arrays"].items():
        setattr(index, name, value)
    index._max_loops = int(payload["max_loops"])
    index._init_caches(payload["made"])
    return index
